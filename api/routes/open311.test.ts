// Issue 20: an outside client speaking only Open311 GeoReport v2 lists services, posts requests (by point in
// WGS-84, GCJ-02 and BD-09, and by address) and reads them back with grid code, stage and light; bad posts get the
// standard error array with 400; moving the clock turns lights yellow and red; a duplicate is linked both ways;
// grid workers see and act on their own grid's events only; transitions are in the hash-chained audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { parseCrs } from '../../data/crs/parse-crs.ts';
import { startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { bearer, createAccounts, G1, G2, login } from '../auth/test-people.ts';
import { ManualClock } from '../../domain/events/clock.ts';
import { PostRateLimit } from './open311.ts';
import { createOpen311Client } from '../../domain/events/open311-clients.ts';
import { auditChainOf, verifyAuditChain } from '../auth/audit-log.ts';

const KEY = 'test-open311-key-0123456789abcdef';
// inside G1 (south-west quarter) and G2 (south-east quarter) of the tiny town, away from address points
const IN_G1: [number, number] = [TINY.x0 + TINY.dx * 0.55, TINY.y0 + TINY.dy * 0.9];
const IN_G2: [number, number] = [TINY.x0 + TINY.dx * 3.55, TINY.y0 + TINY.dy * 0.9];

describe.each(testEngines())('Open311 GeoReport v2 and the events workflow on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  const clock = new ManualClock('2026-12-01T08:00:00Z');
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    await createAccounts(database.db);
    await createOpen311Client(database.db, TINY.jcode, 'test-app', KEY);
    s = await startTestServer(database, { clock, open311RateLimit: new PostRateLimit(30, 60_000) });
    for (const n of ['admin1', 'commander1', 'worker1', 'worker2', 'planner1']) tokens[n] = await login(s.base, n);
  }, 180_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const o311 = (p: string) => s.get(`/open311/v2/${p}`);
  const postForm = (fields: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${s.base}/open311/v2/requests.json`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString(),
  });
  const expectErrors = async (res: Response, status: number): Promise<string> => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    const body = JSON.parse(text);
    expect(Array.isArray(body), text).toBe(true);
    expect(body[0]).toMatchObject({ code: status });
    expect(typeof body[0].description).toBe('string');
    return body[0].description;
  };
  const readBack = async (id: string) => {
    const res = await o311(`requests/${id}.json`);
    expect(res.status).toBe(200);
    const [one] = await res.json();
    return one;
  };
  const transition = (token: string, id: number, body: unknown) => s.post(`/api/jurisdictions/${TINY.jcode}/events/${id}/transitions`, body, bearer(token));

  it('lists services and service definitions', async () => {
    const res = await o311('services.json');
    expect(res.status).toBe(200);
    const services = await res.json();
    const parking = services.find((x: any) => x.service_code === '09009');
    expect(parking).toMatchObject({ metadata: true, type: 'realtime' });
    expect(parking.service_name).toContain('机动车乱停放');
    expect(services.some((x: any) => x.service_code === '51001')).toBe(true);
    const def = await (await o311('services/09009.json')).json();
    expect(def.attributes.map((a: any) => a.code)).toEqual(['crs', 'priority']);
    await expectErrors(await o311('services/99999.json'), 404);
    await expectErrors(await o311('services.xml'), 400);
  });

  it('takes requests by point in WGS-84, GCJ-02 and BD-09 and by address, and reads them back with grid, stage and light', async () => {
    const cases: Array<[string, Record<string, string>]> = [['wgs84', {}], ['gcj02', {}], ['bd09', {}], ['address', {}]];
    const ids: string[] = [];
    for (const [kind] of cases) {
      const fields: Record<string, string> = { api_key: KEY, service_code: kind === 'address' ? '06010' : '06013', description: `路面坑洼 ${kind}` };
      if (kind === 'address') fields.address_string = '1-1-1号楼';
      else {
        const [x, y] = kind === 'wgs84' ? IN_G1 : parseCrs(kind).fromWgs84(IN_G1);
        Object.assign(fields, { lat: String(y), long: String(x), 'attribute[crs]': kind });
      }
      const res = await postForm(fields);
      const text = await res.text();
      expect(res.status, text).toBe(201);
      const [created] = JSON.parse(text);
      expect(created.service_request_id).toMatch(new RegExp(`^${TINY.jcode}-\\d+$`));
      ids.push(created.service_request_id);
      const one = await readBack(created.service_request_id);
      expect(one).toMatchObject({ status: 'open', extended_attributes: { grid_code: G1, stage: 'reported', light: 'green' } });
      expect(one.lat).toBeCloseTo(IN_G1[1], kind === 'address' ? 2 : 5);
      expect(one.long).toBeCloseTo(IN_G1[0], kind === 'address' ? 2 : 5);
      expect(one.expected_datetime > one.requested_datetime).toBe(true);
      expect(JSON.stringify(one)).not.toMatch(/first_name|reporter/);
    }
    // JSON bodies too
    const json = await s.post('/open311/v2/requests.json', { api_key: KEY, service_code: '09006', lat: IN_G2[1], long: IN_G2[0], description: '占道经营', media_url: 'https://example.org/p/1.jpg' });
    expect(json.status).toBe(201);
    const [j] = await json.json();
    const back = await readBack(j.service_request_id);
    expect(back.extended_attributes.grid_code).toBe(G2);
    expect(back.media_url).toBe('https://example.org/p/1.jpg');
    const list = await (await o311(`requests.json?service_request_id=${ids.join(',')}`)).json();
    expect(list.map((x: any) => x.service_request_id).sort()).toEqual([...ids].sort());
  });

  it('answers bad posts with the error array and 400 (403 for a wrong api_key), never a 5xx, and writes nothing', async () => {
    const before = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db)).rows[0].n);
    const point = { lat: String(IN_G1[1]), long: String(IN_G1[0]) };
    await expectErrors(await postForm({ api_key: KEY, ...point }), 400);
    await expectErrors(await postForm({ api_key: KEY, service_code: '12345', ...point }), 400);
    await expectErrors(await postForm({ api_key: KEY, service_code: '06013' }), 400);
    await expectErrors(await postForm({ api_key: KEY, service_code: '06013', lat: 'north', long: '116.3' }), 400);
    await expectErrors(await postForm({ api_key: KEY, service_code: '06013', lat: '95', long: '116.3' }), 400);
    await expectErrors(await postForm({ api_key: KEY, service_code: '06013', lat: '39.9', long: '116.0' }), 400);
    expect(await expectErrors(await postForm({ api_key: KEY, service_code: '06013', lat: '48.85', long: '2.35' }), 400)).toContain('outside every grid');
    await expectErrors(await postForm({ api_key: KEY, service_code: '06013', lat: '48.85', long: '2.35', 'attribute[crs]': 'gcj02' }), 400);
    await expectErrors(await postForm({ api_key: KEY, service_code: '06013', ...point, 'attribute[crs]': 'mars' }), 400);
    await expectErrors(await postForm({ api_key: KEY, service_code: '06013', address_string: '不存在的地址xyz' }), 400);
    for (const media of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://example.org/x.jpg', 'not a url']) {
      expect(await expectErrors(await postForm({ api_key: KEY, service_code: '06013', ...point, media_url: media }), 400)).toContain('media_url');
    }
    await expectErrors(await postForm({ service_code: '06013', ...point }), 400);
    await expectErrors(await postForm({ api_key: 'wrong-key-wrong-key-wrong-key', service_code: '06013', ...point }), 403);
    await expectErrors(await fetch(`${s.base}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"service_code": ' }), 400);
    await expectErrors(await o311('requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z'), 400);
    await expectErrors(await o311('requests.json?status=pending'), 400);
    await expectErrors(await o311('requests/abc.json'), 400);
    await expectErrors(await o311(`requests/${TINY.jcode}-999999.json`), 404);
    await expectErrors(await o311('nothing.json'), 404);
    expect(Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db)).rows[0].n)).toBe(before);
  });

  it('turns lights yellow and red as the clock moves, in Open311 and in the staff list', async () => {
    clock.set('2026-12-02T08:00:00Z');
    const [made] = await (await postForm({ api_key: KEY, service_code: '09009', lat: String(IN_G2[1] + 0.0004), long: String(IN_G2[0]), description: '违停' })).json();
    expect((await readBack(made.service_request_id)).extended_attributes.light).toBe('green');
    clock.advanceHours(1.7); // 09009: 2 h, yellow in the last 24 minutes
    expect((await readBack(made.service_request_id)).extended_attributes.light).toBe('yellow');
    clock.advanceHours(0.5);
    expect((await readBack(made.service_request_id)).extended_attributes.light).toBe('red');
    const red = await (await s.get(`/api/jurisdictions/${TINY.jcode}/events?light=red&grid=${G2}`, { headers: bearer(tokens.commander1) })).json();
    expect(red.events.map((e: any) => `${e.jcode}-${e.id}`)).toContain(made.service_request_id);
    const board = await (await s.get(`/api/jurisdictions/${TINY.jcode}/event-board`, { headers: bearer(tokens.commander1) })).json();
    expect(board.grids.find((g: any) => g.gridCode === G2).red).toBeGreaterThanOrEqual(1);
  });

  it('links a duplicate (same type, within 50 m and 24 h of an open one), reported both ways', async () => {
    clock.set('2026-12-03T08:00:00Z');
    const post = (dLat: number) => postForm({ api_key: KEY, service_code: '06036', lat: String(IN_G1[1] + dLat), long: String(IN_G1[0]), description: '乱堆杂物' });
    const [first] = await (await post(0)).json();
    clock.advanceHours(3);
    const [second] = await (await post(0.0002)).json(); // ~22 m away
    expect(second.service_notice).toBe(`duplicate of ${first.service_request_id}`);
    const [far] = await (await post(0.002)).json(); // ~220 m: not a duplicate
    expect(far.service_notice).toBe('');
    expect((await readBack(second.service_request_id)).extended_attributes.duplicate_of).toBe(first.service_request_id);
    expect((await readBack(first.service_request_id)).extended_attributes.duplicates).toEqual([second.service_request_id]);
    // a third one repeats and another type does not
    clock.advanceHours(1);
    const [third] = await (await post(-0.0001)).json();
    expect(third.service_notice).toBe(`duplicate of ${first.service_request_id}`);
    const hot = await (await s.get(`/api/jurisdictions/${TINY.jcode}/event-hotspots`, { headers: bearer(tokens.commander1) })).json();
    expect(hot.hotspots.find((h: any) => h.typeCode === '06036')).toMatchObject({ gridCode: G1, events: 3 });
  });

  it('limits grid workers to their grid, runs the seven stages with roles, and audits every transition', async () => {
    clock.set('2026-12-04T08:00:00Z');
    const report = await s.post(`/api/jurisdictions/${TINY.jcode}/events`, { typeCode: '52001', description: '楼道堆放杂物，消防隐患', lon: IN_G2[0], lat: IN_G2[1] + 0.0006, reporterName: '王小明', reporterPhone: '13800001111' }, bearer(tokens.worker2));
    expect(report.status, await report.clone().text()).toBe(201);
    const ev = await report.json();
    expect(ev).toMatchObject({ gridCode: G2, source: 'patrol', stage: 'reported', light: 'green' });
    const url = `/api/jurisdictions/${TINY.jcode}/events/${ev.id}`;
    // worker1 (G1) can neither read nor act on it; worker2 (G2) can
    expect((await s.get(url, { headers: bearer(tokens.worker1) })).status).toBe(404);
    const mine = await (await s.get(`/api/jurisdictions/${TINY.jcode}/events?limit=1000`, { headers: bearer(tokens.worker1) })).json();
    expect(mine.events.every((e: any) => e.gridCode === G1)).toBe(true);
    expect(mine.events.length).toBeGreaterThan(0);
    // asking for the other grid by name gives nothing either: list, map, board, hotspots, figures, photos
    const asked = `/api/jurisdictions/${TINY.jcode}`;
    expect((await (await s.get(`${asked}/events?grid=${G2}`, { headers: bearer(tokens.worker1) })).json()).events).toEqual([]);
    expect((await (await s.get(`${asked}/events.geojson?grid=${G2}`, { headers: bearer(tokens.worker1) })).json()).features).toEqual([]);
    expect((await (await s.get(`${asked}/event-board`, { headers: bearer(tokens.worker1) })).json()).grids.map((g: any) => g.gridCode)).toEqual([G1]);
    expect((await (await s.get(`${asked}/event-board?grid=${G2}`, { headers: bearer(tokens.worker1) })).json()).grids).toEqual([]);
    expect((await (await s.get(`${asked}/event-hotspots?grid=${G2}`, { headers: bearer(tokens.worker1) })).json()).hotspots).toEqual([]);
    const photo = new FormData();
    photo.append('photo', new Blob([Buffer.from('89504e470d0a1a0a', 'hex')], { type: 'image/png' }), 'p.png');
    expect((await fetch(`${s.base}${url}/photos`, { method: 'POST', headers: bearer(tokens.worker1), body: photo })).status).toBe(404);
    expect((await s.get(`${url}/photos/1`, { headers: bearer(tokens.worker1) })).status).toBe(404);
    expect((await transition(tokens.worker1, ev.id, { action: 'return', reason: '不是我的' })).status).toBe(403);
    const full = await (await s.get(url, { headers: bearer(tokens.worker2) })).json();
    expect(full.reporter).toEqual({ name: '王小明', phone: '13800001111' });
    const masked = await (await s.get(url, { headers: bearer(tokens.commander1) })).json();
    expect(masked.reporter).toEqual({ name: '王**', phone: '138****1111' });
    expect((await (await s.get(url, { headers: bearer(tokens.planner1) })).json()).reporter).toBeUndefined();

    for (const [who, body] of [['commander1', { action: 'accept' }], ['commander1', { action: 'register' }], ['commander1', { action: 'dispatch', to: { kind: 'grid_worker', name: 'worker2' } }]] as const) {
      expect((await transition(tokens[who], ev.id, body)).status).toBe(200);
    }
    expect((await transition(tokens.worker1, ev.id, { action: 'handle' })).status).toBe(403);
    expect((await transition(tokens.worker2, ev.id, { action: 'close' })).status).toBe(409);
    expect((await transition(tokens.worker2, ev.id, { action: 'handle', note: '已清理' })).status).toBe(200);
    expect((await transition(tokens.worker2, ev.id, { action: 'verify' })).status).toBe(403);
    expect((await transition(tokens.commander1, ev.id, { action: 'verify' })).status).toBe(200);
    // 52 (safety hazards) close only with a photo of the result
    expect((await transition(tokens.commander1, ev.id, { action: 'close' })).status).toBe(400);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const form = new FormData();
    form.append('kind', 'result');
    form.append('photo', new Blob([png], { type: 'image/png' }), 'r.png');
    expect((await fetch(`${s.base}${url}/photos`, { method: 'POST', headers: bearer(tokens.worker2), body: form })).status).toBe(201);
    const closed = await transition(tokens.commander1, ev.id, { action: 'close' });
    expect(closed.status).toBe(200);
    expect((await closed.json()).event).toMatchObject({ stage: 'closed', onTime: true, light: null });
    expect((await transition(tokens.commander1, ev.id, { action: 'evaluate', rating: 5 })).status).toBe(200);
    const after = await (await s.get(url, { headers: bearer(tokens.admin1) })).json();
    expect(after.history.map((h: any) => h.action)).toEqual(['report', 'accept', 'register', 'dispatch', 'handle', 'verify', 'close', 'evaluate']);
    const { rows } = await sql<{ action: string; outcome: string }>`SELECT action, outcome FROM audit_log WHERE ${ev.id}::bigint = ANY (record_ids) ORDER BY seq`.execute(database.db);
    expect(rows.filter((r) => r.outcome === 'ok').map((r) => r.action)).toEqual(expect.arrayContaining(['event accept reported→accepted', 'event close verified→closed', 'event evaluate closed→evaluated']));
    expect(rows.some((r) => r.outcome === 'denied')).toBe(true);
    expect((await verifyAuditChain(database.db, auditChainOf(undefined, s.dataDir))).ok).toBe(true);
    // Open311 shows it closed, with no personal data
    const pub = await readBack(`${TINY.jcode}-${ev.id}`);
    expect(pub).toMatchObject({ status: 'closed', extended_attributes: { stage: 'evaluated', light: null } });
    expect(JSON.stringify(pub)).not.toContain('王小明');
    const closedList = await (await o311(`requests.json?status=closed&service_code=52001&jurisdiction_id=${TINY.jcode}`)).json();
    expect(closedList.map((x: any) => x.service_request_id)).toContain(`${TINY.jcode}-${ev.id}`);
  });

  it('gives figures per grid and community as JSON, CSV and .xlsx: by class, on-time rate, mean hours per stage, hotspots', async () => {
    const base = `/api/jurisdictions/${TINY.jcode}/event-figures?from=2026-11-30T00:00:00Z&to=2026-12-05T00:00:00Z`;
    const f = await (await s.get(`${base}&by=grid`, { headers: bearer(tokens.commander1) })).json();
    const g2 = f.rows.find((r: any) => r.key === G2);
    expect(g2).toMatchObject({ closed: 1, closedOnTime: 1, onTimeRate: 1 });
    expect(g2.byClass['52']).toBe(1);
    expect(Object.keys(g2.meanHours)).toEqual(expect.arrayContaining(['accept', 'dispatch', 'handle', 'close']));
    expect(f.hotspots.some((h: any) => h.typeCode === '06036' && /^89/.test(h.h3))).toBe(true);
    const byCommunity = await (await s.get(`${base}&by=community`, { headers: bearer(tokens.commander1) })).json();
    expect(byCommunity.rows.map((r: any) => r.key).sort()).toEqual([...TINY.communities].sort());
    // a worker's figures are of their own grid only
    const mine = await (await s.get(`${base}&by=grid`, { headers: bearer(tokens.worker1) })).json();
    expect(mine.rows.map((r: any) => r.key)).toEqual([G1]);
    const csvRes = await s.get(`${base}&by=grid&format=csv`, { headers: bearer(tokens.commander1) });
    expect(csvRes.headers.get('content-type')).toMatch(/text\/csv/);
    const csvText = await csvRes.text();
    expect(csvText.split('\r\n')[0]).toContain('on_time_rate');
    expect(csvText).toContain(G2);
    const x = await s.get(`${base}&by=grid&format=xlsx`, { headers: bearer(tokens.commander1) });
    expect(x.headers.get('content-disposition')).toMatch(/\.xlsx/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['统计 figures', '热点 hotspots']);
    expect(wb.worksheets[0].rowCount).toBe(f.rows.length + 1);
    expect((await s.get(`${base}&by=planet`, { headers: bearer(tokens.commander1) })).status).toBe(400);
  });

  it("lets an admin set a type's deadline and yellow share in the jurisdiction; later reports follow it, earlier ones keep theirs", async () => {
    clock.set('2026-12-05T08:00:00Z');
    const settings = `/api/jurisdictions/${TINY.jcode}/event-type-settings`;
    const put = (token: string, code: string, body: unknown) => fetch(`${s.base}${settings}/${code}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify(body) });
    const post = async () => (await (await postForm({ api_key: KEY, service_code: '07003', lat: String(IN_G2[1] - 0.0003), long: String(IN_G2[0]), description: '违规广告牌' })).json())[0].service_request_id;
    const before = await readBack(await post());
    const table = (await (await s.get(settings, { headers: bearer(tokens.commander1) })).json()).types.find((t: any) => t.typeCode === '07003');
    expect(table.local).toEqual({ deadlineHours: null, yellowShare: null, resultPhotoRequired: null });
    expect(Date.parse(before.expected_datetime) - Date.parse(before.requested_datetime)).toBe(table.settings.deadlineHours * 3_600_000);
    expect((await put(tokens.commander1, '07003', { deadlineHours: 10 })).status).toBe(403);
    expect((await put(tokens.admin1, '07003', { deadlineHours: -1 })).status).toBe(400);
    expect((await put(tokens.admin1, '07003', { deadlineHours: 10, colour: 'red' })).status).toBe(400);
    expect((await put(tokens.admin1, '99999', { deadlineHours: 10 })).status).toBe(400);
    const set = await put(tokens.admin1, '07003', { deadlineHours: 10, yellowShare: 0.5 });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ typeCode: '07003', settings: { deadlineHours: 10, yellowShare: 0.5 }, local: { deadlineHours: 10, yellowShare: 0.5, resultPhotoRequired: null } });
    const after = await readBack(await post());
    expect(Date.parse(after.expected_datetime) - Date.parse(after.requested_datetime)).toBe(10 * 3_600_000);
    clock.advanceHours(5.5); // past half of its 10 h: yellow; the one reported before keeps its own deadline
    expect((await readBack(after.service_request_id)).extended_attributes.light).toBe('yellow');
    expect((await readBack(before.service_request_id)).expected_datetime).toBe(before.expected_datetime);
    // back to the code table's values
    expect(await (await put(tokens.admin1, '07003', { deadlineHours: null, yellowShare: null })).json()).toMatchObject({ settings: table.settings });
    const { rows } = await sql<{ action: string }>`SELECT action FROM audit_log WHERE action LIKE 'event type settings 07003%' ORDER BY seq`.execute(database.db);
    expect(rows.length).toBe(2);
  });

  it('rate-limits residents and gives 429 in the error array', async () => {
    const limited = await startTestServer(database, { clock, open311RateLimit: new PostRateLimit(2, 60_000) });
    try {
      const post = () => fetch(`${limited.base}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ api_key: KEY, service_code: '53001', lat: String(IN_G1[1]), long: String(IN_G1[0]), description: '建议增设座椅' }).toString() });
      expect((await post()).status).toBe(201);
      expect((await post()).status).toBe(201);
      const third = await post();
      expect(third.headers.get('retry-after')).toBeTruthy();
      await expectErrors(third, 429);
      // a city app posting for its users from one address: each resident (device_id) has a share of their own …
      const forDevice = (device: string) => fetch(`${limited.base}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ api_key: KEY, device_id: device, service_code: '53001', lat: String(IN_G1[1]), long: String(IN_G1[0]), description: '路灯不亮' }).toString() });
      expect((await forDevice('phone-a')).status).toBe(201);
      expect((await forDevice('phone-a')).status).toBe(201);
      await expectErrors(await forDevice('phone-a'), 429);
      expect((await forDevice('phone-b')).status).toBe(201);
    } finally {
      await limited.app.stop();
    }
  });
});

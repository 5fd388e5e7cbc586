// Issue 17, finding 2: the written policy for personal data on open routes (api/auth/personal-data.ts, README
// "Personal data on open routes"). Without an account: no job list, no merge roster names or phones, no staff
// names or personal phones in bundles and lookups (the grid's service phone instead), no patrol paths or workers;
// and no route of the OpenAPI document gives any of them to an anonymous caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { bodyText, expectProblem, readEvents, startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY, type TinyTown } from '../test/tiny-town.ts';
import { bearer, createAccounts, G1, G2, loadPeople, login, PASSWORD, type Person } from '../auth/test-people.ts';
import { createUser } from '../auth/users.ts';
import { loadAuthConfig } from '../auth/auth-config.ts';

const J = TINY.jcode;
const DAY = '2026-10-30';
const STAFF = [
  { name: '王网格员', phone: '13800000001', role: 'member', department: '专职网格员' },
  { name: '李组长甲', phone: '13800000002', role: 'leader', department: '社区居委会' },
];
const WORKER = '巡查员周某某';
const SERVICE_PHONE = '010-62000001';
const ROSTER = { grid: G1, role: 'leader', name: '赵负责人', phone: '13911112222', layer: 'security', zone: 'Z1', households: 10 };

describe.each(testEngines())('personal data on open routes on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let town: TinyTown;
  let people: Person[];
  const tokens: Record<string, string> = {};
  let jobId: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    town = await loadTinyTown(database.db);
    people = await loadPeople(database.db);
    await createAccounts(database.db);
    await createUser(database.db, { name: 'elsewhere', role: 'commander', password: PASSWORD, jcode: '999999999999' });
    await bulkInsert(database.db, 'grid_staff', [{ name: 'jcode', kind: 'text' }, { name: 'grid_code', kind: 'text' }, { name: 'name', kind: 'text' },
      { name: 'role', kind: 'text' }, { name: 'department', kind: 'text' }, { name: 'phone', kind: 'text' }], STAFF.map((x) => ({ jcode: J, grid_code: G1, ...x })));
    await sql`INSERT INTO grid_service_phones (jcode, grid_code, phone) VALUES (${J}, ${G1}, ${SERVICE_PHONE})`.execute(database.db);
    await bulkInsert(database.db, 'patrol_tracks', [{ name: 'jcode', kind: 'text' }, { name: 'worker', kind: 'text' }, { name: 'day', kind: 'date' },
      { name: 'started_at', kind: 'timestamptz' }, { name: 'times', kind: 'double precision[]' }, { name: 'geom', kind: 'geometry' }], [
      { jcode: J, worker: WORKER, day: DAY, started_at: `${DAY}T09:00:00+08:00`, times: [0, 60], geom: { type: 'LineString', coordinates: [[TINY.x0 + 0.001, TINY.y0 + 0.001], [TINY.x0 + 0.002, TINY.y0 + 0.0017]] } },
    ]);
    s = await startTestServer(database);
    for (const n of ['admin1', 'planner1', 'commander1', 'worker1', 'worker2', 'elsewhere']) tokens[n] = await login(s.base, n);
    // a finished merge job whose result carries the "1 + N" roster
    jobId = s.app.jobs.submit('merge', J, { layers: ['security'] }, async () => ({ planId: 1, roster: [ROSTER] })).id;
    await s.app.jobs.idle();
  }, 180_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const as = (who: string | null) => (who ? { headers: bearer(tokens[who]) } : {});
  const noPeople = (text: string, what: string) => {
    for (const x of STAFF) {
      expect(text.includes(x.phone), `${what} holds a staff phone`).toBe(false);
      expect(text.includes(x.name), `${what} holds a staff name`).toBe(false);
    }
    expect(text.includes(WORKER), `${what} holds a patrol worker`).toBe(false);
    expect(text.includes(ROSTER.name) || text.includes(ROSTER.phone), `${what} holds a roster entry`).toBe(false);
    for (const p of people) {
      expect(text.includes(p.phone) || text.includes(p.idNumber) || text.includes(p.name), `${what} holds a resident`).toBe(false);
    }
  };

  it('lists jobs only to accounts, and only their jurisdiction', async () => {
    await expectProblem(await s.get('/api/jobs'), 401, 'unauthorized', 'Authorization');
    const mine = await (await s.get('/api/jobs', as('planner1'))).json();
    expect(mine.jobs.map((j: any) => j.id)).toContain(jobId);
    const other = await (await s.get('/api/jobs', as('elsewhere'))).json();
    expect(other.jobs).toEqual([]);
    await expectProblem(await s.get(`/api/jobs?jcode=${J}`, as('elsewhere')), 403, 'forbidden', 'jcode');
  });

  it("masks a merge roster's names and phones unless an admin or planner of the jurisdiction reads it", async () => {
    for (const who of [null, 'commander1', 'worker1', 'elsewhere']) {
      const job = await (await s.get(`/api/jobs/${jobId}`, as(who))).json();
      expect(job.result.roster[0], String(who)).toMatchObject({ grid: G1, name: '赵***', phone: '139****2222' });
      noPeople(JSON.stringify(job), `job as ${who}`);
    }
    const events = await readEvents(await s.get(`/api/jobs/${jobId}/events`));
    expect(events.at(-1)!.event).toBe('done');
    noPeople(JSON.stringify(events), 'job events');
    for (const who of ['admin1', 'planner1']) {
      expect((await (await s.get(`/api/jobs/${jobId}`, as(who))).json()).result.roster[0]).toMatchObject({ name: ROSTER.name, phone: ROSTER.phone });
    }
    const listed = await (await s.get('/api/jobs', as('commander1'))).json();
    noPeople(JSON.stringify(listed), 'job list as commander');
  });

  it("gives a citizen a grid's bundle with masked staff, the service phone and the number of patrols, not their paths", async () => {
    const res = await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=${DAY}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    noPeople(text, 'the anonymous bundle');
    const b = JSON.parse(text);
    expect(b.view).toEqual({ contacts: 'public', patrols: 'count' });
    expect(b.servicePhone).toBe(SERVICE_PHONE);
    expect(b.staff.map((x: any) => [x.role, x.name, x.phone])).toEqual([['leader', '李***', null], ['member', '王***', null]]);
    expect(b.patrolCount).toBe(1);
    expect(b.patrols.features).toEqual([]);
    // an account of another jurisdiction is a citizen here
    noPeople(await (await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=${DAY}`, as('elsewhere'))).text(), 'the bundle for another jurisdiction');
    // the grid's own worker and the command centre see the tracks; another grid's worker sees contacts only
    for (const who of ['worker1', 'commander1']) {
      const full = await (await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=${DAY}`, as(who))).json();
      expect(full.patrols.features.map((f: any) => f.properties.worker), who).toEqual([WORKER]);
      expect(full.staff.map((x: any) => x.phone)).toEqual(['13800000002', '13800000001']);
    }
    const w2 = await (await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=${DAY}`, as('worker2'))).json();
    expect(w2.patrols.features).toEqual([]);
    expect(w2.staff[0].phone).toBe('13800000002');
  });

  it('gives a citizen looking up a position masked staff and the service phone', async () => {
    const at = `lon=${TINY.x0 + TINY.dx * 0.6}&lat=${TINY.y0 + TINY.dy * 0.45}`;
    const text = await (await s.get(`/api/lookup?${at}`)).text();
    noPeople(text, 'the anonymous lookup');
    const a = JSON.parse(text);
    expect(a.grid).toMatchObject({ code: G1, servicePhone: SERVICE_PHONE });
    expect(a.staff.map((x: any) => x.name)).toEqual(['李***', '王***']);
    noPeople(await (await s.get(`/api/lookup?${at}`, as('elsewhere'))).text(), 'the lookup for another jurisdiction');
    const staff = await (await s.get(`/api/lookup?${at}`, as('planner1'))).json();
    expect(staff.staff.map((x: any) => x.phone)).toEqual(['13800000002', '13800000001']);
  });

  it('keeps drafts (reads, exports, diffs, a bundle of a draft) to accounts of their jurisdiction; published plans stay open; no plan read carries people', async () => {
    const P = `/api/jurisdictions/${J}/plans`;
    const reads = (id: number) => ['', '/grids.geojson', '/blocks.geojson', '/export.geojson', '/export.kml', '/export.gpkg', `/diff?against=${town.publishedPlanId}`].map((x) => `${P}/${id}${x}`);
    const bundle = (id: number, code: string) => `/api/grids/${code}/bundle?jcode=${J}&planId=${id}`;
    const get = (u: string, who: string | null) => s.get(u, as(who));
    const ids = async (who: string | null) => ((await (await get(P, who)).json()).plans as Array<{ id: number }>).map((p) => p.id);
    // by default (DRAFTS_REQUIRE_LOGIN unset): drafts need an account of their jurisdiction
    expect(await ids(null)).toEqual([town.publishedPlanId]);
    expect(await ids('elsewhere')).toEqual([town.publishedPlanId]);
    for (const who of ['planner1', 'commander1', 'worker1']) expect((await ids(who)).sort(), who).toEqual([town.publishedPlanId, town.draftPlanId].sort());
    for (const u of [...reads(town.draftPlanId), bundle(town.draftPlanId, 'DRAFT001')]) {
      await expectProblem(await get(u, null), 401, 'unauthorized', 'Authorization');
      await expectProblem(await get(u, 'elsewhere'), 403, 'forbidden', 'planId');
      const res = await get(u, 'planner1');
      expect(res.status, u).toBe(200);
      noPeople(Buffer.from(await res.arrayBuffer()).toString('utf8'), `GET ${u} as a planner`);
    }
    // the public map and its exports stay open; a diff against a draft does not; a plan that does not exist is 404
    for (const u of [...reads(town.publishedPlanId).slice(0, -1), bundle(town.publishedPlanId, G1)]) expect((await get(u, null)).status, u).toBe(200);
    await expectProblem(await get(`${P}/${town.publishedPlanId}/diff?against=${town.draftPlanId}`, null), 401, 'unauthorized', 'Authorization');
    await expectProblem(await get(bundle(999_999, G1), null), 404, 'not_found', 'code');

    // DRAFTS_REQUIRE_LOGIN=0, the explicit opt-out: drafts read as before, and carry no personal data
    expect(loadAuthConfig({}).draftsRequireLogin).toBe(true);
    expect(loadAuthConfig({ DRAFTS_REQUIRE_LOGIN: '0' }).draftsRequireLogin).toBe(false);
    const open = await startTestServer(database, { auth: { draftsRequireLogin: false } });
    try {
      for (const u of [...reads(town.draftPlanId), bundle(town.draftPlanId, 'DRAFT001')]) {
        const res = await open.get(u);
        expect(res.status, u).toBe(200);
        noPeople(Buffer.from(await res.arrayBuffer()).toString('utf8'), `GET ${u}`);
      }
      expect(((await (await open.get(P)).json()).plans as Array<{ id: number }>).map((p) => p.id).sort()).toEqual([town.publishedPlanId, town.draftPlanId].sort());
    } finally {
      await open.app.stop();
    }
  });

  it('gives an anonymous caller no personal data on any GET route of the OpenAPI document', async () => {
    const doc = await (await s.get('/api/openapi.json')).json();
    const values: Record<string, string[]> = {
      jcode: [J], planId: [String(town.publishedPlanId)], code: [G1, G2], collectionId: ['grids', 'blocks', 'streets', 'units', 'hazards', 'cameras'],
      featureId: ['1'], id: [jobId], z: ['15'], x: ['26969'], y: ['12398'],
    };
    let ok = 0;
    for (const [p, ops] of Object.entries<any>(doc.paths)) {
      if (!ops.get) continue;
      let urls = [p];
      for (const prm of ops.get.parameters ?? []) {
        if (prm.in !== 'path') continue;
        const v: string[] = prm.schema?.enum ?? values[prm.name] ?? ['1'];
        urls = urls.flatMap((u) => v.map((x) => u.replace(`{${prm.name}}`, x)));
      }
      const query = p === '/api/lookup' ? `lon=${TINY.x0 + 0.001}&lat=${TINY.y0 + 0.001}` : p.endsWith('/diff') ? `against=${town.draftPlanId}` : `jcode=${J}&day=${DAY}`;
      for (const u of urls) {
        const res = await s.get(`${u}?${query}`);
        expect(res.status, u).toBeLessThan(500);
        if (res.status === 200) ok += 1;
        noPeople(await bodyText(res), `GET ${u}`);
      }
    }
    expect(ok).toBeGreaterThan(25);
  });
});

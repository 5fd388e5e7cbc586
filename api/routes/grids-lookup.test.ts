// Grid bundles, lookup by position (WGS-84, GCJ-02, BD-09) and by address text, and the OpenAPI document
// (every express route described), on each engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { parseCrs } from '../../data/crs/parse-crs.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { createUser } from '../auth/users.ts';
import { bearer, login, PASSWORD } from '../auth/test-people.ts';

const J = TINY.jcode;
const G1 = `${TINY.communities[0]}001`; // the south-west quarter of the published plan
const sw: [number, number] = [TINY.x0 + TINY.dx * 0.6, TINY.y0 + TINY.dy * 0.45];
const DAY = '2026-10-30';

describe.each(testEngines())('grid bundle, lookup and OpenAPI on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let staffToken: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    const ap = await database.db.selectFrom('address_points').select('id').where('jcode', '=', J).orderBy('id').limit(1).executeTakeFirstOrThrow();
    await bulkInsert(database.db, 'households', [{ name: 'jcode', kind: 'text' }, { name: 'address_point_id', kind: 'bigint' }, { name: 'tags', kind: 'text[]' }], [
      { jcode: J, address_point_id: Number(ap.id), tags: ['elderly_alone', 'veteran'] },
      { jcode: J, address_point_id: Number(ap.id), tags: ['elderly_alone'] },
      { jcode: J, address_point_id: Number(ap.id), tags: [] },
    ]);
    await bulkInsert(database.db, 'grid_staff', [{ name: 'jcode', kind: 'text' }, { name: 'grid_code', kind: 'text' }, { name: 'name', kind: 'text' },
      { name: 'role', kind: 'text' }, { name: 'department', kind: 'text' }, { name: 'phone', kind: 'text' }], [
      { jcode: J, grid_code: G1, name: '王网格', role: 'member', department: '专职网格员', phone: '13800000001' },
      { jcode: J, grid_code: G1, name: '李组长', role: 'leader', department: '社区居委会', phone: '13800000002' },
    ]);
    await bulkInsert(database.db, 'patrol_tracks', [{ name: 'jcode', kind: 'text' }, { name: 'worker', kind: 'text' }, { name: 'day', kind: 'date' },
      { name: 'started_at', kind: 'timestamptz' }, { name: 'times', kind: 'double precision[]' }, { name: 'geom', kind: 'geometry' }], [
      { jcode: J, worker: '王网格', day: DAY, started_at: `${DAY}T09:00:00+08:00`, times: [0, 60], geom: { type: 'LineString', coordinates: [[TINY.x0 + 0.001, TINY.y0 + 0.001], [TINY.x0 + 0.002, TINY.y0 + 0.002]] } },
      { jcode: J, worker: '王网格', day: '2026-10-29', started_at: '2026-10-29T09:00:00+08:00', times: [0, 60], geom: { type: 'LineString', coordinates: [[TINY.x0 + 0.001, TINY.y0 + 0.001], [TINY.x0 + 0.002, TINY.y0 + 0.002]] } },
    ]);
    s = await startTestServer(database);
    await createUser(database.db, { name: 'lookup-commander', role: 'commander', password: PASSWORD, jcode: J });
    staffToken = await login(s.base, 'lookup-commander');
  });
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  it('answers the grid, community, jurisdiction and staff at a WGS-84 position', async () => {
    const res = await s.get(`/api/lookup?lon=${sw[0]}&lat=${sw[1]}`);
    expect(res.status).toBe(200);
    const a = await res.json();
    expect(a).toMatchObject({ crs: 'wgs84', jurisdiction: { jcode: J, code: J, name: TINY.name }, community: { code: TINY.communities[0] }, township: null, grid: { code: G1, households: 1000 } });
    expect(a.staff.map((x: any) => x.role)).toEqual(['leader', 'member']);
    // a citizen: masked names, no personal phones (api/auth/personal-data.ts)
    expect(a.staff[0]).toEqual({ name: '李**', role: 'leader', department: '社区居委会', phone: null });
    const staff = await (await s.get(`/api/lookup?lon=${sw[0]}&lat=${sw[1]}`, { headers: bearer(staffToken) })).json();
    expect(staff.staff[0]).toEqual({ name: '李组长', role: 'leader', department: '社区居委会', phone: '13800000002' });
  });

  it('converts GCJ-02 and BD-09 positions to WGS-84 first', async () => {
    for (const crs of ['gcj02', 'bd09'] as const) {
      const [x, y] = parseCrs(crs).fromWgs84(sw);
      expect(Math.abs(x - sw[0]) + Math.abs(y - sw[1])).toBeGreaterThan(0.001); // the offset is hundreds of metres
      const a = await (await s.get(`/api/lookup?lon=${x}&lat=${y}&crs=${crs}`)).json();
      expect(a.crs).toBe(crs);
      expect(a.grid.code).toBe(G1);
      expect(a.lon).toBeCloseTo(sw[0], 5);
      expect(a.lat).toBeCloseTo(sw[1], 5);
    }
  });

  it('refuses bad positions with 400 naming the parameter, and 404 where nothing is loaded', async () => {
    await expectProblem(await s.get('/api/lookup?lon=abc&lat=39.98'), 400, 'bad_request', 'lon');
    await expectProblem(await s.get('/api/lookup?lon=116.3&lat=95'), 400, 'bad_request', 'lat');
    await expectProblem(await s.get('/api/lookup?lon=181&lat=39'), 400, 'bad_request', 'lon');
    await expectProblem(await s.get('/api/lookup?lon=116.3'), 400, 'bad_request', 'lat');
    await expectProblem(await s.get('/api/lookup?lon=116.3&lat=1e999'), 400, 'bad_request', 'lat');
    await expectProblem(await s.get('/api/lookup?lon=116.3&lat=39.9&crs=mars'), 400, 'bad_request', 'crs');
    await expectProblem(await s.get('/api/lookup?lon=2.35&lat=48.85&crs=gcj02'), 400, 'bad_request', 'lon');
    await expectProblem(await s.get('/api/lookup?lon=100&lat=20'), 404, 'not_found', 'lon');
  });

  it('finds address points by text, with their grid', async () => {
    const a = await (await s.get(`/api/lookup?q=${encodeURIComponent('1-1-1号楼')}`)).json();
    expect(a.matches).toHaveLength(1);
    expect(a.matches[0]).toMatchObject({ jcode: J, name: '1-1-1号楼', grid: { code: G1 } });
    const many = await (await s.get(`/api/lookup?q=${encodeURIComponent('号楼')}&limit=5&jcode=${J}`)).json();
    expect(many.matches).toHaveLength(5);
    const none = await (await s.get(`/api/lookup?q=${encodeURIComponent('%_')}`)).json();
    expect(none.matches).toHaveLength(0);
    await expectProblem(await s.get(`/api/lookup?q=${'x'.repeat(101)}`), 400, 'bad_request', 'q');
  });

  it("serves a grid's bundle: boundary, household counts by tag, staff, hazards, cameras and the day's patrols", async () => {
    const res = await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=${DAY}`);
    expect(res.status).toBe(200);
    const b = await res.json();
    expect(b.grid.properties).toMatchObject({ code: G1, households: 1000, community: TINY.communities[0] });
    expect(b.grid.geometry.type).toBe('MultiPolygon');
    expect(b.households.byTag).toEqual({ elderly_alone: 2, veteran: 1 });
    expect(b.households.registered).toBe(3);
    expect(b.households.addressPoints).toBeGreaterThan(0);
    expect(b.staff.map((x: any) => x.name)).toEqual(['李**', '王**']); // a citizen's view
    expect(b.staff.every((x: any) => x.phone === null)).toBe(true);
    expect(b.hazards.features).toHaveLength(0); // the fire is in the north-west quarter, the flood in the south-east
    const nw = await (await s.get(`/api/grids/${TINY.communities[0]}003/bundle?jcode=${J}&day=${DAY}`)).json();
    expect(nw.hazards.features.map((f: any) => f.properties.kind)).toEqual(['fire']);
    expect(nw.hazards.features[0].properties).not.toHaveProperty('description');
    expect(b.cameras.features.map((f: any) => f.properties.code)).toEqual(['C1', 'C2']); // C2 stands on the grid's corner: on the boundary counts as inside
    expect(b.patrols.features).toHaveLength(0); // a citizen gets the count, not the paths
    expect(b.patrolCount).toBe(1);
    const full = await (await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=${DAY}`, { headers: bearer(staffToken) })).json();
    expect(full.staff.map((x: any) => x.name)).toEqual(['李组长', '王网格']);
    expect(full.patrols.features).toHaveLength(1);
    expect(full.patrols.features[0].properties.day).toBe(DAY);
    expect(JSON.stringify(b)).not.toMatch(/id_number|birth/);
    const other = await (await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=2026-01-01`, { headers: bearer(staffToken) })).json();
    expect(other.patrols.features).toHaveLength(0);
  });

  it('refuses bad bundle requests', async () => {
    await expectProblem(await s.get(`/api/grids/${G1}/bundle`), 400, 'bad_request', 'jcode');
    await expectProblem(await s.get(`/api/grids/${G1}/bundle?jcode=${J}&day=yesterday`), 400, 'bad_request', 'day');
    await expectProblem(await s.get(`/api/grids/NOPE001/bundle?jcode=${J}`), 404, 'not_found', 'code');
    await expectProblem(await s.get(`/api/grids/DRAFT001/bundle?jcode=${J}`), 404, 'not_found', 'code');
    await expectProblem(await s.get(`/api/grids/${G1}/bundle?jcode=${J}&planId=x`), 400, 'bad_request', 'planId');
  });

  it('describes every express route in /api/openapi.json', async () => {
    const res = await s.get('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = JSON.parse(await res.text());
    expect(doc.openapi).toMatch(/^3\.0/);
    const routes: string[] = [];
    const walk = (stack: any[]) => {
      for (const layer of stack) {
        if (layer.route) for (const m of Object.keys(layer.route.methods)) routes.push(`${m} ${layer.route.path}`);
        else if (layer.handle?.stack) walk(layer.handle.stack);
      }
    };
    walk((s.app.express as any).router.stack);
    expect(routes.length).toBeGreaterThan(25);
    for (const r of routes) {
      const [method, p] = r.split(' ');
      const oas = p.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[oas]?.[method], r).toBeTruthy();
    }
  });
});

// The wall screen's figures (GET /api/jurisdictions/{jcode}/wall-figures) on each engine, over the tiny town's
// published plan of four quarter grids with staff, hazards and patrol tracks placed so every count is known:
// the day rule (requested, else the latest earlier, else the latest), distinct workers, open hazards per grid,
// patrols per grid and compliance, refusals as problem+json, and no personal data in the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { createUser } from '../auth/users.ts';
import { patrolCompliance, patrolDay, wallFigures } from '../repos/wall-figures.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';

const J = TINY.jcode;
const [C1, C2] = TINY.communities;
// the published quarters (api/test/tiny-town.ts): south-west, south-east, north-west, north-east
const SW = `${C1}001`, SE = `${C2}002`, NW = `${C1}003`, NE = `${C2}004`;
const X = (i: number) => TINY.x0 + i * TINY.dx;
const Y = (j: number) => TINY.y0 + j * TINY.dy;
const DAY = '2026-10-30';
const EARLIER = '2026-10-28';

describe.each(testEngines())('wall figures on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  const figures = async (query = '') => {
    const res = await s.get(`/api/jurisdictions/${J}/wall-figures${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return res.json();
  };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    const staffCols = [{ name: 'jcode', kind: 'text' }, { name: 'grid_code', kind: 'text' }, { name: 'name', kind: 'text' },
      { name: 'role', kind: 'text' }, { name: 'department', kind: 'text' }, { name: 'phone', kind: 'text' }] as const;
    await bulkInsert(database.db, 'grid_staff', [...staffCols], [
      { jcode: J, grid_code: SW, name: '王网格', role: 'member', department: '专职网格员', phone: '13800000001' },
      { jcode: J, grid_code: SW, name: '李组长', role: 'leader', department: '社区居委会', phone: '13800000002' },
      // the same officer serves two grids: one worker, not two
      { jcode: J, grid_code: SE, name: '赵民警', role: 'specialist', department: '派出所社区民警', phone: '13800000003' },
      { jcode: J, grid_code: NE, name: '赵民警', role: 'specialist', department: '派出所社区民警', phone: '13800000003' },
      // staff of a draft plan's grid are not counted
      { jcode: J, grid_code: 'DRAFT001', name: '草稿员', role: 'member', department: '专职网格员', phone: '13800000009' },
    ]);
    await bulkInsert(database.db, 'hazards', [{ name: 'jcode', kind: 'text' }, { name: 'kind', kind: 'text' }, { name: 'severity', kind: 'integer' },
      { name: 'status', kind: 'text' }, { name: 'geom', kind: 'geometry' }], [
      { jcode: J, kind: 'fire', severity: 5, status: 'closed', geom: { type: 'Point', coordinates: [X(0.5), Y(0.5)] } },
    ]);
    const line = (pts: Array<[number, number]>) => ({ type: 'LineString', coordinates: pts.map(([i, j]) => [X(i), Y(j)]) });
    const track = (jcode: string, day: string, pts: Array<[number, number]>) => ({ jcode, worker: '王网格', day, started_at: `${day}T09:00:00+08:00`, times: pts.map((_, k) => k * 60), geom: line(pts) });
    await bulkInsert(database.db, 'patrol_tracks', [{ name: 'jcode', kind: 'text' }, { name: 'worker', kind: 'text' }, { name: 'day', kind: 'date' },
      { name: 'started_at', kind: 'timestamptz' }, { name: 'times', kind: 'double precision[]' }, { name: 'geom', kind: 'geometry' }], [
      track(J, DAY, [[0.5, 0.5], [3.5, 0.5]]), // south-west and south-east
      track(J, DAY, [[0.3, 0.3], [1.5, 1.5]]), // south-west only
      track(J, EARLIER, [[0.5, 3.5], [1.5, 3.5]]), // north-west, two days before
      track(J, EARLIER, [[1.9, 3.5], [3.5, 3.5]]), // north-east, cutting 6% of its length through the north-west
      track('999999999999', DAY, [[0.5, 2.5], [3.5, 2.5]]), // another jurisdiction's track over the north
    ]);
    await createUser(database.db, { name: 'other-commander', role: 'commander', jcode: '999999999999', grids: [], password: 'commander password 1' });
    s = await startTestServer(database);
  });
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  it('answers the panel figures and every grid of the published plan for a day with tracks', async () => {
    const f = await figures(`?day=${DAY}`);
    expect(f).toMatchObject({ jcode: J, requestedDay: DAY, day: DAY, expectedPatrols: 2, grids: 4, workers: 3, households: 1000 + 1001 + 1002 + 1003, patrolsToday: 2, openHazards: 3 });
    expect(typeof f.planId).toBe('number');
    const by = Object.fromEntries(f.perGrid.map((g: any) => [g.code, g]));
    expect(Object.keys(by).sort()).toEqual([SW, SE, NW, NE].sort());
    expect(by[SW]).toEqual({ code: SW, households: 1000, hazards: 0, patrols: 2, compliance: 1 });
    expect(by[SE]).toEqual({ code: SE, households: 1001, hazards: 1, patrols: 1, compliance: 0.5 });
    expect(by[NW]).toEqual({ code: NW, households: 1002, hazards: 1, patrols: 0, compliance: 0 });
    expect(by[NE]).toEqual({ code: NE, households: 1003, hazards: 1, patrols: 0, compliance: 0 });
    expect(f.compliance).toBe(0.375);
    expect(f.gridsFullyPatrolled).toBe(1);
    // counted a grid per statement (as the embedded engine does a few at a time, for lookups meanwhile): the same
    for (const per of [1, 3]) expect(await wallFigures(database.db, J, DAY, 2, per)).toEqual(f);
  });

  it('uses the latest earlier day with tracks, else the latest day, and says which', async () => {
    const before = await figures('?day=2026-10-29');
    expect(before).toMatchObject({ requestedDay: '2026-10-29', day: EARLIER, patrolsToday: 2 });
    expect(before.perGrid.find((g: any) => g.code === NW).patrols).toBe(1); // the north-east patrol only crossed it
    expect(before.perGrid.find((g: any) => g.code === NE).patrols).toBe(1);
    expect(before.perGrid.find((g: any) => g.code === SW).patrols).toBe(0);
    expect(await figures('?day=2026-11-20')).toMatchObject({ requestedDay: '2026-11-20', day: DAY, patrolsToday: 2 });
    expect(await figures('?day=2026-01-01')).toMatchObject({ requestedDay: '2026-01-01', day: DAY, patrolsToday: 2 });
    // no day: today on the server's clock, which is after the tracks
    expect((await figures()).day).toBe(DAY);
    expect(await patrolDay(database.db, '999999999998', DAY)).toBeNull();
  });

  it('takes the expected patrols per grid as a parameter', async () => {
    const f = await figures(`?day=${DAY}&expected=1`);
    expect(f.expectedPatrols).toBe(1);
    expect(f.perGrid.find((g: any) => g.code === SE).compliance).toBe(1);
    expect(f.gridsFullyPatrolled).toBe(2);
    const four = await figures(`?day=${DAY}&expected=4`);
    expect(four.perGrid.find((g: any) => g.code === SW).compliance).toBe(0.5);
  });

  it('carries no names or phones of staff or patrol workers', async () => {
    const text = await (await s.get(`/api/jurisdictions/${J}/wall-figures?day=${DAY}`)).text();
    for (const personal of ['王网格', '李组长', '赵民警', '1380000000']) expect(text).not.toContain(personal);
  });

  it('refuses bad parameters, unknown jurisdictions and accounts of another jurisdiction as problem+json', async () => {
    await expectProblem(await s.get(`/api/jurisdictions/${J}/wall-figures?day=2026-02-31`), 400, 'bad_request', 'day');
    await expectProblem(await s.get(`/api/jurisdictions/${J}/wall-figures?day=yesterday`), 400, 'bad_request', 'day');
    await expectProblem(await s.get(`/api/jurisdictions/${J}/wall-figures?expected=0`), 400, 'bad_request', 'expected');
    await expectProblem(await s.get(`/api/jurisdictions/${J}/wall-figures?expected=2.5`), 400, 'bad_request', 'expected');
    await expectProblem(await s.get('/api/jurisdictions/999999999998/wall-figures'), 404, 'not_found', 'jcode');
    await expectProblem(await s.get('/api/jurisdictions/bad%20code!/wall-figures'), 400, 'bad_request', 'jcode');
    const login = await s.post('/api/session', { name: 'other-commander', password: 'commander password 1' });
    const { token } = await login.json();
    await expectProblem(await s.get(`/api/jurisdictions/${J}/wall-figures`, { headers: { authorization: `Bearer ${token}` } }), 403, 'forbidden', 'jcode');
  });
});

describe('patrolCompliance', () => {
  it('is patrols over expected, capped at 1, never negative', () => {
    expect(patrolCompliance(0, 2)).toBe(0);
    expect(patrolCompliance(1, 2)).toBe(0.5);
    expect(patrolCompliance(5, 2)).toBe(1);
    expect(patrolCompliance(-1, 2)).toBe(0);
  });
});

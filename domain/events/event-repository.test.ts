// The events repository on real engines: routing by point in three CRSs and by address, a clear answer outside
// every grid, configurable deadlines, the grid scope held by row-level security and by the query's own
// predicate, each on its own, and the sample town's events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { parseCrs } from '../../data/crs/parse-crs.ts';
import { loadTinyTown, TINY } from '../../api/test/tiny-town.ts';
import { createEvent, listEvents, setTypeSettings } from './event-repository.ts';
import { EventPlacementError, placeByAddress, placePoints } from './place-event.ts';
import { scopePredicate, withEventScope } from './event-scope.ts';
import { generateSampleEvents } from './sample-events.ts';
import { eventHotspots } from './event-board.ts';
import type { Actor } from './workflow.ts';

const J = TINY.jcode;
const G1 = `${TINY.communities[0]}001`;
const G2 = `${TINY.communities[1]}002`;
const P1: [number, number] = [TINY.x0 + TINY.dx * 0.55, TINY.y0 + TINY.dy * 0.9];
const P2: [number, number] = [TINY.x0 + TINY.dx * 3.55, TINY.y0 + TINY.dy * 0.9];
const worker1: Actor = { name: 'w1', role: 'grid_worker', jcode: J, grids: [G1] };
const commander: Actor = { name: 'c', role: 'commander', jcode: J, grids: [] };
const now = new Date('2026-12-01T08:00:00Z');

describe.each(testEngines())('the events repository on the %s engine', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
  }, 180_000);
  afterAll(async () => {
    await database?.close();
  });

  it('routes a point given in WGS-84, GCJ-02 or BD-09 to the same grid, community and jurisdiction', async () => {
    for (const crs of ['wgs84', 'gcj02', 'bd09'] as const) {
      const [x, y] = crs === 'wgs84' ? P1 : parseCrs(crs).fromWgs84(P1);
      const { event } = await createEvent(database.db, { typeCode: '06012', source: 'patrol', description: `道路不洁 ${crs}`, point: { lon: x, lat: y, crs } }, now);
      expect(event).toMatchObject({ jcode: J, gridCode: G1, communityCode: TINY.communities[0], stage: 'reported', light: 'green' });
      expect(event.lon).toBeCloseTo(P1[0], 6);
      expect(event.lat).toBeCloseTo(P1[1], 6);
    }
    const many = await placePoints(database.db, [P1, P2, [2.35, 48.85]]);
    expect(many.map((m) => (m && 'gridCode' in m ? m.gridCode : null))).toEqual([G1, G2, null]);
    expect((await placeByAddress(database.db, '海淀区示例街道4-1-2号楼3单元')).gridCode).toBe(G2);
  });

  it("takes the street (township) from the grid's community, or by position when the community has no street parent", async () => {
    const T1 = '110108990100';
    const T2 = '110108990200';
    const [x0, y0] = [TINY.x0 - 0.01, TINY.y0 - 0.01];
    const box = (x1: number) => sql`ST_Multi(ST_MakeEnvelope(${x0}, ${y0}, ${x1}, ${TINY.y0 + 0.05}, 4326))`;
    const { parent_code: parent } = await database.db.selectFrom('jurisdictions').select('parent_code').where('jcode', '=', J).where('code', '=', TINY.communities[0]).executeTakeFirstOrThrow();
    try {
      // T2 is the parent of the first community and covers the whole town; T1 covers only its west part (where P1 is)
      await sql`INSERT INTO jurisdictions (jcode, code, name, level, parent_code, geom) VALUES
        (${J}, ${T1}, '一街道', 'township', ${J}, ${box(TINY.x0 + TINY.dx)}), (${J}, ${T2}, '二街道', 'township', ${J}, ${box(TINY.x0 + 0.05)})`.execute(database.db);
      await sql`UPDATE jurisdictions SET parent_code = ${T2} WHERE jcode = ${J} AND code = ${TINY.communities[0]}`.execute(database.db);
      const [a, b] = await placePoints(database.db, [P1, P2], J);
      // P1: its community's parent T2, although T1 (first by code) holds it too; P2: its community has no street parent, so by position
      expect(a).toMatchObject({ gridCode: G1, townshipCode: T2 });
      expect(b).toMatchObject({ gridCode: G2, townshipCode: T2 });
    } finally {
      await sql`UPDATE jurisdictions SET parent_code = ${parent} WHERE jcode = ${J} AND code = ${TINY.communities[0]}`.execute(database.db);
      await sql`DELETE FROM jurisdictions WHERE jcode = ${J} AND code IN (${T1}, ${T2})`.execute(database.db);
    }
  });

  it('answers a point outside every grid, or an unknown address, with a clear error', async () => {
    await expect(createEvent(database.db, { typeCode: '06012', source: 'other', description: 'x', point: { lon: 2.35, lat: 48.85 } }, now))
      .rejects.toThrow(/outside every grid/);
    await expect(createEvent(database.db, { typeCode: '06012', source: 'other', description: 'x', address: '火星基地' }, now)).rejects.toBeInstanceOf(EventPlacementError);
    await expect(createEvent(database.db, { typeCode: '99999', source: 'other', description: 'x', point: { lon: P1[0], lat: P1[1] } }, now)).rejects.toThrow(/no event type/);
  });

  it('takes deadlines and the yellow share from the jurisdiction settings, urgent events sooner', async () => {
    await setTypeSettings(database.db, J, '07001', { deadlineHours: 10, yellowShare: 0.5 });
    const { event } = await createEvent(database.db, { typeCode: '07001', source: 'patrol', description: '小广告', point: { lon: P2[0], lat: P2[1] } }, now);
    expect(new Date(event.deadlineAt).getTime() - now.getTime()).toBe(10 * 3_600_000);
    expect(new Date(event.yellowAt).getTime() - now.getTime()).toBe(5 * 3_600_000);
    const urgent = await createEvent(database.db, { typeCode: '53002', source: 'patrol', priority: 'urgent', description: '急', point: { lon: P2[0], lat: P2[1] } }, now);
    expect(new Date(urgent.event.deadlineAt).getTime() - now.getTime()).toBe((120 / 12) * 3_600_000);
  });

  it("keeps a grid worker to their grid by row-level security alone and by the query's predicate alone", async () => {
    await createEvent(database.db, { typeCode: '09010', source: 'patrol', description: '单车乱停', point: { lon: P2[0], lat: P2[1] + 0.0005 } }, now);
    // the policy alone: an unfiltered select under the worker's role
    const seen = await withEventScope(database.db, worker1, (trx) => trx.selectFrom('events').select(['grid_code']).execute());
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((r) => r.grid_code))).toEqual(new Set([G1]));
    const otherJ = await withEventScope(database.db, { ...commander, jcode: '110108990077' }, (trx) => trx.selectFrom('events').select(['id']).execute());
    expect(otherJ).toEqual([]);
    const noJ = await withEventScope(database.db, { ...worker1, jcode: null }, (trx) => trx.selectFrom('events').select(['id']).execute());
    expect(noJ).toEqual([]);
    // the predicate alone: as the owner (no row-level security)
    const { rows } = await sql<{ grid_code: string }>`SELECT e.grid_code FROM events e WHERE e.jcode = ${J} AND ${scopePredicate(worker1, J)}`.execute(database.db);
    expect(new Set(rows.map((r) => r.grid_code))).toEqual(new Set([G1]));
    // and both, through the list
    const all = await listEvents(database.db, commander, J, {}, now);
    const mine = await listEvents(database.db, worker1, J, {}, now);
    expect(all.events.some((e) => e.gridCode === G2)).toBe(true);
    expect(mine.events.every((e) => e.gridCode === G1)).toBe(true);
    expect(mine.total).toBe(all.events.filter((e) => e.gridCode === G1).length);
  });

  it('makes events in every stage, some overdue, a hotspot, a duplicate and work for the demo worker', async () => {
    const now = new Date('2026-12-08T08:00:00Z');
    const n = await generateSampleEvents(database.db, J, { count: 120, seed: 3, now });
    expect(n).toBeGreaterThan(100);
    const { rows } = await sql<{ stage: string; n: number }>`SELECT stage, count(*)::int AS n FROM events GROUP BY stage`.execute(database.db);
    const stages = Object.fromEntries(rows.map((r) => [r.stage, r.n]));
    for (const s of ['reported', 'dispatched', 'handled', 'closed', 'evaluated']) expect(stages[s], s).toBeGreaterThan(0);
    const red = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE closed_at IS NULL AND deadline_at < ${now}`.execute(database.db);
    expect(red.rows[0].n).toBeGreaterThan(0);
    const dup = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE duplicate_of IS NOT NULL`.execute(database.db);
    expect(dup.rows[0].n).toBeGreaterThan(0);
    const hot = await eventHotspots(database.db, { name: 'c', role: 'commander', jcode: J, grids: [] }, J, now);
    expect(hot.some((h) => h.typeCode === '06010' && h.events >= 3)).toBe(true);
    const mine = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE stage = 'dispatched' AND dispatched_to = 'demo-worker'`.execute(database.db);
    expect(mine.rows[0].n).toBeGreaterThan(0);
  });
});

/**
 * The database of a reliability run: the tiny test town with residents, staff, a service phone, three accounts
 * (admin, planner, a commander whose login is raced) and a partitioned draft plan with a block that edits can move
 * back and forth between two grids of its community.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { partitionJurisdiction } from '../../spatial/partition/index.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { G1, G2, loadPeople } from '../auth/test-people.ts';
import { createUser } from '../auth/users.ts';

export const RUN_PASSWORD = 'reliability run password';
export const RUN_ACCOUNTS = { admin: 'run-admin', planner: 'run-planner', raced: 'race-target' } as const;

export interface RunTown {
  jcode: string;
  publishedPlanId: number;
  /** a draft with blocks; `block` moves between grids `from` and `to` of one community */
  draft: { id: number; block: number; from: string; to: string };
}

export async function prepareRunTown(db: Kysely<DB>): Promise<RunTown> {
  const town = await loadTinyTown(db);
  await loadPeople(db);
  await bulkInsert(db, 'grid_staff', [{ name: 'jcode', kind: 'text' }, { name: 'grid_code', kind: 'text' }, { name: 'name', kind: 'text' },
    { name: 'role', kind: 'text' }, { name: 'phone', kind: 'text' }], [
    { jcode: TINY.jcode, grid_code: G1, name: '王网格员', role: 'member', phone: '13800000001' },
    { jcode: TINY.jcode, grid_code: G2, name: '李组长甲', role: 'leader', phone: '13800000002' },
  ]);
  await sql`INSERT INTO grid_service_phones (jcode, grid_code, phone) VALUES (${TINY.jcode}, ${G1}, '010-62000001')`.execute(db);
  await createUser(db, { name: RUN_ACCOUNTS.admin, role: 'admin', password: RUN_PASSWORD });
  await createUser(db, { name: RUN_ACCOUNTS.planner, role: 'planner', password: RUN_PASSWORD });
  await createUser(db, { name: RUN_ACCOUNTS.raced, role: 'commander', password: RUN_PASSWORD });
  const p = await partitionJurisdiction(db, { jcode: TINY.jcode, min: 400, max: 600, seed: 1, name: 'reliability draft' });
  const { rows } = await sql<{ id: number; grid: string; other: string | null }>`
    SELECT b.id, b.grid_code AS grid,
      (SELECT g.code FROM grids g WHERE g.jcode = b.jcode AND g.plan_id = b.plan_id AND g.community_code = b.community_code AND g.code <> b.grid_code ORDER BY g.code LIMIT 1) AS other
    FROM blocks b WHERE b.jcode = ${TINY.jcode} AND b.plan_id = ${p.planId}::bigint
      AND (SELECT count(*) FROM blocks c WHERE c.jcode = b.jcode AND c.plan_id = b.plan_id AND c.grid_code = b.grid_code) >= 3
    ORDER BY b.id`.execute(db);
  const movable = rows.find((r) => r.other !== null);
  if (!movable) throw new Error('the tiny town partition has no block to move between two grids of one community');
  return { jcode: TINY.jcode, publishedPlanId: town.publishedPlanId, draft: { id: p.planId, block: Number(movable.id), from: movable.grid, to: movable.other! } };
}

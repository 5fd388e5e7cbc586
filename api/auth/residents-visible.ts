/**
 * The one place that decides which residents a user may read: `residentsVisibleTo(db, user, jcode, gridCode)`.
 *
 * Two layers, the same rule:
 * 1. the data-layer predicate, in the query itself, identical on both engines: residents of households whose
 *    address point lies in grid `gridCode` of the jurisdiction's published plan, and only when the role may see
 *    that grid (admin and commander: every grid of their jurisdiction(s); grid_worker: their own grids of their
 *    own jurisdiction, the pair (jcode, grid), never a grid code alone; planner: none);
 * 2. row-level security (migrations/20261202T0100-auth.ts): the query runs inside a transaction that switches
 *    to the non-superuser role `wangge_reader` (SET LOCAL ROLE) with app.role / app.user_jcode / app.user_grids
 *    set for that transaction only, so the policy `residents_scope` filters again inside PostgreSQL. This works
 *    on the native server and on embedded PGlite alike.
 * Masking for commanders happens here too, so no caller ever holds unmasked values it should not have.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../../spatial/errors.ts';
import { maskResident, type ResidentRecord } from './masking.ts';
import { residentView, type AuthUser, type ResidentView } from './roles.ts';

export interface VisibleResidents {
  view: ResidentView;
  planId: number;
  residents: ResidentRecord[];
}

export interface VisibleOptions {
  /** run under row-level security (default true) */
  rls?: boolean;
  /** apply the data-layer predicate (default true). Tests turn it off to prove the policy alone: the rows
   * the policy lets through are then returned unmasked whatever the view. Never off in the service. */
  dataPredicate?: boolean;
}

const MAX_ROWS = 20_000;

/** Residents of grid `gridCode` (published plan of `jcode`) as `user` may see them. */
export async function residentsVisibleTo(
  db: Kysely<any>, user: AuthUser, jcode: string, gridCode: string, opts: VisibleOptions = {},
): Promise<VisibleResidents> {
  const { rows: grids } = await sql<{ plan_id: string }>`SELECT g.plan_id FROM grids g WHERE g.jcode = ${jcode} AND g.code = ${gridCode}
    AND g.plan_id = (SELECT p.id FROM grid_plans p WHERE p.jcode = ${jcode} AND p.status = 'published' ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)`.execute(db);
  if (!grids[0]) throw new WanggeError('not_found', `no grid ${gridCode} in the published plan of ${jcode}`, { parameter: 'code', gridCode });
  const planId = Number(grids[0].plan_id);
  const view = residentView(user, jcode, gridCode);
  if (view === 'none' && opts.dataPredicate !== false) return { view, planId, residents: [] };
  const predicate = opts.dataPredicate === false ? sql`true`
    : user.jcode !== null && user.jcode !== jcode ? sql`false`
      : user.role === 'admin' || user.role === 'commander' ? sql`true`
        : user.role === 'grid_worker' ? (user.jcode === null ? sql`false` : sql`g.jcode = ${user.jcode} AND g.code = ANY (${[...user.grids]}::text[])`)
          : sql`false`;
  const rows = await db.transaction().execute(async (trx) => {
    if (opts.rls !== false) {
      await sql`SET LOCAL ROLE wangge_reader`.execute(trx);
      await sql`SELECT set_config('app.role', ${user.role}, true), set_config('app.user_jcode', ${user.jcode ?? ''}, true),
        set_config('app.user_grids', ${user.grids.join(',')}, true)`.execute(trx);
    }
    const { rows: found } = await sql<{
      id: string; household_id: string; address_point_id: string; unit_no: string | null; name: string; id_number: string | null;
      phone: string | null; birth_date: string | null; relation: string | null; tags: string[];
    }>`SELECT r.id, r.household_id, h.address_point_id, h.unit_no, r.name, r.id_number, r.phone,
        to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, r.relation, r.tags
      FROM grids g
      JOIN address_points a ON a.jcode = g.jcode AND a.geom && g.geom AND ST_Intersects(g.geom, a.geom)
      JOIN households h ON h.jcode = a.jcode AND h.address_point_id = a.id
      JOIN residents r ON r.jcode = h.jcode AND r.household_id = h.id
      WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = ${gridCode} AND ${predicate}
      ORDER BY r.id LIMIT ${MAX_ROWS}`.execute(trx);
    return found;
  });
  const records: ResidentRecord[] = rows.map((r) => ({
    id: Number(r.id), householdId: Number(r.household_id), addressPointId: Number(r.address_point_id), unitNo: r.unit_no,
    name: r.name, idNumber: r.id_number, phone: r.phone, birthDate: r.birth_date, relation: r.relation, tags: [...(r.tags ?? [])],
  }));
  return { view, planId, residents: view === 'masked' ? records.map(maskResident) : records };
}

/**
 * Reads and ticks of an emergency roster (issue 14), scoped like events: a grid worker reads and ticks the rows of
 * their own grids of their own jurisdiction only — the query's predicate and row-level security on
 * roster_households / roster_people / roster_ticks (and residents), each enough on its own. Commanders and admins
 * read the whole area; planners get counts (the routes never call `rosterPeople` for them).
 *
 * Ticks are append-only: two phones ticking one person at once both land; a person's status is the latest tick
 * (by `at`, then by id). Moved and moved elsewhere are out; refused, not found and no tick yet are still inside.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { WanggeError } from '../../data/errors.ts';
import type { DB } from '../../data/db/schema.ts';
import { withEventScope } from '../events/event-scope.ts';
import type { Actor } from '../events/workflow.ts';

export const TICK_STATUSES = ['moved', 'refused', 'not_found', 'moved_elsewhere'] as const;
export type TickStatus = (typeof TICK_STATUSES)[number];
/** The light of what is still inside: yellow within this long before the deadline, red after it. */
export const YELLOW_BEFORE_MS = 60 * 60_000;

export type RosterLight = 'done' | 'green' | 'yellow' | 'red';

export interface RosterArea {
  id: number; jcode: string; name: string; kind: string; level: string; deadline: string; capacityPeriod: 'day' | 'night';
  planId: number | null; createdBy: string | null; createdAt: string; area: unknown;
}

export interface GridProgress {
  grid_code: string | null; community_code: string | null; households: number; residents: number; vulnerable: number; needs_vehicle: number;
  moved: number; moved_elsewhere: number; refused: number; not_found: number; remaining: number; light: RosterLight;
}

export interface ShelterLoad { id: number; name: string; capacity: number; assigned: number; households: number; arrived: number; lon: number; lat: number; contact_name: string | null; contact_phone: string | null }

export interface RosterSummary {
  id: number; jcode: string; name: string; kind: string; level: string; deadline: string; at: string; light: RosterLight;
  households: number; residents: number; vulnerable: number; needs_vehicle: number; dangerous_houses: number; unassigned_households: number;
  moved: number; remaining: number;
  by_grid: GridProgress[];
  by_community: Array<{ community_code: string | null; households: number; residents: number; vulnerable: number; remaining: number }>;
  shelters: ShelterLoad[];
}

export interface RosterPerson {
  residentId: number; householdId: number; gridCode: string | null; communityCode: string | null; name: string; idNumber: string | null;
  phone: string | null; birthDate: string | null; address: string | null; unitNo: string | null; dangerousHouse: boolean; vulnerable: boolean;
  reasons: string[]; needsVehicle: boolean; shelterId: number | null; shelterName: string | null; walkM: number | null;
  status: TickStatus | null; tickedAt: string | null; tickedBy: string | null; lon: number; lat: number;
}

export interface StaffContact { gridCode: string; name: string; role: string; phone: string | null }

export function lightOf(remaining: number, deadline: Date, now: Date): RosterLight {
  if (remaining === 0) return 'done';
  if (now.getTime() > deadline.getTime()) return 'red';
  return now.getTime() >= deadline.getTime() - YELLOW_BEFORE_MS ? 'yellow' : 'green';
}

/** The rows `actor` may see (alias `x` with grid_code), the same rule as the policy. */
function scope(actor: Actor, jcode: string, alias: string): RawBuilder<boolean> {
  if (actor.jcode !== null && actor.jcode !== jcode) return sql<boolean>`false`;
  if (actor.role === 'grid_worker') return actor.jcode === null ? sql<boolean>`false` : sql<boolean>`${sql.ref(`${alias}.grid_code`)} = ANY (${[...actor.grids]}::text[])`;
  return sql<boolean>`true`;
}

/** The hazard area of roster `id` (no personal data), or null. */
export async function getRosterArea(db: Kysely<any>, id: number): Promise<RosterArea | null> {
  const { rows } = await sql<any>`SELECT id, jcode, name, kind, level, deadline, capacity_period, plan_id, created_by, created_at, ST_AsGeoJSON(geom, 7) AS area
    FROM hazard_areas WHERE id = ${id}`.execute(db);
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id), jcode: r.jcode, name: r.name, kind: r.kind, level: r.level, deadline: new Date(r.deadline).toISOString(), capacityPeriod: r.capacity_period,
    planId: r.plan_id === null ? null : Number(r.plan_id), createdBy: r.created_by, createdAt: new Date(r.created_at).toISOString(), area: JSON.parse(r.area),
  };
}

/** The latest tick per person of roster `id` (a subquery over roster_ticks, alias `t`). */
const latestTicks = (jcode: string, id: number) => sql`(SELECT DISTINCT ON (resident_id) resident_id, status, at, by_name FROM roster_ticks
  WHERE jcode = ${jcode} AND roster_id = ${id} ORDER BY resident_id, at DESC, id DESC)`;

/** Counts and progress per grid, community and shelter, as `actor` may see them (a grid worker: their grids). */
export async function rosterSummary(db: Kysely<DB>, actor: Actor, area: RosterArea, now: Date): Promise<RosterSummary> {
  const { jcode, id } = area;
  const deadline = new Date(area.deadline);
  return withEventScope(db, actor, async (trx) => {
    const { rows: grids } = await sql<any>`SELECT h.grid_code, min(h.community_code) AS community_code, count(DISTINCT h.household_id)::int AS households,
        count(p.resident_id)::int AS residents, count(*) FILTER (WHERE p.vulnerable)::int AS vulnerable, count(*) FILTER (WHERE p.needs_vehicle)::int AS needs_vehicle,
        count(*) FILTER (WHERE t.status = 'moved')::int AS moved, count(*) FILTER (WHERE t.status = 'moved_elsewhere')::int AS moved_elsewhere,
        count(*) FILTER (WHERE t.status = 'refused')::int AS refused, count(*) FILTER (WHERE t.status = 'not_found')::int AS not_found,
        count(DISTINCT h.household_id) FILTER (WHERE h.dangerous_house)::int AS dangerous, count(DISTINCT h.household_id) FILTER (WHERE h.shelter_id IS NULL)::int AS unassigned
      FROM roster_households h
      LEFT JOIN roster_people p ON p.jcode = h.jcode AND p.roster_id = h.roster_id AND p.household_id = h.household_id
      LEFT JOIN ${latestTicks(jcode, id)} t ON t.resident_id = p.resident_id
      WHERE h.jcode = ${jcode} AND h.roster_id = ${id} AND ${scope(actor, jcode, 'h')}
      GROUP BY h.grid_code ORDER BY h.grid_code`.execute(trx);
    const { rows: shelters } = await sql<any>`SELECT s.id, s.name, CASE WHEN ${area.capacityPeriod} = 'night' THEN s.capacity_night ELSE s.capacity_day END AS capacity,
        coalesce(sum(h.persons), 0)::int AS assigned, count(h.household_id)::int AS households, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, s.contact_name, s.contact_phone,
        coalesce((SELECT count(*) FROM roster_people p JOIN ${latestTicks(jcode, id)} t ON t.resident_id = p.resident_id
          JOIN roster_households h2 ON h2.jcode = p.jcode AND h2.roster_id = p.roster_id AND h2.household_id = p.household_id
          WHERE p.jcode = ${jcode} AND p.roster_id = ${id} AND h2.shelter_id = s.id AND t.status = 'moved' AND ${scope(actor, jcode, 'p')}), 0)::int AS arrived
      FROM shelters s
      JOIN roster_households h ON h.jcode = s.jcode AND h.roster_id = ${id} AND h.shelter_id = s.id AND ${scope(actor, jcode, 'h')}
      WHERE s.jcode = ${jcode}
      GROUP BY s.jcode, s.id ORDER BY s.id`.execute(trx);
    const byGrid: GridProgress[] = grids.map((g) => {
      const remaining = g.residents - g.moved - g.moved_elsewhere;
      return {
        grid_code: g.grid_code, community_code: g.community_code, households: g.households, residents: g.residents, vulnerable: g.vulnerable, needs_vehicle: g.needs_vehicle,
        moved: g.moved, moved_elsewhere: g.moved_elsewhere, refused: g.refused, not_found: g.not_found, remaining, light: lightOf(remaining, deadline, now),
      };
    });
    const sum = (k: keyof GridProgress) => byGrid.reduce((s, g) => s + (g[k] as number), 0);
    const communities = new Map<string | null, { community_code: string | null; households: number; residents: number; vulnerable: number; remaining: number }>();
    for (const g of byGrid) {
      const c = communities.get(g.community_code) ?? { community_code: g.community_code, households: 0, residents: 0, vulnerable: 0, remaining: 0 };
      c.households += g.households; c.residents += g.residents; c.vulnerable += g.vulnerable; c.remaining += g.remaining;
      communities.set(g.community_code, c);
    }
    const remaining = sum('remaining');
    return {
      id, jcode, name: area.name, kind: area.kind, level: area.level, deadline: area.deadline, at: now.toISOString(), light: lightOf(remaining, deadline, now),
      households: sum('households'), residents: sum('residents'), vulnerable: sum('vulnerable'), needs_vehicle: sum('needs_vehicle'),
      dangerous_houses: grids.reduce((s, g) => s + g.dangerous, 0), unassigned_households: grids.reduce((s, g) => s + g.unassigned, 0),
      moved: sum('moved') + sum('moved_elsewhere'), remaining,
      by_grid: byGrid, by_community: [...communities.values()],
      shelters: shelters.map((s) => ({ id: Number(s.id), name: s.name, capacity: s.capacity, assigned: s.assigned, households: s.households, arrived: s.arrived,
        lon: s.lon, lat: s.lat, contact_name: s.contact_name, contact_phone: s.contact_phone })),
    };
  });
}

/** The people of roster `area` as `actor` may see them (unmasked: the caller masks by role), vulnerable first. */
export async function rosterPeople(db: Kysely<DB>, actor: Actor, area: RosterArea, opts: { grid?: string } = {}): Promise<RosterPerson[]> {
  const { jcode, id } = area;
  return withEventScope(db, actor, async (trx) => {
    const { rows } = await sql<any>`SELECT p.resident_id, p.household_id, p.grid_code, h.community_code, r.name, r.id_number, r.phone,
        to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date, a.address, hh.unit_no, h.dangerous_house, p.vulnerable, p.reasons, p.needs_vehicle,
        h.shelter_id, s.name AS shelter_name, h.walk_m, t.status, t.at, t.by_name, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat
      FROM roster_people p
      JOIN roster_households h ON h.jcode = p.jcode AND h.roster_id = p.roster_id AND h.household_id = p.household_id
      JOIN residents r ON r.jcode = p.jcode AND r.id = p.resident_id
      JOIN households hh ON hh.jcode = p.jcode AND hh.id = p.household_id
      JOIN address_points a ON a.jcode = h.jcode AND a.id = h.address_point_id
      LEFT JOIN shelters s ON s.jcode = h.jcode AND s.id = h.shelter_id
      LEFT JOIN ${latestTicks(jcode, id)} t ON t.resident_id = p.resident_id
      WHERE p.jcode = ${jcode} AND p.roster_id = ${id} AND ${scope(actor, jcode, 'p')}
        AND (${opts.grid ?? null}::text IS NULL OR p.grid_code = ${opts.grid ?? null})
      ORDER BY h.community_code, p.grid_code, p.vulnerable DESC, p.household_id, p.resident_id`.execute(trx);
    return rows.map((r) => ({
      residentId: Number(r.resident_id), householdId: Number(r.household_id), gridCode: r.grid_code, communityCode: r.community_code, name: r.name,
      idNumber: r.id_number, phone: r.phone, birthDate: r.birth_date, address: r.address, unitNo: r.unit_no, dangerousHouse: r.dangerous_house,
      vulnerable: r.vulnerable, reasons: [...(r.reasons ?? [])], needsVehicle: r.needs_vehicle, shelterId: r.shelter_id === null ? null : Number(r.shelter_id),
      shelterName: r.shelter_name, walkM: r.walk_m, status: r.status, tickedAt: r.at ? new Date(r.at).toISOString() : null, tickedBy: r.by_name, lon: r.lon, lat: r.lat,
    }));
  });
}

/** The responsible staff of the roster's grids (grid leaders and members with phone): 转移责任人. */
export async function responsibleStaff(db: Kysely<any>, jcode: string, gridCodes: string[]): Promise<Map<string, StaffContact[]>> {
  const { rows } = await sql<any>`SELECT grid_code, name, role, phone FROM grid_staff WHERE jcode = ${jcode} AND grid_code = ANY (${gridCodes}::text[])
    ORDER BY grid_code, CASE role WHEN 'leader' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, id`.execute(db);
  const out = new Map<string, StaffContact[]>();
  for (const r of rows) {
    const list = out.get(r.grid_code) ?? [];
    list.push({ gridCode: r.grid_code, name: r.name, role: r.role, phone: r.phone });
    out.set(r.grid_code, list);
  }
  return out;
}

export interface TickInput { residentId: number; status: TickStatus; note?: string; at?: Date }
export interface TickRecord { id: number; residentId: number; gridCode: string | null; status: TickStatus; at: string; byName: string; byRole: string; current: TickStatus }

/**
 * Tick a person: appended, never updated. A person outside `actor`'s scope is refused (forbidden when the roster
 * has them, so the phone can say why); an unknown person is not_found.
 */
export async function addTick(db: Kysely<DB>, actor: Actor, area: RosterArea, input: TickInput, now: Date): Promise<TickRecord> {
  const { jcode, id } = area;
  const row = await db.selectFrom('roster_people').select(['grid_code']).where('jcode', '=', jcode).where('roster_id', '=', id)
    .where('resident_id', '=', input.residentId).executeTakeFirst();
  if (!row) throw new WanggeError('not_found', `no person ${input.residentId} on roster ${id}`, { parameter: 'residentId' });
  const visible = await withEventScope(db, actor, async (trx) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM roster_people p
    WHERE p.jcode = ${jcode} AND p.roster_id = ${id} AND p.resident_id = ${input.residentId} AND ${scope(actor, jcode, 'p')}`.execute(trx)).rows[0].n > 0);
  if (!visible) throw new WanggeError('forbidden', `person ${input.residentId} is in grid ${row.grid_code ?? '(none)'}, not in this account's grids`, { parameter: 'residentId', gridCode: row.grid_code ?? undefined });
  const at = input.at && input.at.getTime() <= now.getTime() ? input.at : now;
  const saved = await db.insertInto('roster_ticks').values({
    jcode, roster_id: id, resident_id: input.residentId, grid_code: row.grid_code, status: input.status, note: input.note ?? null, at, recorded_at: now,
    by_name: actor.name, by_role: actor.role,
  }).returning(['id']).executeTakeFirstOrThrow();
  const { rows } = await sql<{ status: TickStatus }>`SELECT status FROM roster_ticks WHERE jcode = ${jcode} AND roster_id = ${id} AND resident_id = ${input.residentId}
    ORDER BY at DESC, id DESC LIMIT 1`.execute(db);
  return { id: Number(saved.id), residentId: input.residentId, gridCode: row.grid_code, status: input.status, at: at.toISOString(), byName: actor.name, byRole: actor.role, current: rows[0].status };
}

/** Every tick of a person (oldest first), for the record. */
export async function ticksOf(db: Kysely<DB>, actor: Actor, area: RosterArea, residentId: number): Promise<Array<{ id: number; status: string; at: string; byName: string }>> {
  return withEventScope(db, actor, async (trx) => {
    const { rows } = await sql<any>`SELECT t.id, t.status, t.at, t.by_name FROM roster_ticks t WHERE t.jcode = ${area.jcode} AND t.roster_id = ${area.id}
      AND t.resident_id = ${residentId} AND ${scope(actor, area.jcode, 't')} ORDER BY t.at, t.id`.execute(trx);
    return rows.map((r) => ({ id: Number(r.id), status: r.status, at: new Date(r.at).toISOString(), byName: r.by_name }));
  });
}

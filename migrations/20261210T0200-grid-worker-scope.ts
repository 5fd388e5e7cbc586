/**
 * A grid worker's scope is (jurisdiction, grid), never a grid code alone (issue 17): grid codes repeat across
 * jurisdictions. So:
 * - every enabled grid_worker account has its jurisdiction (`users.jcode`). Existing workers without one get the
 *   jurisdiction whose published plan holds all their grids when exactly one does; otherwise the account is
 *   disabled (and its sessions ended) until an administrator recreates it with --jcode.
 * - the row-level security policy on residents lets a grid worker see a resident only when the account's
 *   jurisdiction is set, the resident is of that jurisdiction, and the grid is of that jurisdiction's published plan.
 */
import { sql, type Kysely } from 'kysely';

const OLD_POLICY = sql`CREATE POLICY residents_scope ON residents FOR SELECT TO wangge_reader USING (
    (current_setting('app.user_jcode', true) IS NULL OR current_setting('app.user_jcode', true) = '' OR jcode = current_setting('app.user_jcode', true))
    AND (
      current_setting('app.role', true) IN ('admin', 'commander')
      OR (current_setting('app.role', true) = 'grid_worker' AND EXISTS (
        SELECT 1 FROM households h
        JOIN address_points a ON a.jcode = h.jcode AND a.id = h.address_point_id
        JOIN grids g ON g.jcode = h.jcode AND g.plan_id = (
          SELECT p.id FROM grid_plans p WHERE p.jcode = h.jcode AND p.status = 'published'
          ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)
        WHERE h.jcode = residents.jcode AND h.id = residents.household_id
          AND g.code = ANY (string_to_array(current_setting('app.user_grids', true), ','))
          AND g.geom && a.geom AND ST_Intersects(g.geom, a.geom)))
    ))`;

const NEW_POLICY = sql`CREATE POLICY residents_scope ON residents FOR SELECT TO wangge_reader USING (
    (current_setting('app.user_jcode', true) IS NULL OR current_setting('app.user_jcode', true) = '' OR jcode = current_setting('app.user_jcode', true))
    AND (
      current_setting('app.role', true) IN ('admin', 'commander')
      OR (current_setting('app.role', true) = 'grid_worker'
        AND coalesce(current_setting('app.user_jcode', true), '') <> ''
        AND residents.jcode = current_setting('app.user_jcode', true)
        AND EXISTS (
        SELECT 1 FROM households h
        JOIN address_points a ON a.jcode = h.jcode AND a.id = h.address_point_id
        JOIN grids g ON g.jcode = h.jcode AND g.plan_id = (
          SELECT p.id FROM grid_plans p WHERE p.jcode = h.jcode AND p.status = 'published'
          ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)
        WHERE h.jcode = residents.jcode AND h.id = residents.household_id
          AND g.jcode = current_setting('app.user_jcode', true)
          AND g.code = ANY (string_to_array(current_setting('app.user_grids', true), ','))
          AND g.geom && a.geom AND ST_Intersects(g.geom, a.geom)))
    ))`;

export async function up(db: Kysely<any>): Promise<void> {
  // workers without a jurisdiction: the one jurisdiction whose published plan holds every one of their grids
  await sql`UPDATE users u SET jcode = c.jcode FROM (
      SELECT u2.id, min(j.jcode) AS jcode, count(*) AS n
      FROM users u2
      JOIN (SELECT DISTINCT g.jcode FROM grids g JOIN grid_plans p ON p.jcode = g.jcode AND p.id = g.plan_id AND p.status = 'published') j ON true
      WHERE u2.role = 'grid_worker' AND u2.jcode IS NULL
        AND NOT EXISTS (SELECT 1 FROM unnest(u2.grids) AS x(code) WHERE NOT EXISTS (
          SELECT 1 FROM grids g JOIN grid_plans p ON p.jcode = g.jcode AND p.id = g.plan_id AND p.status = 'published'
          WHERE g.jcode = j.jcode AND g.code = x.code))
      GROUP BY u2.id) c
    WHERE u.id = c.id AND c.n = 1`.execute(db);
  await sql`DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE role = 'grid_worker' AND jcode IS NULL)`.execute(db);
  await sql`UPDATE users SET disabled = true WHERE role = 'grid_worker' AND jcode IS NULL`.execute(db);
  await sql`ALTER TABLE users ADD CONSTRAINT users_grid_worker_jcode CHECK (role <> 'grid_worker' OR jcode IS NOT NULL OR disabled)`.execute(db);
  await sql`DROP POLICY IF EXISTS residents_scope ON residents`.execute(db);
  await NEW_POLICY.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP POLICY IF EXISTS residents_scope ON residents`.execute(db);
  await OLD_POLICY.execute(db);
  await sql`ALTER TABLE users DROP CONSTRAINT IF EXISTS users_grid_worker_jcode`.execute(db);
}

/**
 * The row-level security policy on events read the account's settings (current_setting, string_to_array) again for
 * every row: a grid worker's list counting thousands of a busy grid's events paid for it thousands of times. The
 * same rule with each setting read once per statement (scalar subqueries, planned as init plans).
 */
import { sql, type Kysely } from 'kysely';

const ONCE = sql`CREATE POLICY events_scope ON events FOR SELECT TO wangge_reader USING (
    ((SELECT coalesce(current_setting('app.user_jcode', true), '')) = '' OR jcode = (SELECT current_setting('app.user_jcode', true)))
    AND (
      (SELECT current_setting('app.role', true)) IN ('admin', 'commander', 'planner')
      OR ((SELECT current_setting('app.role', true)) = 'grid_worker'
        AND (SELECT coalesce(current_setting('app.user_jcode', true), '')) <> ''
        AND jcode = (SELECT current_setting('app.user_jcode', true))
        AND grid_code = ANY ((SELECT string_to_array(current_setting('app.user_grids', true), ','))::text[])))
  )`;

const BEFORE = sql`CREATE POLICY events_scope ON events FOR SELECT TO wangge_reader USING (
    (current_setting('app.user_jcode', true) IS NULL OR current_setting('app.user_jcode', true) = '' OR jcode = current_setting('app.user_jcode', true))
    AND (
      current_setting('app.role', true) IN ('admin', 'commander', 'planner')
      OR (current_setting('app.role', true) = 'grid_worker'
        AND coalesce(current_setting('app.user_jcode', true), '') <> ''
        AND jcode = current_setting('app.user_jcode', true)
        AND grid_code = ANY (string_to_array(current_setting('app.user_grids', true), ','))))
  )`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP POLICY IF EXISTS events_scope ON events`.execute(db);
  await ONCE.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP POLICY IF EXISTS events_scope ON events`.execute(db);
  await BEFORE.execute(db);
}

/**
 * Accounts, sessions, the audit log and row-level security on residents (issue 7).
 *
 * - `users`: service accounts. Accounts are GLOBAL (no jcode in the key): one person may work for several
 *   jurisdictions and names must be unique across the deployment. `jcode` is the jurisdiction the account is
 *   limited to (NULL: every jurisdiction); `grids` the grid codes of a grid worker. Passwords are stored as an
 *   scrypt hash string with its own salt and parameters; no account and no default password is created here.
 * - `sessions`: bearer tokens, stored as sha256 of the token only, with an expiry. Global like users.
 * - `audit_log`: append-only record of every read of personal data (and every refused attempt). `jcode` is the
 *   jurisdiction read ('' for none); each row carries sha256(prev_hash || canonical entry) so that a changed
 *   or removed row breaks the chain. A trigger refuses UPDATE and DELETE.
 * - Row-level security on `residents` for the role `wangge_reader` (NOLOGIN, created once per cluster): the
 *   service switches to it with SET LOCAL ROLE inside the transaction that reads residents and sets
 *   app.role / app.user_jcode / app.user_grids with set_config(..., true). The owner and superusers are not
 *   subject to the policy (no FORCE), so imports and the generator keep working.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity().primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('admin', 'planner', 'commander', 'grid_worker')`))
    .addColumn('jcode', 'text')
    .addColumn('grids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.notNull().primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_ix').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.notNull().primaryKey())
    .addColumn('jcode', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text')
    .addColumn('role', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('grid_code', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('record_ids', sql`bigint[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_jcode_ix').on('audit_log').columns(['jcode', 'seq']).execute();
  await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
  await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);

  // the reader role: cluster-wide, so several databases (tests) may race to create it
  await sql`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wangge_reader') THEN CREATE ROLE wangge_reader NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`.execute(db);
  await sql`GRANT SELECT ON residents, households, address_points, grids, grid_plans TO wangge_reader`.execute(db);
  await sql`ALTER TABLE residents ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY residents_scope ON residents FOR SELECT TO wangge_reader USING (
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
    ))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP POLICY IF EXISTS residents_scope ON residents`.execute(db);
  await sql`ALTER TABLE residents DISABLE ROW LEVEL SECURITY`.execute(db);
  await sql`REVOKE ALL ON residents, households, address_points, grids, grid_plans FROM wangge_reader`.execute(db);
  await db.schema.dropTable('audit_log').ifExists().execute();
  await sql`DROP FUNCTION IF EXISTS audit_log_append_only()`.execute(db);
  await db.schema.dropTable('sessions').ifExists().execute();
  await db.schema.dropTable('users').ifExists().execute();
}

/**
 * Emergency rosters (issue 14): who must move out of a hazard area, who moves them, where to, and who is still there.
 *
 * - `households.dangerous_house` (危房) and `residents.needs` (what a person needs to move: wheelchair, oxygen,
 *   dialysis, bedridden, pregnant, …) are the attributes the roster reads beside the existing tags.
 * - `shelters` (避灾安置场所): a point with day and night capacity (persons) and a contact.
 * - `hazard_areas`: a drawn area with kind, warning level and deadline; a roster is made for one hazard area and
 *   shares its id.
 * - `roster_households` and `roster_people`: the roster's rows, frozen when it is made (grid, community, shelter,
 *   walking distance, vulnerable flag), so later edits of households do not move people between lists.
 * - `roster_ticks`: append-only (moved, refused, not_found, moved_elsewhere), never updated: two phones ticking the
 *   same person at once both land; a person's status is the latest tick (by `at`, then id).
 *
 * Every table carries `jcode` in its key. Row-level security for `wangge_reader` as on events: admins, commanders
 * and planners of the jurisdiction, a grid worker only the rows of their own grids of their own jurisdiction.
 */
import { sql, type Kysely } from 'kysely';

const SCOPE = sql`((SELECT coalesce(current_setting('app.user_jcode', true), '')) = '' OR jcode = (SELECT current_setting('app.user_jcode', true)))
    AND (
      (SELECT current_setting('app.role', true)) IN ('admin', 'commander', 'planner')
      OR ((SELECT current_setting('app.role', true)) = 'grid_worker'
        AND (SELECT coalesce(current_setting('app.user_jcode', true), '')) <> ''
        AND jcode = (SELECT current_setting('app.user_jcode', true))
        AND grid_code = ANY ((SELECT string_to_array(current_setting('app.user_grids', true), ','))::text[])))`;

const SCOPED = ['roster_households', 'roster_people', 'roster_ticks'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE households ADD COLUMN dangerous_house boolean NOT NULL DEFAULT false`.execute(db);
  await sql`ALTER TABLE residents ADD COLUMN needs text[] NOT NULL DEFAULT '{}'`.execute(db);

  await db.schema
    .createTable('shelters')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('capacity_day', 'integer', (c) => c.notNull().check(sql`capacity_day >= 0`))
    .addColumn('capacity_night', 'integer', (c) => c.notNull().check(sql`capacity_night >= 0`))
    .addColumn('contact_name', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('address', 'text')
    .addColumn('geom', sql`geometry(Point, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('shelters_pk', ['jcode', 'id'])
    .execute();
  await db.schema.createIndex('shelters_geom_gix').on('shelters').using('gist').column('geom').execute();

  await db.schema
    .createTable('hazard_areas')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('typhoon', 'flood', 'landslide', 'fire', 'chemical')`))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level IN ('blue', 'yellow', 'orange', 'red')`))
    .addColumn('deadline', 'timestamptz', (c) => c.notNull())
    .addColumn('capacity_period', 'text', (c) => c.notNull().check(sql`capacity_period IN ('day', 'night')`))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('plan_id', 'bigint')
    .addColumn('geom', sql`geometry(MultiPolygon, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('hazard_areas_pk', ['jcode', 'id'])
    .execute();
  await db.schema.createIndex('hazard_areas_geom_gix').on('hazard_areas').using('gist').column('geom').execute();

  await db.schema
    .createTable('roster_households')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('roster_id', 'bigint', (c) => c.notNull())
    .addColumn('household_id', 'bigint', (c) => c.notNull())
    .addColumn('address_point_id', 'bigint', (c) => c.notNull())
    .addColumn('grid_code', 'text')
    .addColumn('community_code', 'text')
    .addColumn('persons', 'integer', (c) => c.notNull())
    .addColumn('vulnerable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dangerous_house', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('shelter_id', 'bigint')
    .addColumn('walk_m', 'double precision')
    .addPrimaryKeyConstraint('roster_households_pk', ['jcode', 'roster_id', 'household_id'])
    .addForeignKeyConstraint('roster_households_area_fk', ['jcode', 'roster_id'], 'hazard_areas', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('roster_households_grid_ix').on('roster_households').columns(['jcode', 'roster_id', 'grid_code']).execute();

  await db.schema
    .createTable('roster_people')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('roster_id', 'bigint', (c) => c.notNull())
    .addColumn('resident_id', 'bigint', (c) => c.notNull())
    .addColumn('household_id', 'bigint', (c) => c.notNull())
    .addColumn('grid_code', 'text')
    .addColumn('vulnerable', 'boolean', (c) => c.notNull())
    .addColumn('reasons', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('needs_vehicle', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('roster_people_pk', ['jcode', 'roster_id', 'resident_id'])
    .addForeignKeyConstraint('roster_people_area_fk', ['jcode', 'roster_id'], 'hazard_areas', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('roster_people_grid_ix').on('roster_people').columns(['jcode', 'roster_id', 'grid_code']).execute();

  await db.schema
    .createTable('roster_ticks')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('roster_id', 'bigint', (c) => c.notNull())
    .addColumn('resident_id', 'bigint', (c) => c.notNull())
    .addColumn('grid_code', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('moved', 'refused', 'not_found', 'moved_elsewhere')`))
    .addColumn('note', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('by_name', 'text', (c) => c.notNull())
    .addColumn('by_role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('roster_ticks_pk', ['jcode', 'id'])
    .addForeignKeyConstraint('roster_ticks_area_fk', ['jcode', 'roster_id'], 'hazard_areas', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('roster_ticks_person_ix').on('roster_ticks').columns(['jcode', 'roster_id', 'resident_id', 'at']).execute();

  await sql`GRANT SELECT ON roster_households, roster_people, roster_ticks, hazard_areas, shelters TO wangge_reader`.execute(db);
  for (const t of SCOPED) {
    await sql`ALTER TABLE ${sql.table(t)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY ${sql.id(`${t}_scope`)} ON ${sql.table(t)} FOR SELECT TO wangge_reader USING (${SCOPE})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of SCOPED) await sql`DROP POLICY IF EXISTS ${sql.id(`${t}_scope`)} ON ${sql.table(t)}`.execute(db);
  await sql`REVOKE ALL ON roster_households, roster_people, roster_ticks, hazard_areas, shelters FROM wangge_reader`.execute(db);
  for (const t of ['roster_ticks', 'roster_people', 'roster_households', 'hazard_areas', 'shelters']) await db.schema.dropTable(t).ifExists().execute();
  await sql`ALTER TABLE residents DROP COLUMN IF EXISTS needs`.execute(db);
  await sql`ALTER TABLE households DROP COLUMN IF EXISTS dangerous_house`.execute(db);
}

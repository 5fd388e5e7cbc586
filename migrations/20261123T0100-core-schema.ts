/**
 * Core schema: the jurisdiction hierarchy and everything that lives in it. Frozen once released: later
 * changes go in new files. Every table carries `jcode`, the code of the top jurisdiction it belongs to, and
 * every primary key includes it, so a province-scale deployment can distribute the tables by it.
 * Geometry is stored in EPSG:4326 with a GiST index created beside its column.
 */
import { sql, type Kysely } from 'kysely';

const GEOM_TABLES: Array<[table: string, column: string, type: string]> = [
  ['jurisdictions', 'geom', 'MultiPolygon'],
  ['streets', 'geom', 'LineString'],
  ['address_points', 'geom', 'Point'],
  ['units', 'geom', 'MultiPolygon'],
  ['hazards', 'geom', 'Geometry'],
  ['cameras', 'geom', 'Point'],
  ['patrol_tracks', 'geom', 'LineString'],
  ['blocks', 'geom', 'MultiPolygon'],
  ['grids', 'geom', 'MultiPolygon'],
  ['overlay_zones', 'geom', 'MultiPolygon'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS postgis`.execute(db);

  await db.schema
    .createTable('jurisdictions')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level IN ('city', 'county', 'township', 'community')`))
    .addColumn('parent_code', 'text')
    .addColumn('households', 'integer')
    .addColumn('geom', sql`geometry(MultiPolygon, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('jurisdictions_pk', ['jcode', 'code'])
    .execute();

  await db.schema
    .createTable('streets')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind IN ('motorway', 'primary', 'secondary', 'tertiary', 'residential', 'service', 'path', 'river', 'rail')`))
    .addColumn('name', 'text')
    .addColumn('source_id', 'text')
    .addColumn('geom', sql`geometry(LineString, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('streets_pk', ['jcode', 'id'])
    .execute();

  await db.schema
    .createTable('address_points')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('households', 'integer', (c) => c.notNull().check(sql`households >= 1`))
    .addColumn('name', 'text')
    .addColumn('address', 'text')
    .addColumn('building_kind', 'text')
    .addColumn('levels', 'integer')
    .addColumn('source_id', 'text')
    .addColumn('geom', sql`geometry(Point, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('address_points_pk', ['jcode', 'id'])
    .execute();

  await db.schema
    .createTable('households')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('address_point_id', 'bigint', (c) => c.notNull())
    .addColumn('unit_no', 'text')
    .addColumn('members', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addPrimaryKeyConstraint('households_pk', ['jcode', 'id'])
    .addForeignKeyConstraint('households_ap_fk', ['jcode', 'address_point_id'], 'address_points', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('residents')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('household_id', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('id_number', 'text')
    .addColumn('phone', 'text')
    .addColumn('birth_date', 'date')
    .addColumn('relation', 'text')
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addPrimaryKeyConstraint('residents_pk', ['jcode', 'id'])
    .addForeignKeyConstraint('residents_hh_fk', ['jcode', 'household_id'], 'households', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('units')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('kind', 'text')
    .addColumn('dedicated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('geom', sql`geometry(MultiPolygon, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('units_pk', ['jcode', 'id'])
    .addUniqueConstraint('units_code_uq', ['jcode', 'code'])
    .execute();

  await db.schema
    .createTable('hazards')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull().check(sql`severity BETWEEN 1 AND 5`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status IN ('open', 'handling', 'closed')`))
    .addColumn('description', 'text')
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('geom', sql`geometry(Geometry, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('hazards_pk', ['jcode', 'id'])
    .execute();

  await db.schema
    .createTable('cameras')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('bearing', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('fov', 'double precision', (c) => c.notNull().defaultTo(90))
    .addColumn('range_m', 'double precision', (c) => c.notNull().defaultTo(50))
    .addColumn('geom', sql`geometry(Point, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('cameras_pk', ['jcode', 'id'])
    .execute();

  await db.schema
    .createTable('grid_staff')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('grid_code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('leader', 'member', 'specialist')`))
    .addColumn('department', 'text')
    .addColumn('phone', 'text')
    .addPrimaryKeyConstraint('grid_staff_pk', ['jcode', 'id'])
    .execute();

  await db.schema
    .createTable('patrol_tracks')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('staff_id', 'bigint')
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    /** seconds since started_at, one per vertex of geom */
    .addColumn('times', sql`double precision[]`, (c) => c.notNull())
    .addColumn('geom', sql`geometry(LineString, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('patrol_tracks_pk', ['jcode', 'id'])
    .execute();

  await db.schema
    .createTable('grid_plans')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status IN ('draft', 'published', 'archived')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('summary', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('parent_id', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .addPrimaryKeyConstraint('grid_plans_pk', ['jcode', 'id'])
    .execute();

  await db.schema
    .createTable('blocks')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'bigint', (c) => c.notNull())
    .addColumn('id', 'integer', (c) => c.notNull())
    .addColumn('households', 'integer', (c) => c.notNull())
    .addColumn('community_code', 'text')
    .addColumn('unit_code', 'text')
    .addColumn('grid_code', 'text')
    /** true where this block is a part of an oversized street block, split off the streets */
    .addColumn('split', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('geom', sql`geometry(MultiPolygon, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['jcode', 'plan_id', 'id'])
    .addForeignKeyConstraint('blocks_plan_fk', ['jcode', 'plan_id'], 'grid_plans', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('grids')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'bigint', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('community_code', 'text')
    .addColumn('households', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('geom', sql`geometry(MultiPolygon, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('grids_pk', ['jcode', 'plan_id', 'code'])
    .addForeignKeyConstraint('grids_plan_fk', ['jcode', 'plan_id'], 'grid_plans', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('overlay_layers')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department', 'text')
    .addPrimaryKeyConstraint('overlay_layers_pk', ['jcode', 'id'])
    .addUniqueConstraint('overlay_layers_name_uq', ['jcode', 'name'])
    .execute();

  await db.schema
    .createTable('overlay_zones')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('layer_id', 'bigint', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('attrs', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('geom', sql`geometry(MultiPolygon, 4326)`, (c) => c.notNull())
    .addPrimaryKeyConstraint('overlay_zones_pk', ['jcode', 'layer_id', 'code'])
    .addForeignKeyConstraint('overlay_zones_layer_fk', ['jcode', 'layer_id'], 'overlay_layers', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  for (const [table, column] of GEOM_TABLES) {
    await db.schema.createIndex(`${table}_${column}_gix`).on(table).using('gist').column(column).execute();
  }
  await db.schema.createIndex('jurisdictions_parent_ix').on('jurisdictions').columns(['jcode', 'parent_code']).execute();
  await db.schema.createIndex('households_ap_ix').on('households').columns(['jcode', 'address_point_id']).execute();
  await db.schema.createIndex('residents_hh_ix').on('residents').columns(['jcode', 'household_id']).execute();
  await db.schema.createIndex('grid_staff_grid_ix').on('grid_staff').columns(['jcode', 'grid_code']).execute();
  await db.schema.createIndex('patrol_tracks_day_ix').on('patrol_tracks').columns(['jcode', 'day']).execute();
  await db.schema.createIndex('blocks_grid_ix').on('blocks').columns(['jcode', 'plan_id', 'grid_code']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['overlay_zones', 'overlay_layers', 'grids', 'blocks', 'grid_plans', 'patrol_tracks', 'grid_staff',
    'cameras', 'hazards', 'units', 'residents', 'households', 'address_points', 'streets', 'jurisdictions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}

/**
 * Events and work orders (issue 20): events of both kinds (urban management matters, social governance matters),
 * their stage transitions, photos, per-jurisdiction type settings and Open311 client keys.
 *
 * Every table carries `jcode` and every primary key and unique constraint includes it (distribution by
 * jurisdiction later). `deadline_at` and `yellow_at` are fixed when the event is created, so a light is a range
 * test on indexed columns: red = deadline_at < now, yellow = yellow_at <= now <= deadline_at, green = now <
 * yellow_at; an event is open while closed_at IS NULL (a rejection closes it too).
 *
 * Row-level security for the role `wangge_reader` (as on residents, migrations/20261202T0100-auth.ts): admins,
 * commanders and planners read the events of their jurisdiction (every one when the account has none); a grid
 * worker only those of their own grids of their own jurisdiction; transitions and photos follow their event.
 */
import { sql, type Kysely } from 'kysely';

const SCOPE = sql`(current_setting('app.user_jcode', true) IS NULL OR current_setting('app.user_jcode', true) = '' OR jcode = current_setting('app.user_jcode', true))
    AND (
      current_setting('app.role', true) IN ('admin', 'commander', 'planner')
      OR (current_setting('app.role', true) = 'grid_worker'
        AND coalesce(current_setting('app.user_jcode', true), '') <> ''
        AND jcode = current_setting('app.user_jcode', true)
        AND grid_code = ANY (string_to_array(current_setting('app.user_grids', true), ','))))`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('urban', 'social')`))
    .addColumn('type_code', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source IN ('patrol', 'resident', 'hotline', 'camera', 'other')`))
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('reported')
      .check(sql`stage IN ('reported', 'accepted', 'registered', 'dispatched', 'handled', 'verified', 'closed', 'evaluated', 'rejected')`))
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal').check(sql`priority IN ('normal', 'urgent')`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('geom', sql`geometry(Point, 4326)`)
    .addColumn('plan_id', 'bigint')
    .addColumn('grid_code', 'text')
    .addColumn('community_code', 'text')
    .addColumn('township_code', 'text')
    .addColumn('reporter_name', 'text')
    .addColumn('reporter_phone', 'text')
    .addColumn('reported_by', 'text')
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deadline_at', 'timestamptz', (c) => c.notNull())
    .addColumn('yellow_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('on_time', 'boolean')
    .addColumn('dispatched_kind', 'text', (c) => c.check(sql`dispatched_kind IN ('department', 'grid_worker')`))
    .addColumn('dispatched_to', 'text')
    .addColumn('handled_by', 'text')
    .addColumn('duplicate_of', 'bigint')
    .addColumn('hotline_order_no', 'text')
    .addColumn('media_url', 'text')
    .addColumn('photos', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('result_photos', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mediation', 'jsonb')
    .addColumn('rating', 'integer', (c) => c.check(sql`rating BETWEEN 1 AND 5`))
    .addColumn('follow_up', 'text')
    .addColumn('status_notes', 'text')
    .addPrimaryKeyConstraint('events_pk', ['jcode', 'id'])
    .addUniqueConstraint('events_hotline_uq', ['jcode', 'hotline_order_no'])
    .execute();
  await db.schema.createIndex('events_geom_gix').on('events').using('gist').column('geom').execute();
  // the list a grid and its lights: open events of a grid by deadline
  await sql`CREATE INDEX events_open_grid_ix ON events (jcode, grid_code, deadline_at) WHERE closed_at IS NULL`.execute(db);
  await db.schema.createIndex('events_reported_ix').on('events').columns(['jcode', 'reported_at']).execute();
  await db.schema.createIndex('events_grid_reported_ix').on('events').columns(['jcode', 'grid_code', 'reported_at']).execute();
  await db.schema.createIndex('events_duplicate_ix').on('events').columns(['jcode', 'duplicate_of']).execute();

  await db.schema
    .createTable('event_transitions')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('role', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addPrimaryKeyConstraint('event_transitions_pk', ['jcode', 'event_id', 'seq'])
    .addForeignKeyConstraint('event_transitions_event_fk', ['jcode', 'event_id'], 'events', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('event_photos')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('report', 'result')`))
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_photos_pk', ['jcode', 'event_id', 'n'])
    .addForeignKeyConstraint('event_photos_event_fk', ['jcode', 'event_id'], 'events', ['jcode', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('event_type_settings')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('type_code', 'text', (c) => c.notNull())
    .addColumn('deadline_hours', 'double precision', (c) => c.check(sql`deadline_hours > 0`))
    .addColumn('yellow_share', 'double precision', (c) => c.check(sql`yellow_share > 0 AND yellow_share < 1`))
    .addColumn('result_photo_required', 'boolean')
    .addPrimaryKeyConstraint('event_type_settings_pk', ['jcode', 'type_code'])
    .execute();

  await db.schema
    .createTable('open311_clients')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('open311_clients_pk', ['jcode', 'key_hash'])
    .execute();

  await sql`GRANT SELECT ON events, event_transitions, event_photos TO wangge_reader`.execute(db);
  for (const t of ['events', 'event_transitions', 'event_photos']) await sql`ALTER TABLE ${sql.table(t)} ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY events_scope ON events FOR SELECT TO wangge_reader USING (${SCOPE})`.execute(db);
  await sql`CREATE POLICY event_transitions_scope ON event_transitions FOR SELECT TO wangge_reader USING (
    EXISTS (SELECT 1 FROM events e WHERE e.jcode = event_transitions.jcode AND e.id = event_transitions.event_id))`.execute(db);
  await sql`CREATE POLICY event_photos_scope ON event_photos FOR SELECT TO wangge_reader USING (
    EXISTS (SELECT 1 FROM events e WHERE e.jcode = event_photos.jcode AND e.id = event_photos.event_id))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP POLICY IF EXISTS event_photos_scope ON event_photos`.execute(db);
  await sql`DROP POLICY IF EXISTS event_transitions_scope ON event_transitions`.execute(db);
  await sql`DROP POLICY IF EXISTS events_scope ON events`.execute(db);
  await sql`REVOKE ALL ON events, event_transitions, event_photos FROM wangge_reader`.execute(db);
  for (const t of ['open311_clients', 'event_type_settings', 'event_photos', 'event_transitions', 'events']) await db.schema.dropTable(t).ifExists().execute();
}

/**
 * The duplicate search of a new event (same type, open, reported in the 24 hours before it, within 50 m) reads
 * the open events of one type by time: with many events around one place (a busy street corner, a hotline import
 * of 100,000 orders) the spatial index alone hands it every event nearby. This index hands it the few open
 * events of that type in the window instead.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX events_open_type_ix ON events (jcode, type_code, reported_at) WHERE closed_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS events_open_type_ix`.execute(db);
}

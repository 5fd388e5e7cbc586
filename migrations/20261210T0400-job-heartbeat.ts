/**
 * Jobs know which runner (process) owns them and when it last said it was alive (issue 17), so that a job left
 * queued or running by a killed process is marked failed, with its finish time, at the next start, while jobs of
 * live processes sharing a server database are left alone.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE jobs ADD COLUMN runner text, ADD COLUMN heartbeat_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE jobs DROP COLUMN IF EXISTS heartbeat_at, DROP COLUMN IF EXISTS runner`.execute(db);
}

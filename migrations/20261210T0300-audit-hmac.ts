/**
 * The audit chain becomes keyed (issue 17): each new entry's hash is HMAC-SHA256 with a key kept outside the
 * database (AUDIT_KEY, or <data dir>/audit.key). `alg` says how an entry was chained: 'sha256' for the entries
 * written before this migration (verified as before), 'hmac-sha256' after; once a keyed entry exists no
 * unkeyed entry may follow it.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_log ADD COLUMN alg text NOT NULL DEFAULT 'sha256' CHECK (alg IN ('sha256', 'hmac-sha256'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_log DROP COLUMN IF EXISTS alg`.execute(db);
}

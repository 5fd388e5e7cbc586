/**
 * Login attempts (issue 17): the login limiter's memory, kept in the database so that it survives a restart and
 * is shared by every process of a deployment. A row is written BEFORE the password is verified ('pending'),
 * under a transaction-level advisory lock, so parallel guesses are counted before any of them is checked; a
 * wrong password turns it into 'failed', a right one deletes it. Rows older than the window are swept.
 * Global like `users` and `sessions` (a login names no jurisdiction).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_attempts')
    .addColumn('id', 'bigint', (c) => c.notNull().generatedByDefaultAsIdentity().primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('pending', 'failed')`))
    .execute();
  await db.schema.createIndex('login_attempts_name_ix').on('login_attempts').columns(['name', 'at']).execute();
  await db.schema.createIndex('login_attempts_ip_ix').on('login_attempts').columns(['ip', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_attempts').ifExists().execute();
}

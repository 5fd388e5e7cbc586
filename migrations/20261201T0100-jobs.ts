/**
 * Jobs: long work run by the service in the background (partition, import by upload). The runner keeps live
 * progress in memory; this table keeps each job's request, outcome and problem for later reads and across
 * restarts. `jcode` is the jurisdiction the job works on, first in the primary key like every table.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('jcode', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('queued', 'running', 'succeeded', 'failed')`))
    .addColumn('phase', 'text')
    .addColumn('percent', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('result', 'jsonb')
    .addColumn('error', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addPrimaryKeyConstraint('jobs_pk', ['jcode', 'id'])
    .execute();
  await db.schema.createIndex('jobs_id_ix').on('jobs').column('id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jobs').ifExists().execute();
}

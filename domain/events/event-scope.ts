/**
 * Reads of events under row-level security: inside one transaction the session switches to the non-superuser
 * role `wangge_reader` with app.role / app.user_jcode / app.user_grids set for that transaction only, so the
 * policies of migrations/20261212T0100-events.ts filter in PostgreSQL (both engines), beside the same predicate
 * in the query itself (`scopePredicate`).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import type { Actor } from './workflow.ts';

/** Run `fn` as `actor` under row-level security. */
export async function withEventScope<T>(db: Kysely<DB>, actor: Actor, fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  const run = async (trx: Kysely<DB>) => {
    await sql`SET LOCAL ROLE wangge_reader`.execute(trx);
    await sql`SELECT set_config('app.role', ${actor.role}, true), set_config('app.user_jcode', ${actor.jcode ?? ''}, true),
      set_config('app.user_grids', ${actor.grids.join(',')}, true)`.execute(trx);
    try {
      return await fn(trx);
    } finally {
      if (trx.isTransaction && db.isTransaction) await sql`RESET ROLE`.execute(trx);
    }
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** The same rule as the policy, in the query (alias `e`): the events `actor` may see in `jcode`. */
export function scopePredicate(actor: Actor, jcode: string): RawBuilder<boolean> {
  if (actor.jcode !== null && actor.jcode !== jcode) return sql<boolean>`false`;
  if (actor.role === 'grid_worker') return actor.jcode === null ? sql<boolean>`false` : sql<boolean>`e.grid_code = ANY (${[...actor.grids]}::text[])`;
  return sql<boolean>`true`;
}

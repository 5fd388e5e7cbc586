/**
 * Publish a plan: it becomes the jurisdiction's one published plan (the one before is archived) and its
 * version increases, so caches keyed by plan version are invalidated.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { WanggeError } from '../errors.ts';
import { inTransaction } from '../../data/db/capabilities.ts';

/** @example await publishPlan(db, '370102001000', 7) */
export async function publishPlan(db: Kysely<any>, jcode: string, planId: number): Promise<void> {
  await inTransaction(db, async (trx) => {
    const p = await trx.selectFrom('grid_plans').select(['id', 'status']).where('jcode', '=', jcode).where('id', '=', planId).executeTakeFirst();
    if (!p) throw new WanggeError('not_found', `no plan ${planId} in ${jcode}`, { parameter: 'planId' });
    await trx.updateTable('grid_plans').set({ status: 'archived', version: sql`version + 1` })
      .where('jcode', '=', jcode).where('status', '=', 'published').where('id', '<>', planId).execute();
    await trx.updateTable('grid_plans').set({ status: 'published', published_at: sql`now()`, version: sql`version + 1` })
      .where('jcode', '=', jcode).where('id', '=', planId).execute();
  });
}

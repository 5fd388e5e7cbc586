/**
 * Grid staff for a plan: for every grid, a leader (网格长), one to three full-time members (专职网格员) and a
 * community police officer (specialist), with fictitious names and phones, deterministic per grid code.
 * Existing staff of the plan's grids are replaced.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { bulkInsert } from '../db/bulk-insert.ts';
import { inTransaction } from '../db/capabilities.ts';
import type { DB } from '../db/schema.ts';
import { Rng, hashSeed } from './rng.ts';
import { personName } from './names.ts';
import { makePhone } from './id-number.ts';

function codeHash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return h;
}

/** Create staff for every grid of plan `planId` of jurisdiction `jcode`; returns the number of staff rows. */
export async function assignStaff(db: Kysely<DB>, jcode: string, planId: number): Promise<number> {
  return inTransaction(db, async (trx: Kysely<DB>) => {
    const grids = await trx.selectFrom('grids').select('code').where('jcode', '=', jcode).where('plan_id', '=', planId).orderBy('code').execute();
    if (grids.length === 0) throw new WanggeError('not_found', `plan ${planId} of ${jcode} has no grids`, { parameter: 'planId' });
    await sql`DELETE FROM grid_staff WHERE jcode = ${jcode} AND grid_code IN (SELECT code FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId})`.execute(trx);
    const rows: Record<string, unknown>[] = [];
    for (const { code } of grids) {
      const rng = new Rng(hashSeed(codeHash(code), 4242));
      rows.push({ jcode, grid_code: code, name: personName(rng, rng.chance(0.5)), role: 'leader', department: '社区居委会', phone: makePhone(rng) });
      const n = rng.int(1, 3);
      for (let k = 0; k < n; k++) rows.push({ jcode, grid_code: code, name: personName(rng, rng.chance(0.4)), role: 'member', department: '专职网格员', phone: makePhone(rng) });
      rows.push({ jcode, grid_code: code, name: personName(rng, rng.chance(0.8)), role: 'specialist', department: '派出所社区民警', phone: makePhone(rng) });
    }
    return bulkInsert(trx, 'grid_staff', [
      { name: 'jcode', kind: 'text' }, { name: 'grid_code', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'role', kind: 'text' },
      { name: 'department', kind: 'text' }, { name: 'phone', kind: 'text' },
    ], rows);
  });
}

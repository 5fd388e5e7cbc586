/**
 * Reads of many or costly rows (a whole map layer, an OGC page of 10,000, a plan's blocks, a diff, a tile of the
 * whole town) without holding the embedded engine for one long statement (issue 17). The embedded engine has one
 * session and PGlite runs a statement to its end on the event loop: a 300 ms SELECT keeps every lookup waiting
 * 300 ms. There the query runs as a cursor inside a read-only transaction, as a session host
 * (data/db/pglite-pool.ts): FETCHes sized to take about `stepMs` each (the size adapts to the rows' cost), with the
 * short reads (lookups, bundles) running between them. The cursor reads one snapshot, so the answer is consistent
 * as a single SELECT's. On a server the query runs at once (a pool of sessions: nothing waits for it); so it does on
 * the embedded engine for a guest while a host holds the session (a validation running): it runs between the host's
 * statements as one SELECT, as guests do, instead of waiting for the whole validation to take the session.
 *
 * Only the work the query's plan does row by row is spread: a sort or an aggregate over all rows still happens in
 * the first FETCH. Queries given here stream in the order of an index, or have LIMIT (so PostgreSQL computes the
 * costly columns, such as ST_AsGeoJSON, after the sort, as rows are fetched).
 *
 *   const rows = await readInSteps(db, sql<{ id: number; g: string }>`SELECT id, ST_AsGeoJSON(geom) AS g FROM streets ORDER BY id`);
 */
import { CompiledQuery, type Kysely, type RawBuilder } from 'kysely';
import { capabilitiesOf, inTransaction } from './capabilities.ts';
import { guestBesideHost, runAsStepReader } from './pglite-pool.ts';

/** Rows of the first FETCH, and the bounds of the adapted size. */
const FIRST_ROWS = 32;
const MIN_ROWS = 4;
const MAX_ROWS = 8192;
/** Time one FETCH should take on the embedded engine, ms. */
export const STEP_MS = 15;

let cursors = 0;

/** All rows of `query`, read in FETCHes of about `stepMs` on the embedded engine, at once on a server. */
export async function readInSteps<R>(db: Kysely<any>, query: RawBuilder<R>, stepMs = STEP_MS): Promise<R[]> {
  const compiled = query.compile(db);
  if ((await capabilitiesOf(db)).engine !== 'embedded' || (!db.isTransaction && guestBesideHost())) return (await db.executeQuery<R>(compiled)).rows;
  const name = `wangge_steps_${++cursors}`;
  const read = (trx: Kysely<any>) => readCursor<R>(trx, name, compiled, stepMs);
  // inside a transaction already (a validation's): its cursor lives there; else a read-only one of its own
  return db.isTransaction ? read(db) : runAsStepReader(() => inTransaction(db, read));
}

async function readCursor<R>(trx: Kysely<any>, name: string, compiled: CompiledQuery<R>, stepMs: number): Promise<R[]> {
  await trx.executeQuery(CompiledQuery.raw(`DECLARE ${name} NO SCROLL CURSOR FOR ${compiled.sql}`, [...compiled.parameters]));
  const rows: R[] = [];
  let size = FIRST_ROWS;
  try {
    for (;;) {
      const t0 = performance.now();
      const part = (await trx.executeQuery<R>(CompiledQuery.raw(`FETCH ${size} FROM ${name}`))).rows;
      const ms = performance.now() - t0;
      for (const r of part) rows.push(r);
      if (part.length < size) return rows;
      if (ms < stepMs / 2) size = Math.min(MAX_ROWS, size * 2);
      else if (ms > stepMs * 2) size = Math.max(MIN_ROWS, Math.floor(size / 2));
    }
  } finally {
    await trx.executeQuery(CompiledQuery.raw(`CLOSE ${name}`)).catch(() => undefined);
  }
}

/**
 * The append-only, hash-chained audit log of reads of personal data. Each entry's hash is
 * sha256(prev_hash || canonical entry) where the canonical entry is the JSON of its fields in a fixed order;
 * the first entry chains to 64 zeros. Appends are serialised by a transaction-level advisory lock, so two
 * requests never fork the chain. `verifyAuditChain` recomputes every hash and finds the first broken entry.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { inTransaction } from '../../data/db/capabilities.ts';

export const GENESIS_HASH = '0'.repeat(64);
/** advisory lock key of the audit chain */
const AUDIT_LOCK = 7_070_707;

export interface AuditInput {
  jcode: string | null;
  userName: string | null;
  role: string | null;
  action: string;
  route: string;
  ip: string | null;
  gridCode: string | null;
  outcome: 'ok' | 'denied';
  recordIds: number[];
}

export interface AuditEntry extends AuditInput {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

/** The canonical text of an entry (fixed field order; the hashes themselves excluded). */
export function canonicalEntry(e: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  return JSON.stringify([e.seq, e.at, e.jcode ?? '', e.userName, e.role, e.action, e.route, e.ip, e.gridCode, e.outcome, e.recordIds]);
}

export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonical, 'utf8').digest('hex');
}

/** Append one entry; returns it. */
export async function appendAudit(db: Kysely<any>, input: AuditInput): Promise<AuditEntry> {
  return inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    const { rows } = await sql<{ seq: string; hash: string }>`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`.execute(trx);
    const seq = rows[0] ? Number(rows[0].seq) + 1 : 1;
    const prevHash = rows[0]?.hash ?? GENESIS_HASH;
    const base = { ...input, jcode: input.jcode ?? '', recordIds: [...input.recordIds].map(Number), seq, at: new Date().toISOString() };
    const hash = chainHash(prevHash, canonicalEntry(base));
    await sql`INSERT INTO audit_log (seq, jcode, at, user_name, role, action, route, ip, grid_code, outcome, record_ids, prev_hash, hash)
      VALUES (${seq}, ${base.jcode}, ${base.at}, ${base.userName}, ${base.role}, ${base.action}, ${base.route}, ${base.ip}, ${base.gridCode},
        ${base.outcome}, ${base.recordIds}::bigint[], ${prevHash}, ${hash})`.execute(trx);
    return { ...base, prevHash, hash };
  });
}

interface AuditRow {
  seq: string | number; jcode: string; at: string; user_name: string | null; role: string | null; action: string; route: string;
  ip: string | null; grid_code: string | null; outcome: string; record_ids: Array<string | number>; prev_hash: string; hash: string;
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq), jcode: r.jcode, at: r.at, userName: r.user_name, role: r.role, action: r.action, route: r.route, ip: r.ip,
    gridCode: r.grid_code, outcome: r.outcome as AuditEntry['outcome'], recordIds: (r.record_ids ?? []).map(Number), prevHash: r.prev_hash, hash: r.hash,
  };
}

/** Entries in chain order (all jurisdictions; optionally the last `limit`). */
export async function readAudit(db: Kysely<any>, opts: { jcode?: string; limit?: number } = {}): Promise<AuditEntry[]> {
  const { rows } = await sql<AuditRow>`SELECT * FROM (
      SELECT * FROM audit_log WHERE ${opts.jcode === undefined ? sql`true` : sql`jcode = ${opts.jcode}`}
      ORDER BY seq DESC LIMIT ${opts.limit ?? 1000}) t ORDER BY seq`.execute(db);
  return rows.map(toEntry);
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  /** the first entry whose hash, link or sequence is wrong */
  brokenAt: number | null;
}

/** Recompute the whole chain (every jurisdiction: the chain is global). */
export async function verifyAuditChain(db: Kysely<any>): Promise<ChainReport> {
  const { rows } = await sql<AuditRow>`SELECT * FROM audit_log ORDER BY seq`.execute(db);
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  for (const r of rows) {
    const e = toEntry(r);
    if (e.seq !== expectSeq || e.prevHash !== prev || chainHash(prev, canonicalEntry(e)) !== e.hash) {
      return { ok: false, entries: rows.length, brokenAt: e.seq };
    }
    prev = e.hash;
    expectSeq += 1;
  }
  return { ok: true, entries: rows.length, brokenAt: null };
}

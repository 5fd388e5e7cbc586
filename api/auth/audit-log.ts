/**
 * The append-only, keyed hash chain of reads of personal data (issue 7, keyed in issue 17).
 *
 * Each entry's hash is HMAC-SHA256(key, prev_hash || canonical entry), the canonical entry being the JSON of its
 * fields in a fixed order; the first entry chains to 64 zeros. The key lives outside the database (AUDIT_KEY, or
 * `<data dir>/audit.key`, generated on first start with mode 0600), so whoever can write the table but not read
 * the key cannot rewrite history and recompute the chain. Entries written before the key existed carry
 * alg = 'sha256' and are verified the old way; none may follow a keyed one.
 *
 * The checkpoint: after every append the latest sequence number and hash, signed with the same key, are written
 * outside the audit table (`<data dir>/audit-checkpoint.json`, replaced atomically). Deleting the newest rows
 * leaves the chain itself consistent, but not with the checkpoint: `verifyAuditChain` reports it.
 *
 * Appends are serialised by a transaction-level advisory lock, so two requests never fork the chain.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { inTransaction } from '../../data/db/capabilities.ts';

export const GENESIS_HASH = '0'.repeat(64);
/** advisory lock key of the audit chain */
const AUDIT_LOCK = 7_070_707;

export type AuditAlg = 'sha256' | 'hmac-sha256';

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
  alg: AuditAlg;
}

/** The key of the chain and where its checkpoint is kept (null: no checkpoint, e.g. a unit test). */
export interface AuditChain {
  key: Buffer;
  checkpointFile: string | null;
}

/** The key from AUDIT_KEY, else from `<dataDir>/audit.key`, generated there (0600) when missing. */
export function loadAuditKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = path.join(dataDir, 'audit.key');
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    if (text.length < 32) throw new Error(`${file}: the audit key is shorter than 32 characters`);
    return Buffer.from(text, 'utf8');
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // another process made it first: use theirs
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
    throw e;
  }
  return Buffer.from(key, 'utf8');
}

/** The audit chain of a data directory: its key and `<dataDir>/audit-checkpoint.json`. */
export function auditChainOf(configuredKey: string | undefined, dataDir: string): AuditChain {
  return { key: loadAuditKey(configuredKey, dataDir), checkpointFile: path.join(dataDir, 'audit-checkpoint.json') };
}

/** The canonical text of an entry (fixed field order; the hashes themselves excluded). */
export function canonicalEntry(e: Omit<AuditEntry, 'hash' | 'prevHash' | 'alg'>): string {
  return JSON.stringify([e.seq, e.at, e.jcode ?? '', e.userName, e.role, e.action, e.route, e.ip, e.gridCode, e.outcome, e.recordIds]);
}

/** The link of an entry: keyed (HMAC-SHA256) when a key is given, else the legacy plain SHA-256. */
export function chainHash(prevHash: string, canonical: string, key?: Buffer): string {
  const h = key ? createHmac('sha256', key) : createHash('sha256');
  return h.update(prevHash, 'utf8').update(canonical, 'utf8').digest('hex');
}

export interface Checkpoint { seq: number; hash: string; at: string; mac: string }

function checkpointMac(key: Buffer, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`wangge-audit-checkpoint\n${seq}\n${hash}`, 'utf8').digest('hex');
}

/** The checkpoint as stored, or null when there is none; `valid` says whether its signature holds. */
export function readCheckpoint(chain: AuditChain): (Checkpoint & { valid: boolean }) | null {
  if (!chain.checkpointFile || !existsSync(chain.checkpointFile)) return null;
  try {
    const c = JSON.parse(readFileSync(chain.checkpointFile, 'utf8')) as Checkpoint;
    const want = Buffer.from(checkpointMac(chain.key, Number(c.seq), String(c.hash)), 'hex');
    const got = Buffer.from(String(c.mac), 'hex');
    return { seq: Number(c.seq), hash: String(c.hash), at: String(c.at), mac: String(c.mac), valid: got.length === want.length && timingSafeEqual(got, want) };
  } catch {
    return { seq: 0, hash: '', at: '', mac: '', valid: false };
  }
}

// one writer per checkpoint file in this process; a checkpoint only moves forward
const checkpointWrites = new Map<string, Promise<void>>();

function advanceCheckpoint(chain: AuditChain, seq: number, hash: string): Promise<void> {
  const file = chain.checkpointFile;
  if (!file) return Promise.resolve();
  const prev = checkpointWrites.get(file) ?? Promise.resolve();
  const next = prev.then(() => {
    const cur = readCheckpoint(chain);
    if (cur && cur.valid && cur.seq >= seq) return;
    mkdirSync(path.dirname(file), { recursive: true });
    const body: Checkpoint = { seq, hash, at: new Date().toISOString(), mac: checkpointMac(chain.key, seq, hash) };
    const part = `${file}.${process.pid}.part`;
    writeFileSync(part, `${JSON.stringify(body)}\n`, { mode: 0o600 });
    renameSync(part, file);
  });
  checkpointWrites.set(file, next.catch(() => undefined));
  return next;
}

/** Append one entry (keyed); returns it once it is committed and the checkpoint moved to it. */
export async function appendAudit(db: Kysely<any>, input: AuditInput, chain: AuditChain): Promise<AuditEntry> {
  const entry = await inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    const { rows } = await sql<{ seq: string; hash: string }>`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`.execute(trx);
    const seq = rows[0] ? Number(rows[0].seq) + 1 : 1;
    const prevHash = rows[0]?.hash ?? GENESIS_HASH;
    const base = { ...input, jcode: input.jcode ?? '', recordIds: [...input.recordIds].map(Number), seq, at: new Date().toISOString() };
    const hash = chainHash(prevHash, canonicalEntry(base), chain.key);
    await sql`INSERT INTO audit_log (seq, jcode, at, user_name, role, action, route, ip, grid_code, outcome, record_ids, prev_hash, hash, alg)
      VALUES (${seq}, ${base.jcode}, ${base.at}, ${base.userName}, ${base.role}, ${base.action}, ${base.route}, ${base.ip}, ${base.gridCode},
        ${base.outcome}, ${base.recordIds}::bigint[], ${prevHash}, ${hash}, 'hmac-sha256')`.execute(trx);
    return { ...base, prevHash, hash, alg: 'hmac-sha256' as const };
  });
  // after the commit: a crash in between leaves the checkpoint one entry behind, never ahead
  await advanceCheckpoint(chain, entry.seq, entry.hash);
  return entry;
}

interface AuditRow {
  seq: string | number; jcode: string; at: string; user_name: string | null; role: string | null; action: string; route: string;
  ip: string | null; grid_code: string | null; outcome: string; record_ids: Array<string | number>; prev_hash: string; hash: string; alg?: string;
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq), jcode: r.jcode, at: r.at, userName: r.user_name, role: r.role, action: r.action, route: r.route, ip: r.ip,
    gridCode: r.grid_code, outcome: r.outcome as AuditEntry['outcome'], recordIds: (r.record_ids ?? []).map(Number), prevHash: r.prev_hash, hash: r.hash,
    alg: r.alg === 'hmac-sha256' ? 'hmac-sha256' : 'sha256',
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
  /** the first entry whose hash, link or sequence is wrong, or the first one missing behind the checkpoint */
  brokenAt: number | null;
  /** why it does not hold (null when it does) */
  reason: string | null;
  /** the signed checkpoint compared with (null: none written yet) */
  checkpoint: { seq: number; at: string } | null;
}

/** Recompute the whole chain (every jurisdiction: the chain is global) and compare its end with the checkpoint. */
export async function verifyAuditChain(db: Kysely<any>, chain: AuditChain): Promise<ChainReport> {
  const { rows } = await sql<AuditRow>`SELECT * FROM audit_log ORDER BY seq`.execute(db);
  const cp = readCheckpoint(chain);
  const checkpoint = cp ? { seq: cp.seq, at: cp.at } : null;
  const fail = (brokenAt: number | null, reason: string): ChainReport => ({ ok: false, entries: rows.length, brokenAt, reason, checkpoint });
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let keyed = false;
  const hashAt = new Map<number, string>();
  for (const r of rows) {
    const e = toEntry(r);
    if (e.seq !== expectSeq) return fail(expectSeq, `entry ${expectSeq} is missing`);
    if (e.prevHash !== prev) return fail(e.seq, `entry ${e.seq} does not link to the entry before it`);
    if (e.alg === 'sha256' && keyed) return fail(e.seq, `entry ${e.seq} is unkeyed after keyed entries`);
    keyed ||= e.alg === 'hmac-sha256';
    if (chainHash(prev, canonicalEntry(e), e.alg === 'hmac-sha256' ? chain.key : undefined) !== e.hash) return fail(e.seq, `entry ${e.seq} was changed`);
    hashAt.set(e.seq, e.hash);
    prev = e.hash;
    expectSeq += 1;
  }
  if (cp) {
    if (!cp.valid) return fail(null, 'the checkpoint outside the table is not signed with the audit key');
    if (cp.seq > rows.length) return fail(rows.length + 1, `the checkpoint names entry ${cp.seq} but the log ends at ${rows.length}: the newest entries were removed`);
    if (cp.seq > 0 && hashAt.get(cp.seq) !== cp.hash) return fail(cp.seq, `entry ${cp.seq} differs from the checkpoint`);
  }
  return { ok: true, entries: rows.length, brokenAt: null, reason: null, checkpoint };
}

/**
 * Damage checks of an embedded data directory (issue 17), before PGlite opens it:
 *
 * 1. structure: a directory that holds a database has PG_VERSION, base/ and global/pg_control, and pg_control's
 *    own CRC-32C is right. A missing or torn pg_control used to end the process in `RuntimeError: Aborted()`.
 * 2. the seal: at every clean close the files of the directory are hashed into `<dir>.seal.json` (with the table
 *    each relation file belongs to). At the next open every file is checked against it; a changed, shortened or
 *    missing file is damage (PostgreSQL itself reads an all-zero page as an empty one, so zeroed pages of a table
 *    would otherwise lose rows without a word). The seal is removed once the database is open, so after a crash
 *    there is none: PostgreSQL's recovery replays its log and the check says it could not compare.
 *
 * Every failure is a DamagedDataError (a WanggeError `engine`) naming the directory, the file and, where known,
 * the table, and saying what to do.
 */
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, readSync, closeSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WanggeError } from '../errors.ts';

export class DamagedDataError extends WanggeError {
  constructor(readonly dataDir: string, detail: string, options?: { cause?: unknown }) {
    super('engine', `the embedded database in ${dataDir} is damaged: ${detail}. Restore it from a backup, or move the directory aside `
      + '(the next start creates an empty database)', { parameter: 'WANGGE_DATA_DIR' }, options);
    this.name = 'DamagedDataError';
  }
}

/** The seal file of a data directory (a sibling of it). */
export function sealFileOf(dataDir: string): string {
  const abs = path.resolve(dataDir);
  return path.join(path.dirname(abs), `${path.basename(abs)}.seal.json`);
}

let CRC_TABLE: Uint32Array | null = null;

/** CRC-32C (Castagnoli), as PostgreSQL computes it for pg_control. */
export function crc32c(buf: Uint8Array, end = buf.length): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      CRC_TABLE[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) crc = CRC_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Whether pg_control's bytes hold a control record whose CRC matches. The record's length differs between
 * PostgreSQL versions, so every 4-byte-aligned end is tried: the CRC of the record is stored right after it.
 */
export function controlFileIntact(bytes: Uint8Array): boolean {
  if (bytes.length < 64) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // running CRC, finished at each aligned offset
  if (!CRC_TABLE) crc32c(new Uint8Array(0));
  const table = CRC_TABLE!;
  let crc = 0xffffffff;
  const limit = Math.min(bytes.length - 4, 1024);
  for (let i = 0; i < limit; i++) {
    crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    const end = i + 1;
    if (end % 4 === 0 && end >= 16 && ((crc ^ 0xffffffff) >>> 0) === view.getUint32(end, true)) return true;
  }
  return false;
}

/** Whether the directory holds nothing yet (a new database will be created there). */
export function isFreshDataDir(dataDir: string): boolean {
  if (!existsSync(dataDir)) return true;
  return readdirSync(dataDir).length === 0;
}

/** Structural check before opening; throws DamagedDataError. A fresh (empty or missing) directory passes. */
export function checkDataDirStructure(dataDir: string): void {
  if (isFreshDataDir(dataDir)) return;
  const need = ['PG_VERSION', 'base', path.join('global', 'pg_control')];
  const missing = need.filter((f) => !existsSync(path.join(dataDir, f)));
  if (missing.length) {
    const what = missing.includes('PG_VERSION') && missing.length === need.length
      ? 'it is not empty but holds no database (no PG_VERSION, base/ or global/pg_control)'
      : `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`;
    throw new DamagedDataError(dataDir, what);
  }
  const control = readFileSync(path.join(dataDir, 'global', 'pg_control'));
  if (!controlFileIntact(control)) throw new DamagedDataError(dataDir, 'global/pg_control fails its checksum (the control file is torn or overwritten)');
}

export interface Seal {
  version: 1;
  sealedAt: string;
  /** relative path → sha256 and size */
  files: Record<string, { sha256: string; size: number }>;
  /** relative path of a relation file (main fork) → the table or index it holds */
  relations: Record<string, string>;
}

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? path.join(rel, e.name) : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, r));
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

function hashFile(file: string): string {
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Hash every file of a closed data directory into its seal. `relations` maps relation file paths to names. */
export function writeSeal(dataDir: string, relations: Record<string, string>): Seal {
  const files: Seal['files'] = {};
  for (const f of listFiles(dataDir)) files[f.split(path.sep).join('/')] = { sha256: hashFile(path.join(dataDir, f)), size: statSync(path.join(dataDir, f)).size };
  const seal: Seal = { version: 1, sealedAt: new Date().toISOString(), files, relations };
  const file = sealFileOf(dataDir);
  writeFileSync(`${file}.part`, JSON.stringify(seal));
  renameSync(`${file}.part`, file);
  return seal;
}

function relationOf(seal: Seal, rel: string): string | null {
  // base/5/16450, base/5/16450.1 (segments), base/5/16450_fsm (forks)
  const main = rel.replace(/(\.\d+|_(fsm|vm|init))$/, '');
  return seal.relations[main] ?? null;
}

export interface SealCheck {
  /** true: compared with the seal of the last clean close; false: there was none (first open, or a crash) */
  compared: boolean;
  files: number;
}

/** Compare the directory with its seal; throws DamagedDataError on any difference. No seal: nothing compared. */
export function verifySeal(dataDir: string): SealCheck {
  const file = sealFileOf(dataDir);
  if (!existsSync(file)) return { compared: false, files: 0 };
  let seal: Seal;
  try {
    seal = JSON.parse(readFileSync(file, 'utf8')) as Seal;
    if (seal.version !== 1 || typeof seal.files !== 'object') throw new Error('unknown seal format');
  } catch (e) {
    throw new DamagedDataError(dataDir, `its seal ${file} cannot be read (${(e as Error).message})`);
  }
  const problems: string[] = [];
  const name = (rel: string) => {
    const r = relationOf(seal, rel);
    return r ? `table ${r} (${rel})` : rel;
  };
  for (const [rel, want] of Object.entries(seal.files)) {
    const abs = path.join(dataDir, ...rel.split('/'));
    if (!existsSync(abs)) { problems.push(`${name(rel)} is missing`); continue; }
    const size = statSync(abs).size;
    if (size !== want.size) { problems.push(`${name(rel)} is ${size} bytes, was ${want.size}`); continue; }
    if (hashFile(abs) !== want.sha256) problems.push(`${name(rel)} changed since the last clean shutdown`);
    if (problems.length >= 5) break;
  }
  if (problems.length) throw new DamagedDataError(dataDir, problems.join('; '));
  return { compared: true, files: Object.keys(seal.files).length };
}

/** Remove the seal (done once the database is open: from now on the files change). */
export function removeSeal(dataDir: string): void {
  rmSync(sealFileOf(dataDir), { force: true });
}

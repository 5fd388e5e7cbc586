/**
 * The one module that decides which engine runs. `DATABASE_URL` (or `url`) set: a `pg` pool to PostgreSQL
 * with PostGIS. Unset: embedded PGlite with PostGIS, persisted under a data directory. Both are driven
 * through Kysely's PostgresDialect, so every other module sees the same `Kysely<DB>`.
 *
 * An embedded data directory on disk is opened by one process only (data-dir-lock.ts: `<dir>.lock`, a second
 * opener is refused naming the holder's pid) and is checked for damage before PGlite touches it
 * (data-dir-check.ts: structure, pg_control's checksum, and the files against the seal written at the last
 * clean close). Any failure to open it is a clear error, never a WebAssembly abort.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGlitePool } from './pglite-pool.ts';
import { probeCapabilities, type Capabilities } from './capabilities.ts';
import { migrateToLatest } from './migrate.ts';
import type { DB } from './schema.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { checkDataDirStructure, DamagedDataError, isFreshDataDir, removeSeal, verifySeal, writeSeal } from './data-dir-check.ts';
import { WanggeError } from '../errors.ts';

// Same JavaScript types from both engines: bigint and numeric come back as numbers (PGlite's default).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** A statement whose SQL starts with this comment is prepared once per server connection (see openDatabase). */
export const PREPARED_MARKER = '/*prepared*/';

function statementHash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return `${h.toString(36)}_${text.length}`;
}

export interface Database {
  db: Kysely<DB>;
  caps: Capabilities;
  /** where the data live: the server URL without its password, or the embedded data directory */
  location: string;
  /** what the opening found worth telling (e.g. no seal to compare with after a crash) */
  notices?: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… for the server engine; undefined for the embedded one */
  url?: string;
  /** embedded data directory; `memory://` keeps nothing on disk (tests) */
  dataDir?: string;
  /** apply pending migrations (default true) */
  migrate?: boolean;
  /** per-statement timeout on the server engine, milliseconds (default 60 s) */
  statementTimeoutMs?: number;
  poolSize?: number;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  let db: Kysely<DB>;
  let location: string;
  if (opts.url) {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      statement_timeout: opts.statementTimeoutMs ?? 60_000,
      application_name: 'wangge',
    });
    // hot statements opt into server-side prepared statements with a leading PREPARED_MARKER comment: planned once
    // per connection instead of on every call (the statement's text, hence its name, is the same for every call)
    pool.on('connect', (client) => {
      const plain = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, ...rest: unknown[]) =>
        typeof text === 'string' && text.startsWith(PREPARED_MARKER) && Array.isArray(rest[0])
          ? plain({ name: `w${statementHash(text)}`, text, values: rest[0] }, ...rest.slice(1))
          : plain(text, ...rest);
    });
    // an idle client that loses its server (restart, admin termination) must not crash the process: the pool
    // drops it and the next query gets a fresh connection
    pool.on('error', (e) => process.stderr.write(`wangge: database connection lost (${e.message}); reconnecting on next use\n`));
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    location = redact(opts.url);
  } else {
    const dataDir = opts.dataDir ?? path.resolve('.wangge', 'db');
    if (dataDir.startsWith('memory://')) {
      db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(await PGlite.create({ dataDir, extensions: { postgis } })) as any }) });
      location = dataDir;
    } else {
      return openEmbeddedOnDisk(dataDir, opts);
    }
  }
  try {
    if (opts.migrate !== false) await migrateToLatest(db);
    const caps = await probeCapabilities(db, opts.url ? 'server' : 'embedded');
    return { db, caps, location, close: () => db.destroy() };
  } catch (e) {
    await db.destroy().catch(() => undefined);
    throw e;
  }
}

/** Relation file path → table or index name, for naming what a damaged file held. */
async function relationFiles(db: Kysely<DB>): Promise<Record<string, string>> {
  const { rows } = await sql<{ p: string; name: string }>`SELECT pg_relation_filepath(c.oid) AS p, coalesce(o.relname || ' (long values)', c.relname) AS name
    FROM pg_class c LEFT JOIN pg_class o ON o.reltoastrelid = c.oid
    WHERE c.relkind IN ('r', 'i', 't', 'm', 'S') AND pg_relation_filepath(c.oid) IS NOT NULL`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.p, r.name]));
}

/** The embedded engine on a data directory: lock, damage checks, open, and a seal at the clean close. */
async function openEmbeddedOnDisk(dataDir: string, opts: OpenOptions): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const lock: DataDirLock = lockDataDir(dataDir);
  const notices: string[] = [];
  let db: Kysely<DB> | null = null;
  try {
    const fresh = isFreshDataDir(dataDir);
    checkDataDirStructure(dataDir);
    if (!fresh) {
      const seal = verifySeal(dataDir);
      if (!seal.compared) notices.push(`no seal from a clean close in ${dataDir}: the last run ended without closing the database (killed or crashed); PostgreSQL replays its log, the files could not be compared`);
    }
    let pgl: PGlite;
    try {
      pgl = await PGlite.create({ dataDir, extensions: { postgis } });
      await pgl.query('SELECT 1');
    } catch (e) {
      if (e instanceof WanggeError) throw e;
      throw new DamagedDataError(dataDir, `PostgreSQL could not start on it (${String((e as Error)?.message ?? e).slice(0, 200)})`, { cause: e });
    }
    removeSeal(dataDir);
    const kdb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pgl) as any }) });
    db = kdb;
    if (opts.migrate !== false) await migrateToLatest(kdb);
    const caps = await probeCapabilities(kdb, 'embedded');
    let closed = false;
    return {
      db: kdb, caps, location: dataDir, notices,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          const relations = await relationFiles(kdb).catch(() => null);
          await kdb.destroy();
          // hashed after PGlite's shutdown checkpoint: the files as the next open must find them
          if (relations) writeSeal(dataDir, relations);
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    await db?.destroy().catch(() => undefined);
    lock.release();
    throw e;
  }
}

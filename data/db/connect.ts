/**
 * The one module that decides which engine runs. `DATABASE_URL` (or `url`) set: a `pg` pool to PostgreSQL
 * with PostGIS. Unset: embedded PGlite with PostGIS, persisted under a data directory. Both are driven
 * through Kysely's PostgresDialect, so every other module sees the same `Kysely<DB>`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGlitePool } from './pglite-pool.ts';
import { probeCapabilities, type Capabilities } from './capabilities.ts';
import { migrateToLatest } from './migrate.ts';
import type { DB } from './schema.ts';

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
    if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
    const pgl = await PGlite.create({ dataDir, extensions: { postgis } });
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pgl) as any }) });
    location = dataDir;
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

/**
 * Throwaway databases for one-shot commands (issue 17): `wangge partition|validate|repair|merge <problem-dir>`
 * import their problem into a database of their own, dropped when the command ends, instead of into the
 * product's database.
 *
 * - embedded: an in-memory PGlite loaded from a migrated template (`<templateDir>/scratch-template.tar`, made
 *   once and remade when the migrations or PGlite change), so a command does not pay for CREATE EXTENSION
 *   postgis each time. The product's data directory (and its lock) is never touched.
 * - server: a new database created beside DATABASE_URL's (CREATEDB right needed) and dropped afterwards.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { openDatabase, type Database } from './connect.ts';
import { PGlitePool } from './pglite-pool.ts';
import { migrateToLatest, MIGRATIONS_DIR } from './migrate.ts';
import { probeCapabilities } from './capabilities.ts';
import { WanggeError } from '../errors.ts';
import type { DB } from './schema.ts';

export interface ScratchOptions {
  /** postgres://… to make the scratch database on that server; unset: embedded */
  url?: string;
  /** where the embedded template is kept (default: the OS temp directory) */
  templateDir?: string;
  statementTimeoutMs?: number;
}

function pgliteVersion(): string {
  try {
    const req = createRequire(import.meta.url);
    return String((req('@electric-sql/pglite/package.json') as { version?: string }).version ?? '?');
  } catch {
    return '?';
  }
}

/** What the template must match: the migrations and the engine's version. */
function templateKey(): string {
  const migrations = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{8}T\d{4}-[\w-]+\.ts$/.test(f)).sort();
  return JSON.stringify({ pglite: pgliteVersion(), migrations });
}

async function embeddedTemplate(dir: string): Promise<Buffer | null> {
  const file = path.join(dir, 'scratch-template.tar');
  const keyFile = `${file}.key`;
  const key = templateKey();
  if (existsSync(file) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return readFileSync(file);
  const pgl = await PGlite.create({ extensions: { postgis } });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pgl) as any }) });
  try {
    await migrateToLatest(db);
    const blob = await pgl.dumpDataDir('none');
    const bytes = Buffer.from(await blob.arrayBuffer());
    try {
      mkdirSync(dir, { recursive: true });
      const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
      writeFileSync(`${file}.${tag}.part`, bytes);
      renameSync(`${file}.${tag}.part`, file);
      writeFileSync(`${keyFile}.${tag}.part`, key);
      renameSync(`${keyFile}.${tag}.part`, keyFile);
    } catch {
      // a read-only place: the next command builds it again
    }
    return bytes;
  } finally {
    await db.destroy();
  }
}

/** A migrated, empty database that disappears when closed. */
export async function openScratchDatabase(opts: ScratchOptions = {}): Promise<Database> {
  if (!opts.url) {
    const bytes = await embeddedTemplate(opts.templateDir ?? path.join(os.tmpdir(), 'wangge-scratch'));
    const pgl = await PGlite.create({ extensions: { postgis }, ...(bytes ? { loadDataDir: new Blob([new Uint8Array(bytes)]) } : {}) });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pgl) as any }) });
    try {
      await migrateToLatest(db);
      const caps = await probeCapabilities(db, 'embedded');
      return { db, caps, location: 'memory:// (throwaway)', close: () => db.destroy() };
    } catch (e) {
      await db.destroy().catch(() => undefined);
      throw e;
    }
  }
  const name = `wangge_scratch_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: opts.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    throw new WanggeError('forbidden', `could not create a throwaway database beside DATABASE_URL (${(e as Error).message}): grant CREATEDB, or pass --keep to work in the product's database`, { parameter: 'DATABASE_URL' });
  } finally {
    await admin.end();
  }
  const dropIt = async () => {
    const a = new pg.Client({ connectionString: opts.url });
    await a.connect();
    try {
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await a.end();
    }
  };
  const u = new URL(opts.url);
  u.pathname = `/${name}`;
  let inner: Database;
  try {
    inner = await openDatabase({ url: u.toString(), poolSize: 4, statementTimeoutMs: opts.statementTimeoutMs });
  } catch (e) {
    await dropIt().catch(() => undefined);
    throw e;
  }
  return {
    ...inner,
    location: `${inner.location} (throwaway)`,
    close: async () => {
      try {
        await inner.close();
      } finally {
        await dropIt();
      }
    },
  };
}

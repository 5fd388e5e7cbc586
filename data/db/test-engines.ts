/**
 * Real engines for tests. The embedded engine always runs; the server engine runs too when
 * TEST_DATABASE_URL is set. Each test file gets its own fresh database: on the server a new database
 * created beside TEST_DATABASE_URL's and dropped afterwards; embedded, a PGlite loaded from a migrated
 * snapshot (made once per run by vitest's global setup) so that files do not each pay for CREATE EXTENSION.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { openDatabase, type Database } from './connect.ts';
import { PGlitePool } from './pglite-pool.ts';
import { migrateToLatest } from './migrate.ts';
import { probeCapabilities } from './capabilities.ts';
import type { DB } from './schema.ts';

export type EngineName = 'embedded' | 'server';

/** Set by the global setup of each test run: a snapshot file of its own, so concurrent runs never share one. */
function snapshotPath(): string | undefined {
  return process.env.WANGGE_TEST_SNAPSHOT;
}

/** The engines this run tests: always embedded, plus server when TEST_DATABASE_URL is set. */
export function testEngines(): EngineName[] {
  return process.env.TEST_DATABASE_URL ? ['embedded', 'server'] : ['embedded'];
}

/** Build the migrated embedded snapshot (vitest globalSetup); returns its path. */
export async function buildEmbeddedSnapshot(): Promise<string> {
  const pgl = await PGlite.create({ extensions: { postgis } });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pgl) as any }) });
  await migrateToLatest(db);
  const blob = await pgl.dumpDataDir('none');
  const { writeFileSync, renameSync } = await import('node:fs');
  const file = path.join(os.tmpdir(), `wangge-test-snapshot-${process.pid}-${Date.now()}.tar`);
  writeFileSync(`${file}.part`, Buffer.from(await blob.arrayBuffer()));
  renameSync(`${file}.part`, file);
  await db.destroy();
  return file;
}

export async function openTestDatabase(engine: EngineName): Promise<Database> {
  if (engine === 'embedded') {
    const snap = snapshotPath();
    if (!snap || !existsSync(snap)) return openDatabase({ dataDir: 'memory://' });
    const pgl = await PGlite.create({ extensions: { postgis }, loadDataDir: new Blob([readFileSync(snap)]) });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pgl) as any }) });
    await migrateToLatest(db);
    const caps = await probeCapabilities(db, 'embedded');
    return { db, caps, location: 'memory://', close: () => db.destroy() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `wangge_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const inner = await openDatabase({ url: u.toString(), poolSize: 4 });
  return {
    ...inner,
    close: async () => {
      await inner.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Row counts of every table: tests compare them before and after a failed import. */
export async function tableCounts(db: Kysely<DB>): Promise<Record<string, number>> {
  const tables = ['jurisdictions', 'streets', 'address_points', 'households', 'residents', 'units', 'hazards', 'cameras',
    'grid_staff', 'patrol_tracks', 'grid_plans', 'blocks', 'grids', 'overlay_layers', 'overlay_zones'] as const;
  const out: Record<string, number> = {};
  for (const t of tables) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(t)}`.execute(db);
    out[t] = rows[0].n;
  }
  return out;
}

/**
 * Tests of the embedded data directory: a migrated, empty database written to `dataDir` on disk (from the run's
 * snapshot when there is one, which is much faster than creating the extension), closed.
 */
export async function makeEmbeddedDataDir(dataDir: string): Promise<void> {
  const snap = snapshotPath();
  if (!snap || !existsSync(snap)) {
    const d = await openDatabase({ dataDir });
    await d.close();
    return;
  }
  const pgl = await PGlite.create({ dataDir, extensions: { postgis }, loadDataDir: new Blob([readFileSync(snap)]) });
  await pgl.query('SELECT 1');
  await pgl.close();
}

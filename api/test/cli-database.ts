/**
 * For tests that run `wangge` as a child process: the tiny town in a database of the engine under test, and the
 * environment that points the CLI at it (embedded: a data directory on disk, which the test must not hold open
 * while a child runs; server: a database of its own beside TEST_DATABASE_URL's, opened by the test too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../data/db/connect.ts';
import { makeEmbeddedDataDir, openTestDatabase, type EngineName } from '../../data/db/test-engines.ts';
import { loadTinyTown } from './tiny-town.ts';

export interface CliDatabase {
  /** WANGGE_DATA_DIR of the child */
  dataDir: string;
  /** the child's environment (DATABASE_URL set on the server engine only) */
  env: NodeJS.ProcessEnv;
  /** the server engine's database, open in the test; null on the embedded engine */
  serverDb: Database | null;
  close(): Promise<void>;
}

export async function tinyTownForCli(engine: EngineName, prefix: string): Promise<CliDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = { ...process.env, WANGGE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  let serverDb: Database | null = null;
  if (engine === 'embedded') {
    await makeEmbeddedDataDir(path.join(dataDir, 'db'));
    const db = await openDatabase({ dataDir: path.join(dataDir, 'db') });
    await loadTinyTown(db.db);
    await db.close();
  } else {
    serverDb = await openTestDatabase('server');
    await loadTinyTown(serverDb.db);
    // the same database the test opened, by URL (the password is never part of the test URL)
    const { rows } = await sql<{ d: string }>`SELECT current_database() AS d`.execute(serverDb.db);
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${rows[0].d}`;
    env.DATABASE_URL = u.toString();
  }
  return {
    dataDir, env, serverDb,
    close: async () => {
      await serverDb?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

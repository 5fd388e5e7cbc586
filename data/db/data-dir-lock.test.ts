// Issue 17, finding 5: one process owns an embedded data directory (a second opener is refused naming the holder's
// pid; a dead holder's lock is taken over), and the one-shot problem commands work in a throwaway database unless
// --keep, so they never write into the product's database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { REPO_ROOT } from '../../api/app.ts';
import { writeTinyProblemDir, TINY } from '../../api/test/tiny-town.ts';
import { openDatabase, type Database } from './connect.ts';
import { lockDataDir, lockFileOf, readLockOwner } from './data-dir-lock.ts';
import { makeEmbeddedDataDir, openTestDatabase, testEngines } from './test-engines.ts';

const WANGGE = path.join(REPO_ROOT, 'api/cli/wangge.mjs');

/** A child node process that takes the lock of `dir` and waits; resolves once it holds it. */
function lockInChild(dir: string): Promise<ChildProcess> {
  const mod = pathToFileURL(path.join(REPO_ROOT, 'data/db/data-dir-lock.ts')).href;
  const code = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(mod)}); })
    .then((m) => { m.lockDataDir(${JSON.stringify(dir)}); process.stdout.write('locked\\n'); setInterval(() => {}, 1000); })`;
  const child = spawn(process.execPath, ['-e', code], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    child.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('locked')) resolve(child); });
    child.once('exit', (c) => reject(new Error(`lock holder exited with ${c}: ${err}`)));
  });
}

describe('the lock of an embedded data directory', () => {
  let root: string;
  beforeAll(() => { root = mkdtempSync(path.join(os.tmpdir(), 'wangge-lock-')); });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a second opener in another process, naming its pid, and takes over the lock of a dead one', async () => {
    const dir = path.join(root, 'db');
    const child = await lockInChild(dir);
    try {
      expect(readLockOwner(lockFileOf(dir))?.pid).toBe(child.pid);
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${child.pid}\\b`));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // killed: no chance to remove its lock file; the lock is stale and taken over
    expect(existsSync(lockFileOf(dir))).toBe(true);
    const lock = lockDataDir(dir);
    expect(readLockOwner(lock.file)?.pid).toBe(process.pid);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
  }, 60_000);

  it('opens a database directory once: a second openDatabase fails with a clear conflict until the first closes', async () => {
    const dir = path.join(root, 'db2');
    await makeEmbeddedDataDir(dir);
    const first = await openDatabase({ dataDir: dir });
    try {
      await expect(openDatabase({ dataDir: dir })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already open|in use by process/) });
    } finally {
      await first.close();
    }
    const again = await openDatabase({ dataDir: dir });
    await again.close();
  }, 120_000);

  it('makes the CLI exit 4 naming the holder when another process has the database open', async () => {
    const data = path.join(root, 'cli');
    const child = await lockInChild(path.join(data, 'db'));
    try {
      const r = spawnSync(process.execPath, [WANGGE, 'user', 'list'], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: '', WANGGE_DATA_DIR: data }, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(4);
      expect(r.stderr).toContain(`in use by process ${child.pid}`);
      expect(r.stderr).not.toMatch(/RuntimeError|Aborted|at .*\.ts:\d+/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});

describe.each(testEngines())('one-shot problem commands on the %s engine', (engine) => {
  let root: string;
  let problem: string;
  let env: NodeJS.ProcessEnv;
  let product: Database | null = null;
  let grids: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'wangge-oneshot-'));
    problem = writeTinyProblemDir();
    grids = path.join(root, 'grids.geojson');
    // one grid over the whole town: enough for validate to run
    const b = JSON.parse(readFileSync(path.join(problem, 'boundary.geojson'), 'utf8')).features[0].geometry;
    writeFileSync(grids, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: 'G1', households: 10 }, geometry: b }] }));
    env = { ...process.env, WANGGE_DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    if (engine === 'server') {
      product = await openTestDatabase('server');
      const { rows } = await sql<{ d: string }>`SELECT current_database() AS d`.execute(product.db);
      const u = new URL(process.env.TEST_DATABASE_URL!);
      u.pathname = `/${rows[0].d}`;
      env.DATABASE_URL = u.toString();
    }
  });
  afterAll(async () => {
    await product?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(problem, { recursive: true, force: true });
  });

  const jurisdictions = async (): Promise<string[]> => {
    if (product) return (await sql<{ jcode: string }>`SELECT DISTINCT jcode FROM jurisdictions`.execute(product.db)).rows.map((r) => r.jcode);
    const dir = path.join(env.WANGGE_DATA_DIR!, 'db');
    if (!existsSync(dir)) return [];
    const d = await openDatabase({ dataDir: dir });
    try {
      return (await sql<{ jcode: string }>`SELECT DISTINCT jcode FROM jurisdictions`.execute(d.db)).rows.map((r) => r.jcode);
    } finally {
      await d.close();
    }
  };

  it('validate imports into a throwaway database by default and into the product database only with --keep', async () => {
    const run = (extra: string[]) => spawnSync(process.execPath, [WANGGE, 'validate', problem, grids, '--quiet', ...extra], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 240_000 });
    const r = run([]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/grids/);
    expect(await jurisdictions()).toEqual([]);
    const k = run(['--keep']);
    expect(k.status, k.stderr).toBe(0);
    expect(await jurisdictions()).toEqual([TINY.jcode]);
  }, 480_000);
});

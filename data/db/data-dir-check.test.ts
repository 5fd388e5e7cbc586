// Issue 17, finding 6: a damaged embedded data directory is detected before it is used: a table whose pages were
// zeroed after the last clean close (PostgreSQL alone would read them as empty and lose the rows without a word),
// a missing or torn global/pg_control (which used to end in `RuntimeError: Aborted()`); the service then stops
// with a clear message and a non-zero exit.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { REPO_ROOT } from '../../api/app.ts';
import { openDatabase } from './connect.ts';
import { controlFileIntact, crc32c, DamagedDataError, sealFileOf } from './data-dir-check.ts';
import { makeEmbeddedDataDir } from './test-engines.ts';

const WANGGE = path.join(REPO_ROOT, 'api/cli/wangge.mjs');

describe('damage checks of an embedded data directory', () => {
  let root: string;
  let dir: string;
  let residentsFile: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'wangge-damage-'));
    dir = path.join(root, 'db');
    await makeEmbeddedDataDir(dir);
    const d = await openDatabase({ dataDir: dir });
    await sql`INSERT INTO jurisdictions (jcode, code, name, level, geom) VALUES ('J', 'J', '示例', 'county', ST_Multi(ST_MakeEnvelope(116.3, 39.9, 116.4, 40, 4326)))`.execute(d.db);
    await sql`INSERT INTO address_points (jcode, households, geom) VALUES ('J', 1, ST_SetSRID(ST_MakePoint(116.35, 39.95), 4326))`.execute(d.db);
    await sql`INSERT INTO households (jcode, address_point_id) SELECT 'J', id FROM address_points`.execute(d.db);
    await sql`INSERT INTO residents (jcode, household_id, name) SELECT 'J', h.id, '居民' || g FROM households h, generate_series(1, 5000) g`.execute(d.db);
    residentsFile = path.join(dir, (await sql<{ p: string }>`SELECT pg_relation_filepath('residents') AS p`.execute(d.db)).rows[0].p);
    await d.close();
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('computes CRC-32C and recognises an intact control file', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const control = readFileSync(path.join(dir, 'global', 'pg_control'));
    expect(controlFileIntact(control)).toBe(true);
    const torn = Buffer.from(control);
    torn[40] ^= 0xff;
    expect(controlFileIntact(torn)).toBe(false);
    expect(controlFileIntact(Buffer.alloc(8192))).toBe(false);
  });

  it('opens a cleanly closed directory after comparing every file with its seal, and keeps the rows', async () => {
    expect(JSON.parse(readFileSync(sealFileOf(dir), 'utf8')).relations).toBeTruthy();
    const d = await openDatabase({ dataDir: dir });
    try {
      expect(d.notices).toEqual([]);
      expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents`.execute(d.db)).rows[0].n).toBe(5000);
    } finally {
      await d.close();
    }
  }, 120_000);

  it('refuses a directory whose residents table had 32 KB zeroed, naming the table', async () => {
    const fd = openSync(residentsFile, 'r+');
    writeSync(fd, Buffer.alloc(32 * 1024), 0, 32 * 1024, 8192);
    closeSync(fd);
    const e = await openDatabase({ dataDir: dir }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(DamagedDataError);
    expect((e as Error).message).toMatch(/damaged: table residents \(base\/\d+\/\d+\) changed since the last clean shutdown/);
    // the refusal released the lock: the same process may try again (and is refused again)
    await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DamagedDataError);
  }, 120_000);

  it('refuses a torn or missing pg_control with a clear error instead of a WebAssembly abort', async () => {
    const control = path.join(dir, 'global', 'pg_control');
    const bytes = readFileSync(control);
    const torn = Buffer.from(bytes);
    torn.fill(0x55, 100, 200);
    writeFileSync(control, torn);
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/pg_control fails its checksum/);
    rmSync(control);
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/global\/pg_control is missing/);
  }, 120_000);

  it('makes `wangge serve` exit non-zero with the message, no RuntimeError: Aborted()', () => {
    const r = spawnSync(process.execPath, [WANGGE, 'serve', '--port', '0'], {
      cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: '', WANGGE_DATA_DIR: root, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 120_000,
    });
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.status).not.toBeNull();
    expect(r.stderr).toMatch(/embedded database in .* is damaged: global\/pg_control is missing/);
    expect(r.stderr).not.toMatch(/RuntimeError|Aborted\(\)/);
    expect(r.stdout).not.toMatch(/http:\/\//);
  }, 150_000);
});

// Issue 20: an operator makes an Open311 api_key with the CLI and an outside client posts with it.
// `wangge open311 key add` prints the key once (only its SHA-256 is stored), `key list` never shows it, and
// `key revoke` stops it: the service answers 403 in the standard's error array from then on.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../data/db/connect.ts';
import { testEngines } from '../../../data/db/test-engines.ts';
import { REPO_ROOT } from '../../app.ts';
import { TINY } from '../../test/tiny-town.ts';
import { tinyTownForCli, type CliDatabase } from '../../test/cli-database.ts';
import { startTestServer } from '../../test/http.ts';
import { hashKey } from '../../../domain/events/open311-clients.ts';

const WANGGE = path.join(REPO_ROOT, 'api/cli/wangge.mjs');
// inside grid G1 of the tiny town
const IN_G1: [number, number] = [TINY.x0 + TINY.dx * 0.55, TINY.y0 + TINY.dy * 0.9];

describe.each(testEngines())('wangge open311 key on the %s engine', (engine) => {
  let cli: CliDatabase;
  beforeAll(async () => { cli = await tinyTownForCli(engine, 'wangge-open311-'); }, 180_000);
  afterAll(async () => { await cli?.close(); });

  const wangge = (...args: string[]) => spawnSync(process.execPath, [WANGGE, 'open311', 'key', ...args], { cwd: REPO_ROOT, env: cli.env, encoding: 'utf8', timeout: 120_000 });

  /** The product's database, as the service would open it (embedded: only while no CLI holds the directory). */
  async function withProduct<T>(fn: (d: Database) => Promise<T>): Promise<T> {
    if (cli.serverDb) return fn(cli.serverDb);
    const d = await openDatabase({ dataDir: path.join(cli.dataDir, 'db') });
    try {
      return await fn(d);
    } finally {
      await d.close();
    }
  }

  /** POST requests.json with `key` as an outside client does: the status, the answer and the clients stored. */
  const post = (key: string) => withProduct(async (d) => {
    const s = await startTestServer(d);
    try {
      const res = await fetch(`${s.base}/open311/v2/requests.json`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ api_key: key, service_code: '06013', lat: String(IN_G1[1]), long: String(IN_G1[0]), description: '路面破损' }).toString(),
      });
      return { status: res.status, body: await res.json(), stored: await d.db.selectFrom('open311_clients').selectAll().execute() };
    } finally {
      await s.app.stop();
    }
  });

  it('adds a key printed once, lists clients without keys, takes posts with it and refuses them once revoked', async () => {
    const add = wangge('add', '--name', 'suishoupai-app', '--jcode', TINY.jcode);
    expect(add.status, add.stderr).toBe(0);
    const key = add.stdout.trim();
    expect(key).toMatch(/^[\w-]{43}$/);
    expect(add.stderr).toContain('not shown again');

    const list = wangge('list');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^suishoupai-app\\t${TINY.jcode}\\t\\d{4}-`));
    expect(list.stdout).not.toContain(key);

    const ok = await post(key);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body[0].service_request_id).toMatch(new RegExp(`^${TINY.jcode}-\\d+$`));
    // only the hash is kept
    expect(ok.stored).toEqual([expect.objectContaining({ jcode: TINY.jcode, name: 'suishoupai-app', key_hash: hashKey(key) })]);
    expect(JSON.stringify(ok.stored)).not.toContain(key);

    const revoke = wangge('revoke', 'suishoupai-app');
    expect(revoke.status, revoke.stderr).toBe(0);
    expect(revoke.stdout).toContain('revoked');
    const refused = await post(key);
    expect({ status: refused.status, body: refused.body }).toEqual({ status: 403, body: [{ code: 403, description: 'invalid api_key' }] });
    expect(refused.stored).toEqual([]);
  }, 300_000);
});

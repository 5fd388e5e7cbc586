// `wangge serve --demo` as a user runs it: a child process on a database that already holds a
// jurisdiction (so the demo bootstrap leaves it alone), printing its URL on stdout, serving the API and
// the page, and shutting down cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../../data/db/test-engines.ts';
import { REPO_ROOT } from '../../app.ts';
import { TINY } from '../../test/tiny-town.ts';
import { tinyTownForCli, type CliDatabase } from '../../test/cli-database.ts';

function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no URL on stdout after ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening; stderr:\n${err}`));
    });
  });
}

describe.each(testEngines())('wangge serve --demo on the %s engine', (engine) => {
  let cli: CliDatabase;
  beforeAll(async () => { cli = await tinyTownForCli(engine, 'wangge-serve-'); }, 180_000);
  afterAll(async () => { await cli?.close(); });

  it('prints the URL, serves the API and the page, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'api/cli/wangge.mjs'), 'serve', '--demo', '--port', '0'], { cwd: REPO_ROOT, env: { ...cli.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await waitForUrl(child, 150_000);
      const base = url.replace('localhost', '127.0.0.1');
      const health = await (await fetch(`${base}/api/health`)).json();
      expect(health.engine).toBe(engine);
      const { jurisdictions } = await (await fetch(`${base}/api/jurisdictions`)).json();
      expect(jurisdictions.map((j: { jcode: string }) => j.jcode)).toEqual([TINY.jcode]); // --demo left the loaded data alone
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toMatch(/<script type="module"[^>]*src="\/assets\/index-[\w-]+\.js"/);
      const deep = await fetch(`${base}/grid/110108990001001`, { headers: { accept: 'text/html' } });
      expect(deep.status).toBe(200); // single-page fallback for the views to come
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

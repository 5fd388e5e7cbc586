/**
 * Wall-screen benchmark in headless Chromium (Debian's /usr/bin/chromium, software WebGL): against a running
 * Wangge (default http://127.0.0.1:3000), open /wall at 3840×2160 and report the time to the first map render
 * (body[data-state=ready]) and frames per second over 10 s with the patrol tracks animating, beside the same
 * page with the layers off (?layers=off). Also prints the production bundle's size (gzip) from web/dist.
 *
 *   npx tsx scripts/bench-wall.ts [--url http://127.0.0.1:3000] [--seconds 10]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { launchHeadless } from '../web/test/headless-chromium.ts';

const { values } = parseArgs({ options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, seconds: { type: 'string', default: '10' } } });
const base = values.url!;
const seconds = Number(values.seconds);

function bundleSizes(): { files: number; raw: number; gzip: number } {
  const dir = path.resolve('web/dist/assets');
  let raw = 0, gzip = 0, files = 0;
  for (const f of readdirSync(dir)) {
    if (!/\.(js|css)$/.test(f)) continue;
    const buf = readFileSync(path.join(dir, f));
    raw += statSync(path.join(dir, f)).size;
    gzip += gzipSync(buf).length;
    files++;
  }
  return { files, raw, gzip };
}

const profile = mkdtempSync(path.join(os.tmpdir(), 'wangge-wall-'));
const context = await launchHeadless(profile, { width: 3840, height: 2160 });
const outside: string[] = [];
context.on('request', (r) => { const u = new URL(r.url()); if (!['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol.startsWith('http')) outside.push(r.url()); });
try {
  for (const [label, q] of [['layers on, tracks animating', '?tour=0'], ['layers off', '?tour=0&layers=off']] as const) {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${base}/wall${q}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 180_000 });
    const firstRender = (Date.now() - t0) / 1000;
    await page.waitForTimeout(2000);
    const n0 = await page.evaluate(() => (window as unknown as { __wanggeFrames?: { n: number } }).__wanggeFrames?.n ?? 0);
    await page.waitForTimeout(seconds * 1000);
    const n1 = await page.evaluate(() => (window as unknown as { __wanggeFrames?: { n: number } }).__wanggeFrames?.n ?? 0);
    process.stdout.write(`wall 3840×2160, ${label}: first map render ${firstRender.toFixed(1)} s, ${((n1 - n0) / seconds).toFixed(1)} frames/s over ${seconds} s\n`);
    await page.close();
  }
  const b = bundleSizes();
  process.stdout.write(`production bundle: ${b.files} JS/CSS files, ${(b.raw / 1024).toFixed(0)} KiB, ${(b.gzip / 1024).toFixed(0)} KiB gzip\n`);
  process.stdout.write(`requests leaving this machine: ${outside.length}\n`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

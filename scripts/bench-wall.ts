/**
 * Wall-screen benchmark in headless Chromium (Debian's /usr/bin/chromium, software WebGL): against a running
 * Wangge (default http://127.0.0.1:3000), open /wall at 3840×2160 (or --size) and report the time to the
 * first map render (body[data-state=ready]: basemap idle and the grids, hexes and cameras drawn) and the
 * frames per second over 10 s with the patrol tracks animating, beside the same page with the layers off
 * (?layers=off: no layers, the trail canvas still redrawn every tick with nothing on it).
 *
 * A frame is a redraw of the trail canvas that actually happened (the page's `__wanggeFrames.n`, counted in
 * deck.gl's onAfterRender), never an animation callback that drew nothing; the browser's own
 * requestAnimationFrame rate over the same 10 s is printed beside it, and the redraws of the still deck.gl
 * canvas with the grids, hexes, cameras and whole tracks (`__wanggeFrames.still`), which should be none. The wall asks for at most 30 redraws a
 * second (?fps=). Also prints the production bundle's size (gzip) from web/dist and saves a screenshot of
 * each run under test-results/.
 *
 *   npx tsx scripts/bench-wall.ts [--url http://127.0.0.1:3000] [--seconds 10] [--size 3840x2160] [--query fps=60]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { launchHeadless } from '../web/test/headless-chromium.ts';

const { values } = parseArgs({ options: {
  url: { type: 'string', default: 'http://127.0.0.1:3000' }, seconds: { type: 'string', default: '10' },
  size: { type: 'string', default: '3840x2160' }, query: { type: 'string', default: '' },
} });
const base = values.url!;
const seconds = Number(values.seconds);
const [width, height] = values.size!.split('x').map(Number);
if (!(width > 0 && height > 0)) throw new Error(`--size must be WIDTHxHEIGHT, got ${values.size}`);
const extra = values.query ? `&${values.query}` : '';

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

type Counters = { drawn: number; still: number; raf: number };

const profile = mkdtempSync(path.join(os.tmpdir(), 'wangge-wall-'));
const context = await launchHeadless(profile, { width, height });
const outside: string[] = [];
context.on('request', (r) => { const u = new URL(r.url()); if (!['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol.startsWith('http')) outside.push(r.url()); });
const results = path.resolve('test-results');
mkdirSync(results, { recursive: true });
try {
  for (const [label, q, shot] of [['layers on, tracks animating', `?tour=0${extra}`, 'on'], ['layers off', `?tour=0&layers=off${extra}`, 'off']] as const) {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const t0 = Date.now();
    await page.goto(`${base}/wall${q}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 180_000 });
    const firstRender = (Date.now() - t0) / 1000;
    await page.waitForTimeout(2000);
    // as a string: tsx would wrap a named function in a helper the page does not have
    await page.evaluate('window.__benchRaf = 0; (function f() { window.__benchRaf++; requestAnimationFrame(f); })()');
    const read = (): Promise<Counters> => page.evaluate('({ drawn: window.__wanggeFrames?.n ?? 0, still: window.__wanggeFrames?.still ?? 0, raf: window.__benchRaf })');
    const c0 = await read();
    const w0 = Date.now();
    await page.waitForTimeout(seconds * 1000);
    const c1 = await read();
    const s = (Date.now() - w0) / 1000;
    process.stdout.write(`wall ${width}×${height}, ${label}: first map render ${firstRender.toFixed(1)} s, `
      + `${((c1.drawn - c0.drawn) / s).toFixed(1)} frames drawn/s over ${s.toFixed(1)} s (browser animation callbacks ${((c1.raf - c0.raf) / s).toFixed(1)}/s, `
      + `still layers redrawn ${c1.still - c0.still} times)`
      + `${errors.length ? `, ${errors.length} console errors: ${errors[0].slice(0, 200)}` : ''}\n`);
    await page.screenshot({ path: path.join(results, `bench-wall-${width}x${height}-${shot}.png`) });
    await page.close();
  }
  const b = bundleSizes();
  process.stdout.write(`production bundle: ${b.files} JS/CSS files, ${(b.raw / 1024).toFixed(0)} KiB, ${(b.gzip / 1024).toFixed(0)} KiB gzip\n`);
  process.stdout.write(`requests leaving this machine: ${outside.length}\n`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

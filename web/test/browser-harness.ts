/**
 * What the browser tests share: the web bundle built while the test data load, the service on a free port
 * over an embedded test database, headless Chromium recording every request, and the pixel statistics of a
 * screenshot. `close()` stops and removes all of it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchHeadless } from './headless-chromium.ts';
import { openTestDatabase } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadConfig } from '../../api/config.ts';
import { REPO_ROOT, WanggeApp } from '../../api/app.ts';
import { buildWebBundle } from '../../api/web-bundle.ts';

/** Where the browser tests save their screenshots for a person to look at. */
export const RESULTS = path.join(REPO_ROOT, 'test-results');

export interface BrowserApp {
  database: Database;
  app: WanggeApp;
  /** http://127.0.0.1:<port> */
  base: string;
  context: BrowserContext;
  /** every URL the browser asked for */
  requests: string[];
  /** the requests that went anywhere but this service (data: and blob: URLs are local) */
  outsideRequests(): string[];
  close(): Promise<void>;
}

/** Build the bundle while `load` fills a fresh embedded database, then serve it and open Chromium at `viewport`. */
export async function startBrowserApp(viewport: { width: number; height: number }, load: (database: Database) => Promise<void>): Promise<BrowserApp> {
  const webDir = mkdtempSync(path.join(os.tmpdir(), 'wangge-web-'));
  const built = buildWebBundle(webDir, { quiet: true });
  const database = await openTestDatabase('embedded');
  await load(database);
  await built;
  const app = new WanggeApp(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }), database, { webDir });
  await app.start();
  const base = `http://127.0.0.1:${app.port}`;
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wangge-chromium-'));
  const context = await launchHeadless(profile, viewport);
  const requests: string[] = [];
  context.on('request', (r) => { requests.push(r.url()); });
  mkdirSync(RESULTS, { recursive: true });
  return {
    database, app, base, context, requests,
    outsideRequests: () => requests.filter((u) => !(u.startsWith(`${base}/`) || u.startsWith('data:') || u.startsWith('blob:'))),
    async close() {
      await context.close();
      await app.stop();
      await database.close();
      for (const d of [webDir, profile]) rmSync(d, { recursive: true, force: true });
    },
  };
}

export interface PixelStats {
  /** distinct colours (5 bits a channel) */
  distinct: number;
  /** share of pixels unlike the background */
  drawn: number;
  /** share of clearly blue pixels (water, buildings) */
  blueish: number;
}

/**
 * Decode a PNG screenshot in `page` (a blank page: no CSP there) and count the colours of columns x0 … x1;
 * the background is `background` ([r, g, b]) or else the top-left pixel of that area.
 */
export async function pngStats(page: Page, png: Buffer, o: { x0?: number; x1?: number; background?: [number, number, number] } = {}): Promise<PixelStats> {
  return page.evaluate(async ({ b64, x0, x1, background }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(x0, 0, Math.min(img.width, x1) - x0, img.height).data;
    const bg = background ?? [d[0], d[1], d[2]];
    const colours = new Set<number>();
    let drawn = 0, blueish = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, gg, b] = [d[i], d[i + 1], d[i + 2]];
      colours.add(((r >> 3) << 10) | ((gg >> 3) << 5) | (b >> 3));
      if (Math.abs(r - bg[0]) + Math.abs(gg - bg[1]) + Math.abs(b - bg[2]) > 24) drawn++;
      if (b > r + 60 && b > gg + 20) blueish++;
    }
    const n = d.length / 4;
    return { distinct: colours.size, drawn: drawn / n, blueish: blueish / n };
  }, { b64: png.toString('base64'), x0: o.x0 ?? 0, x1: o.x1 ?? Number.MAX_SAFE_INTEGER, background: o.background ?? null });
}

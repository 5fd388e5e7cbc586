// The map page in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): built
// with vite, served by the app over the tiny town, it must load with no console errors, make no request
// beyond localhost, draw a map that is not blank, switch to English and toggle layers. Screenshots are
// saved under test-results/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchHeadless } from './headless-chromium.ts';
import { openTestDatabase } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadConfig } from '../../api/config.ts';
import { REPO_ROOT, WanggeApp } from '../../api/app.ts';
import { buildWebBundle } from '../../api/web-bundle.ts';
import { loadTinyTown, TINY } from '../../api/test/tiny-town.ts';

const RESULTS = path.join(REPO_ROOT, 'test-results');
const VIEWPORT = { width: 1280, height: 800 };
const PANEL_RIGHT = 300; // the layer panel covers x < ~290 at the top left

interface PixelStats {
  distinct: number;
  nonBackground: number;
  blueish: number;
}

/** Decode a PNG screenshot in a blank page (no CSP there) and count colours right of the panel. */
async function pixelStats(page: Page, png: Buffer): Promise<PixelStats> {
  return page.evaluate(async ({ b64, x0 }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(x0, 0, img.width - x0, img.height).data;
    const colours = new Set<number>();
    let nonBackground = 0;
    let blueish = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, gg, b] = [d[i], d[i + 1], d[i + 2]];
      colours.add(((r >> 3) << 10) | ((gg >> 3) << 5) | (b >> 3));
      if (Math.abs(r - 0xee) + Math.abs(gg - 0xf1) + Math.abs(b - 0xf3) > 24) nonBackground++;
      if (b > r + 60 && b > gg + 20) blueish++;
    }
    return { distinct: colours.size, nonBackground: nonBackground / (d.length / 4), blueish: blueish / (d.length / 4) };
  }, { b64: png.toString('base64'), x0: PANEL_RIGHT });
}

describe('map page in headless Chromium', () => {
  let database: Database;
  let app: WanggeApp;
  let base: string;
  let webDir: string;
  let profile: string;
  let context: BrowserContext;
  const requests: string[] = [];

  beforeAll(async () => {
    webDir = mkdtempSync(path.join(os.tmpdir(), 'wangge-web-'));
    const built = buildWebBundle(webDir, { quiet: true });
    database = await openTestDatabase('embedded');
    await loadTinyTown(database.db);
    await built;
    app = new WanggeApp(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }), database, { webDir });
    await app.start();
    base = `http://127.0.0.1:${app.port}`;
    profile = mkdtempSync(path.join(os.tmpdir(), 'wangge-chromium-'));
    context = await launchHeadless(profile, VIEWPORT);
    context.on('request', (r) => { requests.push(r.url()); });
    mkdirSync(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await app?.stop();
    await database?.close();
    for (const d of [webDir, profile]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('loads with no console errors and no request leaving localhost, and draws the layers', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));

    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    await page.waitForTimeout(300); // let the last frame reach the screen

    // the panel: Simplified Chinese by default, one entry per layer with its feature count
    await expect(page.locator('html')).toBeTruthy();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    const title = await page.textContent('#panel h1');
    expect(title).toContain('网格地图');
    expect(title).toContain(TINY.name);
    expect(await page.textContent('[data-layer="grids"] .layer-count')).toBe(String(TINY.publishedGrids));
    expect(await page.textContent('[data-layer="address_points"] .layer-count')).toBe(String(TINY.addressPoints));
    expect(await page.textContent('[data-layer="streets"] .layer-name')).toBe('街巷与水系');

    const zh = await page.screenshot({ path: path.join(RESULTS, 'map-zh.png') });
    const blank = await context.newPage();
    const stats = await pixelStats(blank, zh);
    expect(stats.distinct, 'colours in the map area').toBeGreaterThan(30);
    expect(stats.nonBackground, 'share of the map area drawn').toBeGreaterThan(0.3);
    expect(stats.blueish, 'river and buildings').toBeGreaterThan(0.001);

    // switch off the grids: the picture changes and most colour goes
    await page.click('[data-layer="grids"] input[type="checkbox"]');
    await page.waitForTimeout(500);
    const noGrids = await pixelStats(blank, await page.screenshot({ path: path.join(RESULTS, 'map-zh-no-grids.png') }));
    expect(noGrids.nonBackground).toBeLessThan(stats.nonBackground - 0.2);
    await page.click('[data-layer="grids"] input[type="checkbox"]');

    // English
    await page.click('.lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#panel h1')).toContain('Grid map');
    expect(await page.textContent('[data-layer="streets"] .layer-name')).toBe('Streets and water');
    expect(await page.textContent('.lang-switch')).toBe('中文');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(RESULTS, 'map-en.png') });

    // the choice is remembered
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    expect(await page.textContent('[data-layer="streets"] .layer-name')).toBe('Streets and water');
    await blank.close();
    await page.close();

    expect(errors).toEqual([]);
    const origin = new URL(base).origin;
    const outside = requests.filter((u) => !(u.startsWith(`${origin}/`) || u.startsWith('data:') || u.startsWith('blob:')));
    expect(outside).toEqual([]);
    expect(requests.some((u) => u.includes('/api/layers/grids.geojson'))).toBe(true);
    expect(requests.some((u) => /maplibre-gl-worker.*\.mjs/.test(u))).toBe(true);
  });
});

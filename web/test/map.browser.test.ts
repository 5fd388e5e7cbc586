// The map page in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): built
// with vite, served by the app over the tiny town, it must load with no console errors, make no request
// beyond localhost, draw a map that is not blank, switch to English and toggle layers. Screenshots are
// saved under test-results/ for a person to look at.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { pngStats, RESULTS, startBrowserApp, type BrowserApp } from './browser-harness.ts';
import { loadTinyTown, TINY } from '../../api/test/tiny-town.ts';

const VIEWPORT = { width: 1280, height: 800 };
const PANEL_RIGHT = 300; // the layer panel covers x < ~290 at the top left
const MAP_BACKGROUND: [number, number, number] = [0xee, 0xf1, 0xf3];

/** Colours of the map area right of the panel. */
const mapStats = (page: Page, png: Buffer) => pngStats(page, png, { x0: PANEL_RIGHT, background: MAP_BACKGROUND });

describe('map page in headless Chromium', () => {
  let web: BrowserApp;

  beforeAll(async () => {
    web = await startBrowserApp(VIEWPORT, async (database) => { await loadTinyTown(database.db); });
  });

  afterAll(async () => {
    await web?.close();
  });

  it('loads with no console errors and no request leaving localhost, and draws the layers', async () => {
    const page = await web.context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));

    await page.goto(`${web.base}/`);
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
    const blank = await web.context.newPage();
    const stats = await mapStats(blank, zh);
    expect(stats.distinct, 'colours in the map area').toBeGreaterThan(30);
    expect(stats.drawn, 'share of the map area drawn').toBeGreaterThan(0.3);
    expect(stats.blueish, 'river and buildings').toBeGreaterThan(0.001);

    // switch off the grids: the picture changes and most colour goes
    await page.click('[data-layer="grids"] input[type="checkbox"]');
    await page.waitForTimeout(500);
    const noGrids = await mapStats(blank, await page.screenshot({ path: path.join(RESULTS, 'map-zh-no-grids.png') }));
    expect(noGrids.drawn).toBeLessThan(stats.drawn - 0.2);
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
    expect(web.outsideRequests()).toEqual([]);
    expect(web.requests.some((u) => u.includes('/api/layers/grids.geojson'))).toBe(true);
    expect(web.requests.some((u) => /maplibre-gl-worker.*\.mjs/.test(u))).toBe(true);
  });
});

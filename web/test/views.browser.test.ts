// The four views in real headless Chromium (Debian's /usr/bin/chromium, playwright-core) over a generated
// 5,000-household town partitioned and published: each loads with no console errors and no request leaving
// localhost and draws a map that is not blank; a block selected by a click on the editor's map and moved changes
// both grids' counts and the validation badge, and undo restores them; the draft's export downloads with the
// planner's login (a draft needs one); the lookup finds the grid of a known point (/me); the wall at 3840×2160 and 7680×2160
// shows the service's figures with no scroll bars or cut-off text, animates without redrawing its still
// deck.gl canvas, and colours grids by patrol compliance. Screenshots: test-results/{plan,wall,wall-compliance,wall-7680,me,grid}.png.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { pointOnFeature } from '@turf/turf';
import type { FeatureCollection } from 'geojson';
import { pngStats, RESULTS, startBrowserApp, type BrowserApp } from './browser-harness.ts';
import { assignStaff, generateTown, loadTown } from '../../data/generator/index.ts';
import { partitionJurisdiction, publishPlan } from '../../spatial/partition/index.ts';
import { createUser } from '../../api/auth/users.ts';
import { applyEdit, blockAdjacency, neighbourGrids, planStateFrom, validatePlan } from '../layers/plan-state.ts';
import { COMPLIANCE_RAMP, hexToRgba, MEASURE_RAMP, rampColour } from '../layers/grid-features.ts';
import { todayIso } from '../src/dom.ts';

const JCODE = '370199000000';

describe('the four views in headless Chromium', () => {
  let web: BrowserApp;
  let base: string;
  let context: BrowserContext;
  let blank: Page;
  let draftId: number;
  let planId: number;
  let token: string;

  beforeAll(async () => {
    web = await startBrowserApp({ width: 1280, height: 800 }, async (database) => {
      await loadTown(database.db, generateTown({ households: 5000, seed: 7 }), { residents: true });
      planId = (await partitionJurisdiction(database.db, { jcode: JCODE, min: 400, max: 600, seed: 1 })).planId;
      await publishPlan(database.db, JCODE, planId);
      await assignStaff(database.db, JCODE, planId); // as the demo start does: the wall counts grid workers
      await createUser(database.db, { name: 'test-planner', role: 'planner', grids: [], password: 'planner password 1' });
    });
    ({ base, context } = web);
    // changes need a planner's account (issue 7): log in through the API; the pages get the same token
    const session = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'test-planner', password: 'planner password 1' }) });
    ({ token } = (await session.json()) as { token: string });
    const copy = await fetch(`${base}/api/jurisdictions/${JCODE}/plans/${planId}/copy`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });
    draftId = (await copy.json()).id;
    await context.addInitScript((tok: string) => { sessionStorage.setItem('wangge.token', tok); }, token);
    blank = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await web?.close();
  });

  /** Save test-results/<name>.png, check the map is drawn (left `width` px), no console error, nothing left localhost. */
  async function finishView(page: Page, errors: string[], name: string, width: number, min: { distinct: number; drawn?: number }): Promise<void> {
    const png = await page.screenshot({ path: path.join(RESULTS, `${name}.png`) });
    const st = await pngStats(blank, png, { x1: width });
    expect(st.distinct).toBeGreaterThan(min.distinct);
    if (min.drawn !== undefined) expect(st.drawn).toBeGreaterThan(min.drawn);
    expect(errors).toEqual([]);
    await page.close();
    noOutsideRequests();
  }

  async function open(url: string, viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}${url}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 90_000 });
    await page.waitForTimeout(800);
    return { page, errors };
  }

  function noOutsideRequests(): void {
    expect(web.outsideRequests()).toEqual([]);
  }

  it('/plan/:id: moving a block changes both grids\' counts and the validation badge, and undo restores them', async () => {
    // a draft: read with the planner's login (issue 17)
    const get = async (what: string) => (await (await fetch(`${base}/api/jurisdictions/${JCODE}/plans/${draftId}/${what}.geojson`, { headers: { authorization: `Bearer ${token}` } })).json()) as FeatureCollection;
    const [blocks, grids] = [await get('blocks'), await get('grids')];
    const adj = blockAdjacency(blocks);
    const s0 = planStateFrom(blocks, grids, 400, 600);
    const issues0 = validatePlan(s0, adj).issues.length;
    // the blocks whose move to a neighbouring grid changes the number of issues the badge shows
    const movers = new Map<number, { from: string; to: string; households: number }>();
    for (const f of blocks.features) {
      const id = Number(f.properties!.id);
      const to = neighbourGrids(s0, adj, id).find((g) => validatePlan(applyEdit(s0, { op: 'move', blocks: [id], to: g }), adj).issues.length !== issues0);
      if (to) movers.set(id, { from: String(f.properties!.grid), to, households: Number(f.properties!.households) });
    }
    expect(movers.size, 'blocks whose move changes the issues').toBeGreaterThan(0);
    const { page, errors } = await open(`/plan/${draftId}?jcode=${JCODE}`, { width: 1280, height: 800 });
    const hh = async (code: string) => Number(await page.textContent(`tr[data-grid="${code}"] .hh`));
    expect(await page.getAttribute('#plan-badge', 'data-issues')).toBe(String(issues0));

    // select one of them as a planner does: click the map where the town is drawn (fitted left of the
    // 400 px panel), centre first, and read the selection the panel shows
    const box = (await page.locator('.view-map').boundingBox())!;
    const [x0, x1, y0, y1] = [box.x + 60, box.x + box.width - 430, box.y + 60, box.y + box.height - 60];
    const spots: Array<[number, number]> = [];
    for (let i = 0; i <= 8; i++) for (let j = 0; j <= 8; j++) spots.push([x0 + ((x1 - x0) * i) / 8, y0 + ((y1 - y0) * j) / 8]);
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    spots.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
    let pick: { id: number; from: string; to: string; households: number } | null = null;
    for (const [x, y] of spots) {
      await page.mouse.click(x, y);
      const ids = await page.locator('.plan-tools .selection').getAttribute('data-blocks', { timeout: 2_000 }).catch(() => null);
      const m = ids === null ? undefined : movers.get(Number(ids));
      if (m) { pick = { id: Number(ids), ...m }; break; }
    }
    expect(pick, 'a block that changes the issues, selected by a click on the map').not.toBeNull();
    expect(await page.getAttribute('.plan-tools .selection', 'data-grid')).toBe(pick!.from);
    const [from0, to0] = [await hh(pick!.from), await hh(pick!.to)];

    await page.click(`button.move-to[data-grid="${pick!.to}"]`);
    await page.waitForSelector('#plan-msg.message-ok', { timeout: 30_000 });
    await page.waitForSelector('button.undo:not([disabled])', { timeout: 30_000 });
    expect(await hh(pick!.from)).toBeLessThan(from0);
    expect(await hh(pick!.to)).toBeGreaterThan(to0);
    expect(Math.abs(from0 - (await hh(pick!.from)) - pick!.households)).toBeLessThanOrEqual(pick!.households); // the server's recount may differ a little
    expect(await page.getAttribute('#plan-badge', 'data-issues')).not.toBe(String(issues0));

    // undo puts it back: the same counts and the same issues as before the move, and redo is offered
    await page.click('button.undo');
    await page.waitForSelector('button.redo:not([disabled])', { timeout: 30_000 });
    expect(await hh(pick!.from)).toBe(from0);
    expect(await hh(pick!.to)).toBe(to0);
    expect(await page.getAttribute('#plan-badge', 'data-issues')).toBe(String(issues0));

    // the draft's export needs the login, which the page sends: the file saved is the draft's grids
    expect((await fetch(`${base}/api/jurisdictions/${JCODE}/plans/${draftId}/export.geojson`)).status).toBe(401);
    const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('.plan-export a.export-geojson')]);
    expect(saved.suggestedFilename()).toBe(`plan-${draftId}.geojson`);
    const exported = JSON.parse(await readFile((await saved.path())!, 'utf8')) as FeatureCollection;
    expect(exported.features.map((f) => String(f.properties!.code)).sort()).toEqual(grids.features.map((f) => String(f.properties!.code)).sort());
    await page.waitForTimeout(500);
    await finishView(page, errors, 'plan', 900, { distinct: 30, drawn: 0.3 });
  }, 240_000);

  it('/me: the lookup finds the grid of a known point', async () => {
    const known = (await (await fetch(`${base}/api/jurisdictions/${JCODE}/plans/${planId}/grids.geojson`)).json()) as FeatureCollection;
    const g = known.features.find((f) => Number(f.properties!.households) > 0)!;
    const [lon, lat] = pointOnFeature(g).geometry.coordinates;
    const { page, errors } = await open(`/me?lon=${lon}&lat=${lat}`, { width: 390, height: 844 });
    expect(await page.getAttribute('.me-grid', 'data-grid')).toBe(String(g.properties!.code));
    await finishView(page, errors, 'me', 390, { distinct: 20 });
  }, 120_000);

  it('/grid/:code: layers with a legend and the figures beside the map', async () => {
    const known = (await (await fetch(`${base}/api/layers/grids.geojson?jcode=${JCODE}`)).json()) as FeatureCollection;
    const code = String(known.features[0].properties!.code);
    const { page, errors } = await open(`/grid/${code}?jcode=${JCODE}`, { width: 1280, height: 800 });
    expect(await page.locator('.grid-panel [data-layer]').count()).toBe(4);
    expect(await page.textContent('.grid-figures')).toContain('户');
    await finishView(page, errors, 'grid', 900, { distinct: 20, drawn: 0.2 });
  }, 120_000);

  /** Sizes on the wall: no scroll bars, nothing cut off or overflowing in the panel, the smallest panel text. */
  async function wallLayout(page: Page): Promise<{ doc: number[]; panel: number[]; overflowing: string[]; minFontPx: number; panelLeft: number; mapRight: number; figureColumns: number; legendLeft: number; figuresRight: number }> {
    return page.evaluate(() => {
      const d = document.scrollingElement!;
      const panel = document.querySelector<HTMLElement>('.wall-panel')!;
      const texts = [...panel.querySelectorAll<HTMLElement>('*')].filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim() !== ''));
      const rect = (sel: string) => document.querySelector(sel)!.getBoundingClientRect();
      return {
        doc: [d.scrollWidth, d.clientWidth, d.scrollHeight, d.clientHeight],
        panel: [panel.scrollWidth, panel.clientWidth, panel.scrollHeight, panel.clientHeight],
        overflowing: texts.filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > panel.getBoundingClientRect().right).map((e) => e.textContent!),
        minFontPx: Math.min(...texts.map((e) => Number.parseFloat(getComputedStyle(e).fontSize))),
        panelLeft: rect('.wall-panel').left,
        mapRight: rect('.view-map').right,
        figureColumns: new Set([...document.querySelectorAll('.figure')].map((f) => Math.round(f.getBoundingClientRect().left))).size,
        legendLeft: rect('.wall-legend').left,
        figuresRight: rect('.figures').right,
      };
    });
  }

  /**
   * The fill colours (r,g,b) of the wall's grids, by grid code, as the grids layer on the still deck.gl
   * canvas holds them; null until that layer has drawn them (loaded, and the canvas redrawn since `after`).
   */
  async function wallFills(page: Page, after = 0): Promise<Record<string, string> | null> {
    return page.evaluate((after) => {
      type Still = { id: string; isLoaded: boolean; props: { data: Array<{ code: string; fill: number[] }> } };
      const w = window as unknown as { __wangge: { still(): Still[] }; __wanggeFrames: { still: number } };
      const grids = w.__wangge.still().find((l) => l.id === 'grids');
      if (!grids?.isLoaded || w.__wanggeFrames.still <= after) return null;
      return Object.fromEntries(grids.props.data.map((d) => [d.code, d.fill.slice(0, 3).join(',')]));
    }, after);
  }

  const frameCounts = (page: Page) => page.evaluate(() => ({ ...(window as unknown as { __wanggeFrames: { n: number; still: number } }).__wanggeFrames }));
  const rgbOf = (hex: string) => hexToRgba(hex).slice(0, 3).join(',');

  it('/wall at 3840×2160: figures from the service, no scroll bars, trails redrawn without the still layers, compliance colours', async () => {
    const figures = await (await fetch(`${base}/api/jurisdictions/${JCODE}/wall-figures?day=${todayIso()}`)).json();
    expect(figures.workers).toBeGreaterThan(figures.grids); // every grid has a leader and members
    const { page, errors } = await open('/wall?tour=0', { width: 3840, height: 2160 });
    const layout = await wallLayout(page);
    expect(layout.doc).toEqual([3840, 3840, 2160, 2160]);
    expect(layout.panel[2]).toBeLessThanOrEqual(layout.panel[3]); // everything in the panel is shown
    expect(layout.overflowing).toEqual([]);
    expect(layout.minFontPx).toBeGreaterThanOrEqual(36); // about 20 mm on a 98-inch 4K screen: legible from 5 m
    expect(layout.mapRight).toBeLessThanOrEqual(layout.panelLeft + 1);
    const figure = (key: string) => page.textContent(`[data-figure="${key}"] .figure-value`);
    expect(await figure('wall.workers')).toBe(figures.workers.toLocaleString('en-US'));
    expect(await figure('wall.patrols')).toBe(figures.patrolsToday.toLocaleString('en-US'));
    expect(await figure('wall.grids')).toBe(String(figures.grids));
    expect(figures.patrolsToday).toBeGreaterThan(0);
    // the animation redraws the trail canvas; the still canvas (grids, hexes, cameras, tracks) is not redrawn meanwhile
    const f0 = await frameCounts(page);
    await page.waitForTimeout(2000);
    const f1 = await frameCounts(page);
    expect(f0.still).toBeGreaterThan(0);
    expect(f1.n - f0.n).toBeGreaterThanOrEqual(3);
    expect(f1.still - f0.still).toBe(0);
    // grids by households: measure ramp colours
    const ramp = new Set(MEASURE_RAMP.map(rgbOf));
    const byHouseholds = (await wallFills(page))!;
    expect(Object.keys(byHouseholds).length).toBe(figures.grids);
    expect(Object.values(byHouseholds).every((c) => ramp.has(c))).toBe(true);
    await page.screenshot({ path: path.join(RESULTS, 'wall.png') });
    // switch to patrol compliance: every grid in the colour of its compliance from the service, legend says so
    const stillBefore = (await frameCounts(page)).still;
    await page.click('button.wall-measure[data-measure="compliance"]');
    const want = Object.fromEntries(figures.perGrid.map((g: { code: string; compliance: number }) => [g.code, rampColour(g.compliance, 0, 1, 255, COMPLIANCE_RAMP).slice(0, 3).join(',')]));
    // the still canvas redrawn with the grids layer holding the new colours
    let byCompliance: Record<string, string> | null = null;
    await expect.poll(async () => (byCompliance = await wallFills(page, stillBefore)) !== null && Object.values(byCompliance).some((c) => !ramp.has(c)), { timeout: 20_000 }).toBe(true);
    expect(Object.keys(byCompliance!).sort()).toEqual(Object.keys(want).sort());
    for (const [code, rgb] of Object.entries(byCompliance!)) expect(rgb, code).toBe(want[code]);
    expect(new Set(Object.values(byCompliance!)).size).toBeGreaterThan(1); // not all one colour: some grids patrolled, some not
    expect(await page.getAttribute('.wall-legend', 'data-measure')).toBe('compliance');
    const legend = (await page.textContent('.wall-legend'))!;
    expect(legend).toContain('按巡查达标率');
    expect(legend).toContain(`每格每日应巡 ${figures.expectedPatrols} 次`);
    expect(legend).toContain('0% … 100%');
    expect(await page.getAttribute('button.wall-measure[data-measure="compliance"]', 'class')).toContain('active');
    expect((await wallLayout(page)).overflowing).toEqual([]);
    await finishView(page, errors, 'wall-compliance', 2800, { distinct: 30, drawn: 0.3 });
  }, 180_000);

  it('/wall at 7680×2160 (32:9): a wide panel with the figures beside the legend, no scroll bars, English', async () => {
    const { page, errors } = await open('/wall?tour=0&lang=en', { width: 7680, height: 2160 });
    const layout = await wallLayout(page);
    expect(layout.doc).toEqual([7680, 7680, 2160, 2160]);
    expect(layout.panel[2]).toBeLessThanOrEqual(layout.panel[3]);
    expect(layout.overflowing).toEqual([]);
    expect(layout.minFontPx).toBeGreaterThanOrEqual(36);
    expect(7680 - layout.panelLeft).toBeGreaterThan(7680 / 4); // wider than on 16:9 (a quarter of a 3840 screen)
    expect(layout.mapRight).toBeLessThanOrEqual(layout.panelLeft + 1);
    expect(layout.figureColumns).toBe(2);
    expect(layout.legendLeft).toBeGreaterThan(layout.figuresRight); // legend beside the figures, not below
    expect(await page.textContent('[data-figure="wall.workers"] .figure-label')).toBe('Grid workers');
    expect(await page.textContent('[data-figure="wall.workers"] .figure-value')).toMatch(/^\d{1,3}(,\d{3})*$/);
    await finishView(page, errors, 'wall-7680', 5000, { distinct: 30, drawn: 0.2 });
  }, 180_000);
});

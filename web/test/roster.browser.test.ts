// Issue 14 in headless Chromium: a grid worker's phone (/roster, 390×844) lists the people of their grid to move,
// vulnerable first, and ticks one off; the wall (/wall/roster, 1920×1080) shows progress per grid and shelter and
// follows a tick made elsewhere over Server-Sent Events without a reload; English by the language switch.
// Screenshots: test-results/roster-phone.png, roster-phone-en.png, roster-wall.png; the grid's printable sheet as
// test-results/roster-grid.pdf (to render and look at: pdftoppm -png).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { RESULTS, startBrowserApp, type BrowserApp } from './browser-harness.ts';
import { loadTinyTown, TINY } from '../../api/test/tiny-town.ts';
import { createAccounts, G1, loadPeople, PASSWORD } from '../../api/auth/test-people.ts';

const X = (i: number) => TINY.x0 + i * TINY.dx;
const Y = (j: number) => TINY.y0 + j * TINY.dy;
const AREA = { type: 'Polygon', coordinates: [[[X(-0.2), Y(-0.2)], [X(2.6), Y(-0.2)], [X(2.3), Y(2.1)], [X(1.4), Y(3.3)], [X(-0.2), Y(3.0)], [X(-0.2), Y(-0.2)]]] };

describe('the emergency roster views in headless Chromium', () => {
  let web: BrowserApp;
  let rosterId = 0;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    web = await startBrowserApp({ width: 390, height: 844 }, async (database) => {
      await loadTinyTown(database.db);
      await loadPeople(database.db);
      await createAccounts(database.db);
      await sql`UPDATE residents SET needs = ARRAY['wheelchair'] WHERE id % 9 = 0`.execute(database.db);
      await sql`INSERT INTO grid_staff (jcode, grid_code, name, role, phone) VALUES (${TINY.jcode}, ${G1}, '网格员甲', 'leader', '13900000001')`.execute(database.db);
      await sql`INSERT INTO shelters (jcode, name, capacity_day, capacity_night, contact_name, contact_phone, geom) VALUES
        (${TINY.jcode}, '东湖小学安置点', 150, 100, '联系人一', '13800000001', ST_SetSRID(ST_MakePoint(${X(3)}, ${Y(1)}), 4326)),
        (${TINY.jcode}, '西山社区安置点', 400, 200, '联系人二', '13800000002', ST_SetSRID(ST_MakePoint(${X(4)}, ${Y(4)}), 4326))`.execute(database.db);
    });
    for (const n of ['worker1', 'commander1']) {
      const res = await fetch(`${web.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: n, password: PASSWORD }) });
      tokens[n] = ((await res.json()) as { token: string }).token;
    }
    const res = await api('/api/emergency/rosters', { name: '“海葵”洪水转移', kind: 'flood', deadline: new Date(Date.now() + 2 * 3_600_000).toISOString(), area: AREA });
    rosterId = ((await res.json()) as { id: number }).id;
  }, 300_000);
  afterAll(async () => {
    await web?.close();
  });

  function api(p: string, body: unknown, token = tokens.commander1): Promise<Response> {
    return fetch(`${web.base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  }

  async function open(url: string, viewport: { width: number; height: number }, token: string): Promise<{ page: Page; errors: string[] }> {
    const page = await web.context.newPage();
    await page.setViewportSize(viewport);
    await page.addInitScript((tok: string) => { sessionStorage.setItem('wangge.token', tok); }, token);
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${web.base}${url}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 90_000 });
    return { page, errors };
  }

  it('/roster: a grid worker sees their grid, vulnerable first, and ticks a person off', async () => {
    const { page, errors } = await open(`/roster/${rosterId}`, { width: 390, height: 844 }, tokens.worker1);
    expect(await page.textContent('h1')).toContain('转移对象清单');
    const people = await (await fetch(`${web.base}/api/emergency/rosters/${rosterId}/people`, { headers: { authorization: `Bearer ${tokens.worker1}` } })).json() as any;
    expect(await page.locator('.ro-person').count()).toBe(people.total);
    const flags = await page.locator('.ro-person').evaluateAll((els) => els.map((e) => e.classList.contains('ro-vulnerable')));
    expect(flags[0]).toBe(true);
    const first = page.locator('.ro-person').first();
    const resident = await first.getAttribute('data-resident');
    await first.locator('.ro-btn-moved').click();
    await page.waitForSelector(`.ro-person[data-resident="${resident}"].ro-out`);
    expect(await page.locator(`.ro-person[data-resident="${resident}"] .ro-state`).textContent()).toContain('已转移');
    await page.screenshot({ path: path.join(RESULTS, 'roster-phone.png') });
    await page.click('.lang-switch');
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent?.includes('People to move'));
    await page.screenshot({ path: path.join(RESULTS, 'roster-phone-en.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('/wall/roster: progress per grid and shelter, following a tick over Server-Sent Events', async () => {
    const { page, errors } = await open(`/wall/roster/${rosterId}?lang=zh`, { width: 1920, height: 1080 }, tokens.commander1);
    await page.waitForSelector(`tr[data-grid="${G1}"]`);
    const movedBefore = Number(await page.locator(`tr[data-grid="${G1}"] td`).nth(2).textContent());
    expect(movedBefore).toBe(1);
    const people = await (await fetch(`${web.base}/api/emergency/rosters/${rosterId}/people?grid=${G1}`, { headers: { authorization: `Bearer ${tokens.worker1}` } })).json() as any;
    const next = people.people.find((p: any) => !p.status);
    expect((await api(`/api/emergency/rosters/${rosterId}/ticks`, { residentId: next.residentId, status: 'moved_elsewhere' }, tokens.worker1)).status).toBe(201);
    await page.waitForFunction((g) => document.querySelector(`tr[data-grid="${g}"] td:nth-child(3)`)?.textContent === '2', G1, { timeout: 20_000 });
    expect(await page.locator('.ro-shelters tr').count()).toBeGreaterThan(1);
    expect(await page.textContent('h1')).toContain('人员转移进度');
    await page.screenshot({ path: path.join(RESULTS, 'roster-wall.png') });
    const pdf = await fetch(`${web.base}/api/emergency/rosters/${rosterId}/grids/${G1}.pdf`, { headers: { authorization: `Bearer ${tokens.worker1}` } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    writeFileSync(path.join(RESULTS, 'roster-grid.pdf'), Buffer.from(await pdf.arrayBuffer()));
    expect(errors).toEqual([]);
    await page.close();
  });
});

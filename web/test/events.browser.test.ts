// Issue 20 in headless Chromium: a grid worker's phone (/events, 390×844) reports an event with a photo from the
// camera input and a position, sees their grid's open events and handles the one dispatched to them; the command
// centre's desk (/events, 1920×1080) filters the list, maps the open events by light and accepts one; the live
// events wall (/wall/events, 1920×1080) shows the open events by light, red first, and a new event arrives over
// Server-Sent Events without a reload; the wall's map (/wall) draws them as dots by light and a new one too;
// English by the language switch. No console errors, no request leaves the machine.
// Screenshots: test-results/events-phone.png, events-phone-en.png, events-desk.png, events-wall.png, events-wall-map.png.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { RESULTS, startBrowserApp, type BrowserApp } from './browser-harness.ts';
import { loadTinyTown, TINY } from '../../api/test/tiny-town.ts';
import { createAccounts, G1, PASSWORD } from '../../api/auth/test-people.ts';
import { createOpen311Client } from '../../domain/events/open311-clients.ts';
import { createEvent } from '../../domain/events/event-repository.ts';

const KEY = 'browser-test-open311-key-0123456789';
const P1: [number, number] = [TINY.x0 + TINY.dx * 0.55, TINY.y0 + TINY.dy * 0.9];
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f8a0f40000000049454e44ae426082', 'hex');

describe('the events views in headless Chromium', () => {
  let web: BrowserApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    web = await startBrowserApp({ width: 390, height: 844 }, async (database) => {
      await loadTinyTown(database.db);
      await createAccounts(database.db);
      await createOpen311Client(database.db, TINY.jcode, 'browser-test', KEY);
      // a red (reported 5 h ago, 2 h to handle) and a yellow one (1.8 h ago) for the wall
      const now = new Date();
      for (const [h, d] of [[5, 0.0012], [1.8, 0.0016]]) {
        await createEvent(database.db, { typeCode: '09009', source: 'camera', description: '机动车乱停放', point: { lon: P1[0] + d, lat: P1[1] }, reportedAt: new Date(now.getTime() - h * 3_600_000) }, now);
      }
    });
    for (const n of ['worker1', 'commander1']) {
      const res = await fetch(`${web.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: n, password: PASSWORD }) });
      tokens[n] = ((await res.json()) as { token: string }).token;
    }
  }, 300_000);
  afterAll(async () => {
    await web?.close();
  });

  async function open(url: string, viewport: { width: number; height: number }, token?: string): Promise<{ page: Page; errors: string[] }> {
    const page = await web.context.newPage();
    await page.setViewportSize(viewport);
    if (token) await page.addInitScript((tok: string) => { sessionStorage.setItem('wangge.token', tok); }, token);
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${web.base}${url}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 90_000 });
    return { page, errors };
  }
  const api = (p: string, body: unknown, token = tokens.commander1) => fetch(`${web.base}${p}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });

  it('/events: a grid worker reports with a photo, sees the open events of their grid and handles the one dispatched to them', async () => {
    const { page, errors } = await open(`/events?lon=${P1[0]}&lat=${P1[1]}`, { width: 390, height: 844 }, tokens.worker1);
    expect(await page.textContent('h1')).toContain('网格事件');
    const capture = page.locator('input[type=file][capture]').first();
    expect(await capture.getAttribute('accept')).toBe('image/*');
    await page.selectOption('select[name=typeCode]', '06036');
    await page.fill('textarea[name=description]', '楼道口乱堆杂物，影响通行');
    await capture.setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await page.click('.ev-form button[type=submit]');
    await page.waitForSelector('.ev-result[data-event-id]');
    const id = Number(await page.getAttribute('.ev-result', 'data-event-id'));
    await page.waitForSelector(`.ev-item[data-event-id="${id}"]`);
    const created = await (await fetch(`${web.base}/api/jurisdictions/${TINY.jcode}/events/${id}`, { headers: { authorization: `Bearer ${tokens.commander1}` } })).json();
    expect(created).toMatchObject({ gridCode: G1, source: 'patrol', photos: 1, stage: 'reported' });

    for (const body of [{ action: 'accept' }, { action: 'register' }, { action: 'dispatch', to: { kind: 'grid_worker', name: 'worker1' } }]) {
      expect((await api(`/api/jurisdictions/${TINY.jcode}/events/${id}/transitions`, body)).status).toBe(200);
    }
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]');
    const item = page.locator(`.ev-item[data-event-id="${id}"]`);
    expect(await item.getAttribute('data-stage')).toBe('dispatched');
    await item.locator('input[type=file]').setInputFiles({ name: 'result.png', mimeType: 'image/png', buffer: PNG });
    await item.locator('.ev-handle').click();
    await page.waitForSelector(`.ev-item[data-event-id="${id}"][data-stage="handled"]`);
    const handled = await (await fetch(`${web.base}/api/jurisdictions/${TINY.jcode}/events/${id}`, { headers: { authorization: `Bearer ${tokens.commander1}` } })).json();
    expect(handled).toMatchObject({ stage: 'handled', handledBy: 'worker1', resultPhotos: 1 });
    await page.screenshot({ path: path.join(RESULTS, 'events-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    // the English switch
    await page.click('.lang-switch');
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForSelector('.ev-form h2');
    expect(await page.textContent('.ev-form h2')).toBe('Report an event');
    await page.screenshot({ path: path.join(RESULTS, 'events-phone-en.png'), fullPage: true });
    await page.close();
    expect(web.outsideRequests()).toEqual([]);
  });

  it('/events: without an account it asks for a login', async () => {
    const page = await web.context.newPage();
    await page.goto(`${web.base}/events?lang=zh`);
    await page.waitForSelector('body[data-state="empty"]');
    expect(await page.locator('.ev-login input[name=password]').count()).toBe(1);
    await page.close();
  });

  const post311 = async (lat: number, lon: number, description: string): Promise<string> => {
    const res = await fetch(`${web.base}/open311/v2/requests.json`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: KEY, service_code: '09009', lat: String(lat), long: String(lon), description }).toString(),
    });
    expect(res.status).toBe(201);
    const [{ service_request_id: rid }] = await res.json();
    return rid.split('-').pop();
  };

  it('/events on a desk: the command centre filters the list, maps the open events by light and accepts one', async () => {
    const { page, errors } = await open(`/events?lang=zh`, { width: 1920, height: 1080 }, tokens.commander1);
    expect(await page.locator('.ev-desk .ev-map canvas').count()).toBeGreaterThan(0);
    const all = Number(await page.getAttribute('.ev-list-title', 'data-total'));
    expect(all).toBeGreaterThanOrEqual(2);
    // the map holds a dot for every listed open event with a position
    await page.waitForFunction((n) => Number(document.querySelector('.ev-map-note')?.getAttribute('data-points')) === n, all);
    // red only: the list and the map follow the filter
    await page.selectOption('.ev-filters select[name=light]', 'red');
    await page.waitForFunction(() => [...document.querySelectorAll('.ev-item')].every((li) => (li as HTMLElement).dataset.light === 'red'));
    const reds = await page.locator('.ev-item').count();
    expect(reds).toBeGreaterThanOrEqual(1);
    expect(Number(await page.getAttribute('.ev-map-note', 'data-points'))).toBe(reds);
    await page.selectOption('.ev-filters select[name=light]', '');
    await page.waitForFunction((n) => document.querySelectorAll('.ev-item').length === n, all);
    // accept a reported event from the list: its stage changes, the next actions are the command centre's
    const reported = page.locator('.ev-item[data-stage="reported"]').first();
    const id = await reported.getAttribute('data-event-id');
    await reported.locator('button[data-action="accept"]').click();
    await page.waitForSelector(`.ev-item[data-event-id="${id}"][data-stage="accepted"] button[data-action="register"]`);
    // the figures of the last 30 days as .xlsx
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('.ev-export-xlsx')]);
    expect(file.suggestedFilename()).toBe(`events-${TINY.jcode}-grid.xlsx`);
    await page.screenshot({ path: path.join(RESULTS, 'events-desk.png') });
    expect(errors).toEqual([]);
    await page.close();
    expect(web.outsideRequests()).toEqual([]);
  });

  it('/wall: the open events as dots by light on the map, a new one drawn live with no reload', async () => {
    const { page, errors } = await open(`/wall?jcode=${TINY.jcode}&tour=0&lang=zh`, { width: 1920, height: 1080 });
    type W = { __wangge: { events(): Array<{ id: number; light: string }> } };
    const dots = () => page.evaluate(() => (window as unknown as W).__wangge.events());
    await expect.poll(async () => (await dots()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const before = await dots();
    expect(before.map((d) => d.light)).toContain('red');
    expect(before.at(-1)!.light).toBe('red'); // red drawn last, on top
    const id = Number(await post311(P1[1] + 0.0011, P1[0] + 0.0004, '路口违停'));
    await expect.poll(async () => (await dots()).map((d) => d.id), { timeout: 10_000 }).toContain(id);
    expect((await dots()).find((d) => d.id === id)!.light).toBe('green');
    expect(Number(await page.getAttribute('.wall-events', 'data-events'))).toBe(before.length + 1);
    expect(Number(await page.textContent('.wall-events [data-light="red"] .ev-n'))).toBe(before.filter((d) => d.light === 'red').length);
    await page.screenshot({ path: path.join(RESULTS, 'events-wall-map.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('/wall/events: open events by light, red first, counts per grid; a new event arrives live', async () => {
    const { page, errors } = await open(`/wall/events?jcode=${TINY.jcode}&lang=zh`, { width: 1920, height: 1080 });
    const before = await page.locator('.evw-item').count();
    expect(before).toBeGreaterThanOrEqual(1);
    const id = await post311(P1[1] + 0.0008, P1[0], '消防通道违停');
    await page.waitForSelector(`.evw-item[data-event-id="${id}"]`, { timeout: 10_000 });
    expect(await page.locator('.evw-item').count()).toBe(before + 1);
    expect(Number(await page.textContent('.evw-total[data-light="green"] .evw-n'))).toBeGreaterThanOrEqual(2);
    expect(Number(await page.textContent('.evw-total[data-light="red"] .evw-n'))).toBe(1);
    expect(Number(await page.textContent('.evw-total[data-light="yellow"] .evw-n'))).toBe(1);
    expect(await page.locator('.evw-item').first().getAttribute('data-light')).toBe('red');
    expect(await page.locator(`.evw-table tr[data-key="${G1}"]`).count()).toBe(1);
    // lights order: every red before every yellow before every green
    const lights = await page.locator('.evw-item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.light));
    const rank = (l: string | undefined) => ['red', 'yellow', 'green'].indexOf(l ?? '');
    expect(lights.map(rank)).toEqual([...lights.map(rank)].sort((a, b) => a - b));
    const noScroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(noScroll).toBe(true);
    await page.screenshot({ path: path.join(RESULTS, 'events-wall.png') });
    expect(errors).toEqual([]);
    await page.close();
    expect(web.outsideRequests()).toEqual([]);
  });
});

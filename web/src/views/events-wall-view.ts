/**
 * /wall/events — the command centre's live events (Server-Sent Events, no reload): red first, then yellow and
 * green, counts per grid and per street, the on-time rate of closed events. Lights are recomputed on this screen's
 * clock every 15 s from each event's yellow time and deadline, so an event turns yellow or red without a message.
 */
import { el } from '../dom.ts';
import { fetchEventTypes, type LiveEvent } from '../events-client.ts';
import { stageName, te } from '../events-i18n.ts';
import { followLiveEvents, setLightColourVariables, type LiveEventsFeed } from '../live-events.ts';
import { LIGHT_ORDER as ORDER, lightAt as lightNow, type Light } from '../../layers/event-points.ts';
import { formatCount, getLang } from '../i18n.ts';
import { header, loadFailed, pickJurisdiction, placeNames } from './common.ts';
import type { Unmount, ViewContext } from './view.ts';
import '../events.css';

export function mountEventsWallView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-events-wall';
  let alive = true;
  let feed: LiveEventsFeed | null = null;
  let open = new Map<number, LiveEvent>();
  let closed = 0;
  let closedOnTime = 0;
  setLightColourVariables();
  const head = el('div', 'evw-head');
  const totals = el('div', 'evw-totals');
  const body = el('div', 'evw-body');
  const list = el('ol', 'evw-list');
  const grids = el('table', 'evw-table');
  const streets = el('table', 'evw-table');
  const gridBox = el('div', 'evw-fill');
  gridBox.append(grids);
  const side = el('div', 'evw-side');
  side.append(el('h2', undefined, te('perStreet')), streets, el('h2', undefined, te('perGrid')), gridBox);
  body.append(list, side);
  ctx.root.replaceChildren(head, totals, body);
  // names of streets, communities, grids and event types (codes are what the feed carries)
  let placeName = placeNames(null);
  const typeNames = new Map<string, { zh: string; en: string }>();
  const typeName = (code: string) => { const n = typeNames.get(code); return n ? (getLang() === 'en' ? n.en : n.zh) : code; };

  /** drop the last children of `parent` until `box` shows them whole (no row cut at the screen's edge) */
  function fit(box: HTMLElement, parent: HTMLElement, keep = 1): void {
    while (parent.children.length > keep && box.scrollHeight > box.clientHeight + 1) parent.lastElementChild!.remove();
  }

  function table(t: HTMLTableElement, counts: Map<string, Record<Light, number>>): void {
    const rows = [...counts.entries()].sort((a, b) => b[1].red - a[1].red || b[1].yellow - a[1].yellow || a[0].localeCompare(b[0]));
    t.replaceChildren();
    const hr = el('tr');
    hr.append(el('th', undefined, ''), ...ORDER.map((l) => el('th', `ev-${l}`, te(l).replace(/（.*|\s\(.*/, ''))));
    t.append(hr);
    for (const [k, c] of rows.slice(0, 30)) {
      const tr = el('tr');
      tr.dataset.key = k;
      tr.append(el('td', undefined, placeName(k)), ...ORDER.map((l) => el('td', `num ev-${l}`, String(c[l]))));
      t.append(tr);
    }
  }

  function render(): void {
    const now = Date.now();
    const items = [...open.values()].map((e) => ({ e, light: lightNow(e, now) }))
      .sort((a, b) => ORDER.indexOf(a.light) - ORDER.indexOf(b.light) || Date.parse(a.e.deadlineAt) - Date.parse(b.e.deadlineAt));
    const count: Record<Light, number> = { red: 0, yellow: 0, green: 0 };
    const perGrid = new Map<string, Record<Light, number>>();
    const perStreet = new Map<string, Record<Light, number>>();
    for (const { e, light } of items) {
      count[light] += 1;
      for (const [m, k] of [[perGrid, e.gridCode ?? '—'], [perStreet, e.townshipCode ?? e.communityCode ?? '—']] as const) {
        const c = m.get(k) ?? { red: 0, yellow: 0, green: 0 };
        c[light] += 1;
        m.set(k, c);
      }
    }
    totals.replaceChildren(
      ...ORDER.map((l) => {
        const b = el('div', `evw-total ev-${l}`);
        b.dataset.light = l;
        b.append(el('span', 'evw-n', formatCount(count[l])), el('span', undefined, te(l)));
        return b;
      }),
      (() => {
        const b = el('div', 'evw-total evw-ontime');
        b.append(el('span', 'evw-n', closed ? `${Math.round((closedOnTime / closed) * 1000) / 10}%` : '—'), el('span', undefined, `${te('onTime')} (${formatCount(closed)})`));
        return b;
      })(),
    );
    list.replaceChildren(...items.slice(0, 80).map(({ e, light }) => {
      const li = el('li', `evw-item ev-${light}`);
      li.dataset.eventId = String(e.id);
      li.dataset.light = light;
      li.append(el('span', 'ev-dot'), el('strong', undefined, typeName(e.typeCode)), el('span', 'evw-place', e.gridCode ? placeName(e.gridCode) : ''),
        el('span', 'ev-stage', stageName(e.stage)), el('span', 'evw-due', new Date(e.deadlineAt).toLocaleString(getLang(), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' })));
      return li;
    }));
    table(grids, perGrid);
    table(streets, perStreet);
    // the wall has no scroll bars: as many whole entries as the screen holds, the most urgent
    body.style.height = `${Math.max(200, innerHeight - body.getBoundingClientRect().top - 16)}px`;
    fit(list, list, 0);
    fit(gridBox, grids);
  }

  async function start(): Promise<void> {
    try {
      const j = await pickJurisdiction(ctx.query);
      if (!alive) return;
      if (!j) {
        ctx.setState('empty');
        return;
      }
      head.replaceChildren(header(ctx, `${j.name} · ${te('wallTitle')}`, 'evw-title'));
      placeName = placeNames(j);
      for (const t of (await fetchEventTypes()).types) typeNames.set(t.code, { zh: t.nameZh, en: t.nameEn });
      if (!alive) return;
      feed = followLiveEvents(j.jcode, (state, first) => {
        ({ open, closed, closedOnTime } = state);
        render();
        if (first) ctx.setState('ready');
        else document.body.dataset.liveEvents = String(state.changes);
      });
    } catch (e) {
      if (alive) loadFailed(ctx, body, e);
    }
  }
  const tick = setInterval(() => { if (open.size) render(); }, 15_000);
  ctx.setState('loading');
  void start();
  return () => {
    alive = false;
    clearInterval(tick);
    feed?.close();
  };
}

/**
 * /wall/events — the command centre's live events (Server-Sent Events, no reload): red first, then yellow and
 * green, counts per grid and per street, the on-time rate of closed events. Lights are recomputed on this screen's
 * clock every 15 s from each event's yellow time and deadline, so an event turns yellow or red without a message.
 */
import { el } from '../dom.ts';
import { liveEvents, type LiveEvent } from '../events-client.ts';
import { stageName, te } from '../events-i18n.ts';
import { formatCount, getLang } from '../i18n.ts';
import { header, loadFailed, pickJurisdiction } from './common.ts';
import type { Unmount, ViewContext } from './view.ts';
import '../events.css';

type Light = 'red' | 'yellow' | 'green';
const ORDER: Light[] = ['red', 'yellow', 'green'];

function lightNow(e: LiveEvent, now: number): Light {
  if (now > Date.parse(e.deadlineAt)) return 'red';
  return now >= Date.parse(e.yellowAt) ? 'yellow' : 'green';
}

export function mountEventsWallView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-events-wall';
  let alive = true;
  let source: EventSource | null = null;
  const open = new Map<number, LiveEvent>();
  let closed = 0;
  let closedOnTime = 0;
  const head = el('div', 'evw-head');
  const totals = el('div', 'evw-totals');
  const body = el('div', 'evw-body');
  const list = el('ol', 'evw-list');
  const grids = el('table', 'evw-table');
  const streets = el('table', 'evw-table');
  const side = el('div', 'evw-side');
  side.append(el('h2', undefined, te('perGrid')), grids, el('h2', undefined, te('perStreet')), streets);
  body.append(list, side);
  ctx.root.replaceChildren(head, totals, body);

  function table(t: HTMLTableElement, counts: Map<string, Record<Light, number>>): void {
    const rows = [...counts.entries()].sort((a, b) => b[1].red - a[1].red || b[1].yellow - a[1].yellow || a[0].localeCompare(b[0]));
    t.replaceChildren();
    const hr = el('tr');
    hr.append(el('th', undefined, ''), ...ORDER.map((l) => el('th', `ev-${l}`, te(l).replace(/（.*|\s\(.*/, ''))));
    t.append(hr);
    for (const [k, c] of rows.slice(0, 30)) {
      const tr = el('tr');
      tr.dataset.key = k;
      tr.append(el('td', undefined, k), ...ORDER.map((l) => el('td', `num ev-${l}`, String(c[l]))));
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
    list.replaceChildren(...items.slice(0, 60).map(({ e, light }) => {
      const li = el('li', `evw-item ev-${light}`);
      li.dataset.eventId = String(e.id);
      li.dataset.light = light;
      li.append(el('span', 'ev-dot'), el('strong', undefined, `#${e.id} ${e.typeCode}`), el('span', undefined, e.gridCode ?? ''),
        el('span', 'ev-stage', stageName(e.stage)), el('span', 'evw-due', new Date(e.deadlineAt).toLocaleString(getLang(), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' })));
      return li;
    }));
    table(grids, perGrid);
    table(streets, perStreet);
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
      source = liveEvents(j.jcode);
      source.addEventListener('snapshot', (m) => {
        const snap = JSON.parse((m as MessageEvent).data) as { closed: number; closedOnTime: number; events: LiveEvent[] };
        open.clear();
        for (const e of snap.events) open.set(e.id, e);
        closed = snap.closed;
        closedOnTime = snap.closedOnTime;
        render();
        ctx.setState('ready');
      });
      source.addEventListener('event', (m) => {
        const e = JSON.parse((m as MessageEvent).data) as LiveEvent;
        if (e.closedAt) {
          if (open.delete(e.id) && e.stage === 'closed') {
            closed += 1;
            if (e.onTime) closedOnTime += 1;
          }
        } else open.set(e.id, e);
        render();
        document.body.dataset.liveEvents = String(Number(document.body.dataset.liveEvents ?? 0) + 1);
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
    source?.close();
  };
}

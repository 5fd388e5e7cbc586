/**
 * /wall/roster[/:id]: the command centre's wall during an evacuation — live (Server-Sent Events) progress per grid
 * (moved / still inside, lit green, yellow near the deadline, red past it) and per shelter (assigned, arrived,
 * capacity), the countdown to the deadline and the totals. Counts only: no names on the wall.
 */
import '../roster.css';
import { el } from '../dom.ts';
import { followProgress, latestRosterId, RosterApiError, type RosterSummary } from '../roster-client.ts';
import { tr, trCode } from '../roster-i18n.ts';
import { header, loadFailed } from './common.ts';
import type { Unmount, ViewContext } from './view.ts';

function bar(done: number, total: number, cls: string): HTMLElement {
  const b = el('div', `ro-bar ${cls}`);
  const f = el('div', 'ro-bar-fill');
  f.style.width = `${total > 0 ? Math.min(100, (100 * done) / total) : 100}%`;
  b.append(f);
  return b;
}

function countdown(deadline: string, now: number): string {
  const ms = new Date(deadline).getTime() - now;
  const a = Math.abs(ms);
  const h = Math.floor(a / 3_600_000), m = Math.floor((a % 3_600_000) / 60_000);
  return `${ms < 0 ? '−' : ''}${h}:${String(m).padStart(2, '0')}`;
}

export function mountRosterWallView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-roster-wall';
  let stop: (() => void) | null = null;
  let alive = true;
  let last: RosterSummary | null = null;
  const top = header(ctx, tr('wallTitle'), 'view-head');
  const figures = el('section', 'ro-figures');
  const grids = el('section', 'ro-grids');
  const shelters = el('section', 'ro-shelters');
  const body = el('div', 'ro-wall-body');
  body.append(grids, shelters);
  ctx.root.replaceChildren(top, figures, body);

  function render(s: RosterSummary): void {
    last = s;
    const fig = (label: string, value: string, cls = '') => { const d = el('div', `ro-figure ${cls}`); d.append(el('span', 'ro-figure-label', label), el('strong', undefined, value)); return d; };
    figures.replaceChildren(
      el('h2', undefined, s.name),
      fig(tr('deadline'), countdown(s.deadline, Date.now()), `ro-light-${s.light}`),
      fig(tr('total'), `${s.residents}`), fig(tr('moved'), `${s.moved}`), fig(tr('remaining'), `${s.remaining}`, `ro-light-${s.light}`),
      fig(tr('vulnerable'), `${s.vulnerable}`), fig(tr('vehicle'), `${s.needs_vehicle}`),
    );
    const gt = el('table', 'ro-table');
    const gh = el('tr');
    for (const h of [tr('grid'), tr('total'), tr('moved'), tr('remaining'), tr('vulnerable'), '']) gh.append(el('th', undefined, h));
    gt.append(gh);
    const order = { red: 0, yellow: 1, green: 2, done: 3 } as const;
    for (const g of [...s.by_grid].sort((a, b) => order[a.light] - order[b.light] || b.remaining - a.remaining)) {
      const row = el('tr', `ro-light-${g.light}`);
      row.dataset.grid = g.grid_code ?? '';
      const cell = el('td');
      cell.append(bar(g.moved + g.moved_elsewhere, g.residents, `ro-bar-${g.light}`), el('span', 'ro-light-word', trCode('light', g.light)));
      row.append(el('td', undefined, g.grid_code ?? '—'), el('td', undefined, String(g.residents)), el('td', undefined, String(g.moved + g.moved_elsewhere)),
        el('td', undefined, String(g.remaining)), el('td', undefined, String(g.vulnerable)), cell);
      gt.append(row);
    }
    grids.replaceChildren(el('h3', undefined, tr('grid')), gt);
    const st = el('table', 'ro-table');
    const sh = el('tr');
    for (const h of [tr('shelter'), tr('capacity'), tr('assigned'), tr('arrived'), '']) sh.append(el('th', undefined, h));
    st.append(sh);
    for (const x of s.shelters) {
      const row = el('tr');
      const cell = el('td');
      cell.append(bar(x.arrived, x.capacity, 'ro-bar-shelter'));
      row.append(el('td', undefined, x.name), el('td', undefined, String(x.capacity)), el('td', undefined, String(x.assigned)), el('td', undefined, String(x.arrived)), cell);
      st.append(row);
    }
    shelters.replaceChildren(el('h3', undefined, tr('shelters')), st);
    ctx.setState('ready');
  }

  const tickClock = setInterval(() => { if (last) render(last); }, 30_000);
  void (async () => {
    ctx.setState('loading');
    try {
      const id = Number(ctx.params.id ?? 0) || (await latestRosterId());
      if (!alive) return;
      if (!id) { figures.replaceChildren(el('p', 'message', tr('noRoster'))); ctx.setState('empty'); return; }
      stop = followProgress(id, render, (e) => loadFailed(ctx, figures, e));
    } catch (e) {
      if (e instanceof RosterApiError && e.status === 401) { figures.replaceChildren(el('p', 'message', tr('needLogin'))); ctx.setState('empty'); return; }
      loadFailed(ctx, figures, e);
    }
  })();
  return () => { alive = false; clearInterval(tickClock); stop?.(); };
}

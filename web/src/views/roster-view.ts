/**
 * /roster[/:id]: a grid worker's phone during an evacuation — the people of their grid to move, vulnerable first,
 * each with what they need, the shelter and the walk, and four buttons to tick (moved, refused, not found, moved
 * elsewhere). Ticks are appended on the service (two phones ticking one person both count; the latest is shown).
 * Chinese by default, English with the language switch.
 */
import '../roster.css';
import { el, button } from '../dom.ts';
import { fetchPeople, fetchSummary, latestRosterId, tick, RosterApiError, BASE, type RosterPerson, type RosterSummary, type TickStatus } from '../roster-client.ts';
import { tr, trCode } from '../roster-i18n.ts';
import { header, loadFailed, signInForm } from './common.ts';
import type { Unmount, ViewContext } from './view.ts';

const STATUSES: TickStatus[] = ['moved', 'refused', 'not_found', 'moved_elsewhere'];
const OUT = new Set(['moved', 'moved_elsewhere']);

function cnTime(iso: string): string {
  return new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');
}

export function mountRosterView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-roster';
  let alive = true;
  let onlyRemaining = ctx.query.get('remaining') === '1';
  let people: RosterPerson[] = [];
  let summary: RosterSummary | null = null;
  let id = Number(ctx.params.id ?? 0);
  const top = header(ctx, tr('title'), 'me-head');
  const head = el('section', 'ro-summary');
  const tools = el('div', 'ro-tools');
  const list = el('ul', 'ro-list');
  ctx.root.replaceChildren(top, head, tools, list);

  function showLogin(): void {
    const f = signInForm('ro-login', 'field', tr, () => void start());
    head.replaceChildren(f);
    ctx.setState('empty');
  }

  function renderHead(): void {
    if (!summary) return;
    const s = summary;
    const box = el('div', `ro-card ro-light-${s.light}`);
    box.append(el('h2', undefined, s.name),
      el('p', undefined, `${tr('deadline')} ${cnTime(s.deadline)} · ${trCode('light', s.light)}`),
      el('p', 'ro-big', `${tr('remaining')} ${s.remaining} / ${tr('total')} ${s.residents} ${tr('people')} · ${tr('vulnerable')} ${s.vulnerable} · ${tr('vehicle')} ${s.needs_vehicle}`));
    const grids = [...new Set(people.map((p) => p.gridCode).filter((g): g is string => g !== null))];
    for (const g of grids) {
      const a = el('a', 'btn', `${tr('print')} ${g}`);
      a.href = `${BASE}/${id}/grids/${encodeURIComponent(g)}.pdf`;
      a.addEventListener('click', (e) => { e.preventDefault(); void printGrid(g); });
      box.append(a);
    }
    head.replaceChildren(box);
  }

  async function printGrid(g: string): Promise<void> {
    const { sessionToken } = await import('../api-client.ts');
    const res = await fetch(`${BASE}/${id}/grids/${encodeURIComponent(g)}.pdf`, { headers: { authorization: `Bearer ${sessionToken() ?? ''}` } });
    if (!res.ok) return;
    window.open(URL.createObjectURL(await res.blob()), '_blank');
  }

  function renderTools(): void {
    const all = button(tr('showAll'), () => { onlyRemaining = false; renderTools(); renderList(); }, onlyRemaining ? 'btn' : 'btn btn-primary');
    const rem = button(tr('showRemaining'), () => { onlyRemaining = true; renderTools(); renderList(); }, onlyRemaining ? 'btn btn-primary' : 'btn');
    tools.replaceChildren(all, rem);
  }

  function renderList(): void {
    const shown = onlyRemaining ? people.filter((p) => !p.status || !OUT.has(p.status)) : people;
    list.replaceChildren(...shown.map((p) => {
      const li = el('li', `ro-person${p.vulnerable ? ' ro-vulnerable' : ''}${p.status && OUT.has(p.status) ? ' ro-out' : ''}`);
      li.dataset.resident = String(p.residentId);
      const who = el('div', 'ro-who');
      who.append(el('strong', undefined, p.name), el('span', 'ro-addr', `${p.address ?? ''} ${p.unitNo ?? ''}`.trim()));
      if (p.phone) { const a = el('a', 'ro-phone', p.phone); a.href = `tel:${p.phone}`; who.append(a); }
      const tags = el('div', 'ro-tags');
      for (const r of p.reasons) tags.append(el('span', 'ro-tag', trCode('reason', r)));
      if (p.needsVehicle) tags.append(el('span', 'ro-tag ro-tag-vehicle', tr('vehicle')));
      if (p.dangerousHouse) tags.append(el('span', 'ro-tag ro-tag-danger', tr('dangerous')));
      const where = el('p', 'ro-where', `${tr('shelter')}：${p.shelterName ?? tr('noShelter')}${p.walkM !== null ? ` · ${tr('walk', { m: Math.round(p.walkM) })}` : ''}`);
      const state = el('p', 'ro-state', p.status ? tr('ticked', { s: `${trCode('status', p.status)} ${p.tickedAt ? cnTime(p.tickedAt) : ''}` }) : tr('pending'));
      const btns = el('div', 'ro-buttons');
      for (const s of STATUSES) {
        const b = button(trCode('status', s), () => {
          b.disabled = true;
          tick(id, p.residentId, s).then((t) => {
            p.status = t.current;
            p.tickedAt = t.at;
            renderList();
            void fetchSummary(id).then((x) => { summary = x; renderHead(); });
          }, (e: unknown) => { state.textContent = `${tr('tickFailed')}: ${(e as Error).message}`; b.disabled = false; });
        }, `btn ro-btn ro-btn-${s}${p.status === s ? ' btn-primary' : ''}`);
        btns.append(b);
      }
      li.append(who, tags, where, state, btns);
      return li;
    }));
  }

  async function start(): Promise<void> {
    ctx.setState('loading');
    try {
      if (!id) id = (await latestRosterId()) ?? 0;
      if (!alive) return;
      if (!id) { head.replaceChildren(el('p', 'message', tr('noRoster'))); ctx.setState('empty'); return; }
      const [s, p] = await Promise.all([fetchSummary(id), fetchPeople(id)]);
      if (!alive) return;
      summary = s;
      people = p.people;
      renderHead();
      renderTools();
      renderList();
      ctx.setState(people.length ? 'ready' : 'empty');
    } catch (e) {
      if (e instanceof RosterApiError && (e.status === 401 || e.status === 403)) { showLogin(); return; }
      loadFailed(ctx, head, e);
    }
  }
  void start();
  return () => { alive = false; };
}

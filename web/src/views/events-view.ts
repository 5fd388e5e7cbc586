/**
 * /events — events and work orders for the people who handle them.
 *
 * On a phone (narrower than 900 px; the grid worker's): report an event with a photo from the camera
 * (`<input type=file accept=image/* capture=environment>`), the position of the device (WGS-84 from the browser, or
 * `?lon=&lat=[&crs=gcj02|bd09]`) or an address; the open events of the worker's grid, most urgent first, with the
 * actions the worker may take on them (handle what is dispatched to them, return it with a reason, verify what
 * someone else handled).
 *
 * On a desk (the command centre, planners, a worker at a desk): the same list with filters (light, stage, class,
 * grid, status, source) beside a map of the listed open events by light (EventsDeckLayer over the grids; a dot
 * and its list entry select each other), the command centre's actions on each event in its stage (accept,
 * register, dispatch to a grid worker or a department, reject, close, evaluate, return), and the report form
 * folded above the list. Planners see the list and map only (the service gives them no reporter and no actions).
 * What an account sees is the service's answer: a grid worker their own grid.
 */
import type { FeatureCollection } from 'geojson';
import { fetchFile, fetchJurisdictions, fetchLayer, type JurisdictionNode } from '../api-client.ts';
import { createDeckMap, type DeckMap } from '../deck-map.ts';
import { button, el, saveBlob } from '../dom.ts';
import {
  fetchBoard, fetchEvents, fetchEventTypes, fetchHotspots, fetchMe, reportEvent, transitionEvent, uploadPhoto, type BoardRow, type EventClass, type EventRecord, type EventType,
  type Hotspot, type Me,
} from '../events-client.ts';
import { stageName, te } from '../events-i18n.ts';
import { formatCount, getLang } from '../i18n.ts';
import { setLightColourVariables } from '../live-events.ts';
import { EventsDeckLayer } from '../../layers/events-deck-layer.ts';
import { eventPoints, lightAt, LIGHT_ORDER, type EventPoint } from '../../layers/event-points.ts';
import { GridsDeckLayer } from '../../layers/grids-deck-layer.ts';
import { gridData, type GridDatum } from '../../layers/grid-features.ts';
import { header, loadFailed, pickJurisdiction, placeNames, signInForm } from './common.ts';
import type { Unmount, ViewContext } from './view.ts';
import '../events.css';

const LIGHT_CLASS: Record<string, string> = { red: 'ev-red', yellow: 'ev-yellow', green: 'ev-green' };
const STAGES = ['reported', 'accepted', 'registered', 'dispatched', 'handled', 'verified', 'closed', 'evaluated', 'rejected'] as const;
const SOURCES = ['patrol', 'resident', 'hotline', 'camera', 'other'] as const;
/** the desk layout from this window width up */
const DESK_PX = 900;
/** events listed (and mapped) at once: the most urgent first */
const LIST_LIMIT = 300;

type Filters = Record<'light' | 'stage' | 'class' | 'grid' | 'status' | 'source', string>;

function typeLabel(t: EventType): string {
  return getLang() === 'en' ? `${t.code} ${t.nameEn}` : `${t.code} ${t.nameZh}`;
}

function field(label: string, input: HTMLElement): HTMLLabelElement {
  const l = el('label', 'ev-field');
  l.append(el('span', undefined, label), input);
  return l;
}

/** a select of `options` ([value, label]) showing `value` (default the first) */
function select(name: string, options: Array<[string, string]>, value = options[0]?.[0] ?? ''): HTMLSelectElement {
  const s = el('select');
  s.name = name;
  for (const [v, label] of options) {
    const o = el('option', undefined, label);
    o.value = v;
    s.append(o);
  }
  s.value = value;
  return s;
}

export function mountEventsView(ctx: ViewContext): Unmount {
  const desk = window.innerWidth >= DESK_PX;
  ctx.root.className = `view view-events ${desk ? 'ev-desk' : 'ev-phone'}`;
  setLightColourVariables();
  let alive = true;
  let me: Me | null = null;
  let jcode = '';
  let jurisdiction: JurisdictionNode | null = null;
  let placeName = placeNames(null);
  let types: EventType[] = [];
  let classes: EventClass[] = [];
  let board: BoardRow[] = [];
  let hotspots: Hotspot[] = [];
  let events: EventRecord[] = [];
  let selected: number | null = null;
  let map: DeckMap | null = null;
  let gridLayerData: GridDatum[] = [];
  const filters: Filters = { light: '', stage: '', class: '', grid: '', status: 'open', source: '' };
  const top = el('div', 'ev-top');
  const formBox = el('section', 'ev-report');
  const filterBox = el('section', 'ev-filters');
  const listBox = el('section', 'ev-list');
  const mapEl = el('div', 'ev-map');
  const mapNote = el('p', 'ev-map-note');
  const main = el('div', 'ev-main');
  main.append(formBox, filterBox, listBox);
  if (desk) {
    const side = el('div', 'ev-map-pane');
    side.append(mapEl, mapNote);
    const body = el('div', 'ev-body');
    body.append(main, side);
    ctx.root.replaceChildren(top, body);
  } else ctx.root.replaceChildren(top, main);
  top.append(header(ctx, te('title'), 'me-head'));

  const staff = () => me?.role === 'admin' || me?.role === 'commander';
  const reporter = () => me?.role === 'admin' || me?.role === 'commander' || me?.role === 'grid_worker';

  function showLogin(): void {
    const f = signInForm('ev-login', 'ev-field', te, () => void start());
    formBox.replaceChildren(f);
    listBox.replaceChildren();
    filterBox.replaceChildren();
    ctx.setState('empty');
  }

  function renderForm(): void {
    if (!reporter()) { formBox.replaceChildren(); return; }
    const f = el('form', 'ev-form');
    const type = el('select');
    type.name = 'typeCode';
    for (const t of types) {
      const o = el('option', undefined, typeLabel(t));
      o.value = t.code;
      type.append(o);
    }
    const desc = el('textarea');
    desc.name = 'description';
    desc.required = true;
    desc.rows = 3;
    const photo = el('input');
    photo.type = 'file';
    photo.name = 'photo';
    photo.accept = 'image/*';
    photo.setAttribute('capture', 'environment');
    const address = el('input');
    address.name = 'address';
    address.type = 'text';
    const urgent = el('input');
    urgent.type = 'checkbox';
    urgent.name = 'urgent';
    const where = el('p', 'ev-where');
    let pos: { lon: number; lat: number; crs: string } | null = null;
    const q = ctx.query;
    if (q.get('lon') && q.get('lat')) {
      pos = { lon: Number(q.get('lon')), lat: Number(q.get('lat')), crs: q.get('crs') ?? 'wgs84' };
      where.textContent = `${te('located')}: ${pos.lon.toFixed(5)}, ${pos.lat.toFixed(5)} (${pos.crs})`;
    }
    const locate = button(`◎ ${te('locate')}`, () => {
      navigator.geolocation?.getCurrentPosition((p) => {
        pos = { lon: p.coords.longitude, lat: p.coords.latitude, crs: 'wgs84' };
        where.textContent = `${te('located')}: ${pos.lon.toFixed(5)}, ${pos.lat.toFixed(5)} (±${Math.round(p.coords.accuracy)} m)`;
      }, (err) => { where.textContent = err.message; }, { enableHighAccuracy: true, timeout: 15_000 });
    }, 'btn');
    const out = el('p', 'ev-result');
    const submit = el('button', 'btn btn-primary', te('submit'));
    submit.type = 'submit';
    const urgentLabel = el('label', 'ev-check');
    urgentLabel.append(urgent, el('span', undefined, te('urgent')));
    const title = el('h2', undefined, te('report'));
    f.append(field(te('type'), type), field(te('description'), desc), field(te('photo'), photo),
      locate, where, field(te('address'), address), urgentLabel, submit, out);
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const body = new FormData();
      body.append('typeCode', type.value);
      body.append('description', desc.value);
      if (urgent.checked) body.append('priority', 'urgent');
      if (pos) {
        body.append('lon', String(pos.lon));
        body.append('lat', String(pos.lat));
        body.append('crs', pos.crs);
      } else if (address.value.trim()) body.append('address', address.value.trim());
      for (const file of Array.from(photo.files ?? [])) body.append('photo', file);
      submit.disabled = true;
      reportEvent(jcode, body).then((ev) => {
        out.className = 'ev-result message';
        out.textContent = `${te('reported')} ${ev.id}${ev.duplicateOf !== null ? ` · ${te('duplicate')} ${ev.duplicateOf}` : ''}`;
        out.dataset.eventId = String(ev.id);
        desc.value = '';
        photo.value = '';
        void renderList();
      }, (err: Error) => {
        out.className = 'ev-result message message-error';
        out.textContent = err.message;
      }).finally(() => { submit.disabled = false; });
    });
    if (desk) {
      // folded on a desk (the list and the map come first), open for a grid worker at a desk
      const fold = el('details', 'ev-fold');
      fold.open = me?.role === 'grid_worker';
      const sum = el('summary');
      sum.append(title);
      fold.append(sum, f);
      formBox.replaceChildren(fold);
    } else {
      f.prepend(title);
      formBox.replaceChildren(f);
    }
  }

  function renderFilters(): void {
    if (!desk) return;
    const name = (c: EventClass) => (getLang() === 'en' ? c.nameEn : c.nameZh);
    const all: [string, string] = ['', te('all')];
    const controls: Array<[keyof Filters, string, Array<[string, string]>]> = [
      ['light', te('filter.light'), [all, ...LIGHT_ORDER.map((l): [string, string] => [l, te(l)])]],
      ['status', te('filter.status'), [all, ['open', te('status.open')], ['closed', te('status.closed')]]],
      ['stage', te('filter.stage'), [all, ...STAGES.map((s): [string, string] => [s, stageName(s)])]],
      ['class', te('filter.class'), [all, ...classes.map((c): [string, string] => [c.code, `${c.code} ${name(c)}`])]],
      ['grid', te('filter.grid'), [all, ...board.filter((b) => b.gridCode).map((b): [string, string] => [b.gridCode!, `${placeName(b.gridCode!)} (${b.open}${b.red ? ` · ${te('red').replace(/（.*|\s\(.*/, '')} ${b.red}` : ''})`])]],
      ['source', te('filter.source'), [all, ...SOURCES.map((s): [string, string] => [s, te(`source.${s}`)])]],
    ];
    const row = el('div', 'ev-filter-row');
    for (const [key, label, options] of controls) {
      const s = select(key, options, filters[key]);
      s.addEventListener('change', () => {
        filters[key] = s.value;
        // a light is a state of open events only
        if (key === 'light' && s.value) filters.status = 'open';
        selected = null;
        renderFilters();
        void renderList();
      });
      row.append(field(label, s));
    }
    filterBox.replaceChildren(el('h2', 'ev-filters-title', te('filters')), row, figuresExport());
  }

  /** figures per grid, community or street of the last 30 days as CSV or .xlsx (the service's event-figures) */
  function figuresExport(): HTMLElement {
    const box = el('div', 'ev-export');
    const by = select('by', [['grid', te('byGrid')], ['community', te('byCommunity')], ['street', te('byStreet')]]);
    const out = el('span', 'ev-export-msg');
    const get = (format: 'csv' | 'xlsx') => button(format === 'csv' ? 'CSV' : 'Excel', () => {
      out.textContent = '';
      fetchFile(`/api/jurisdictions/${encodeURIComponent(jcode)}/event-figures?by=${by.value}&format=${format}`)
        .then((blob) => saveBlob(`events-${jcode}-${by.value}.${format}`, blob), (err: Error) => { out.textContent = err.message; });
    }, `btn ev-export-${format}`);
    box.append(el('span', 'ev-export-title', te('figuresExport')), by, get('csv'), get('xlsx'), out);
    return box;
  }

  /** a command centre's, or a grid worker's, action button posting `body` (after `before`, e.g. a photo upload) */
  function actionButton(ev: EventRecord, box: HTMLElement, action: string, body: () => Record<string, unknown> | null, cls = 'btn', before?: () => Promise<unknown>): HTMLButtonElement {
    const label = action === 'return' ? te('giveBack') : te(action as Parameters<typeof te>[0]);
    const b = button(label, () => {
      const payload = body();
      if (!payload) return;
      b.disabled = true;
      const run = async () => {
        if (before) await before();
        await transitionEvent(jcode, ev.id, payload);
      };
      run().then(() => void renderList(), (err: Error) => { b.disabled = false; box.append(el('p', 'message message-error', err.message)); });
    }, cls);
    b.dataset.action = action;
    return b;
  }

  function asked(question: string): string | null {
    const why = prompt(question);
    return why && why.trim() ? why.trim() : null;
  }

  /** the photo of the result chosen in `input`, if any, sent before the action */
  async function upload(ev: EventRecord, input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (file) await uploadPhoto(jcode, ev.id, file, 'result');
  }

  function resultPhotoInput(): HTMLInputElement {
    const result = el('input');
    result.type = 'file';
    result.accept = 'image/*';
    result.setAttribute('capture', 'environment');
    return result;
  }

  function workerActions(ev: EventRecord, box: HTMLElement): boolean {
    if (!me) return false;
    const mine = ev.dispatchedTo?.kind === 'grid_worker' ? ev.dispatchedTo.name === me.name : ev.dispatchedTo === null;
    if (ev.stage === 'dispatched' && mine) {
      const result = resultPhotoInput();
      const mediation = select('mediation', [['agreement', te('agreement')], ['referral', te('referral')]]);
      const dispute = ev.classCode === '51';
      box.append(field(te('resultPhoto'), result));
      if (dispute) box.append(field(te('mediation'), mediation));
      box.append(actionButton(ev, box, 'handle',
        () => ({ action: 'handle', ...(dispute ? { mediation: { outcome: mediation.value, ...(mediation.value === 'referral' ? { referredTo: '司法所' } : {}) } } : {}) }),
        'btn btn-primary ev-handle', () => upload(ev, result)));
      box.append(actionButton(ev, box, 'return', () => { const r = asked(te('reason')); return r ? { action: 'return', reason: r } : null; }));
      return true;
    }
    if (ev.stage === 'handled' && ev.handledBy !== me.name) {
      box.append(actionButton(ev, box, 'verify', () => ({ action: 'verify' }), 'btn btn-primary'));
      return true;
    }
    return false;
  }

  /** the command centre's actions on an event in its stage */
  function staffActions(ev: EventRecord, box: HTMLElement): boolean {
    const reject = () => actionButton(ev, box, 'reject', () => { const r = asked(te('rejectReason')); return r ? { action: 'reject', reason: r } : null; });
    const giveBack = () => actionButton(ev, box, 'return', () => { const r = asked(te('reason')); return r ? { action: 'return', reason: r } : null; });
    const primary = 'btn btn-primary';
    switch (ev.stage) {
      case 'reported':
        box.append(actionButton(ev, box, 'accept', () => ({ action: 'accept' }), primary), reject());
        return true;
      case 'accepted':
        box.append(actionButton(ev, box, 'register', () => ({ action: 'register' }), primary), reject());
        return true;
      case 'registered': {
        const kind = select('to-kind', [['grid_worker', te('toGridWorker')], ['department', te('toDepartment')]]);
        const name = el('input');
        name.name = 'to-name';
        name.type = 'text';
        name.size = 10;
        const to = el('span', 'ev-dispatch-to');
        to.append(kind, name);
        box.append(field(te('dispatchName'), to),
          actionButton(ev, box, 'dispatch', () => (name.value.trim() ? { action: 'dispatch', to: { kind: kind.value, name: name.value.trim() } } : (name.focus(), null)), primary), reject());
        return true;
      }
      case 'dispatched': {
        // a department's result is recorded by the command centre
        if (ev.dispatchedTo?.kind !== 'department') return false;
        const result = resultPhotoInput();
        box.append(field(te('resultPhoto'), result), actionButton(ev, box, 'handle', () => ({ action: 'handle' }), primary,
          () => upload(ev, result)), giveBack());
        return true;
      }
      case 'handled':
        box.append(actionButton(ev, box, 'verify', () => ({ action: 'verify' }), primary), giveBack());
        return true;
      case 'verified': {
        const result = resultPhotoInput();
        box.append(field(te('resultPhoto'), result), actionButton(ev, box, 'close', () => ({ action: 'close' }), primary,
          () => upload(ev, result)));
        return true;
      }
      case 'closed': {
        const rating = select('rating', [5, 4, 3, 2, 1].map((n): [string, string] => [String(n), '★'.repeat(n)]), '5');
        const dispute = ev.classCode === '51';
        const follow = el('input');
        follow.type = 'text';
        follow.name = 'follow-up';
        box.append(field(te('rating'), rating));
        if (dispute) box.append(field(te('followUp'), follow));
        box.append(actionButton(ev, box, 'evaluate', () => ({ action: 'evaluate', rating: Number(rating.value), ...(dispute ? { followUp: follow.value.trim() } : {}) }), primary));
        return true;
      }
      default:
        return false;
    }
  }

  function actionsOf(ev: EventRecord): HTMLElement | null {
    if (!me) return null;
    const box = el('div', 'ev-actions');
    const any = staff() ? staffActions(ev, box) : me.role === 'grid_worker' ? workerActions(ev, box) : false;
    return any ? box : null;
  }

  function selectEvent(id: number | null, scroll: boolean): void {
    selected = id;
    for (const li of listBox.querySelectorAll<HTMLElement>('.ev-item')) li.classList.toggle('ev-selected', Number(li.dataset.eventId) === id);
    if (scroll && id !== null) listBox.querySelector(`.ev-item[data-event-id="${id}"]`)?.scrollIntoView({ block: 'nearest' });
    drawMap();
  }

  function drawMap(): void {
    if (!map) return;
    const points: EventPoint[] = eventPoints(events, Date.now());
    map.setLayers([
      new GridsDeckLayer({ id: 'grids', data: gridLayerData, pickable: false, labelSize: 12, selected: filters.grid || null }),
      new EventsDeckLayer({ id: 'events', data: points, radius: 6, selected, pickable: true, hotspots: hotspots.filter((h) => !filters.grid || h.gridCode === filters.grid) }),
    ]);
    mapNote.textContent = `${te('mapOpenOnly')} · ${LIGHT_ORDER.map((l) => `${te(l).replace(/（.*|\s\(.*/, '')} ${points.filter((p) => p.light === l).length}`).join(' · ')} · ${te('hotspots')} ${hotspots.length}`;
    mapNote.dataset.points = String(points.length);
  }

  function itemOf(ev: EventRecord): HTMLLIElement {
    const li = el('li', `ev-item ${LIGHT_CLASS[ev.light ?? ''] ?? 'ev-closed'}`);
    li.dataset.eventId = String(ev.id);
    li.dataset.light = ev.light ?? '';
    li.dataset.stage = ev.stage;
    const name = getLang() === 'en' ? ev.typeName.en : ev.typeName.zh;
    const head = el('div', 'ev-item-head');
    head.append(el('span', 'ev-dot'), el('strong', undefined, name), el('span', 'ev-stage', stageName(ev.stage)));
    if (ev.priority === 'urgent') head.append(el('span', 'ev-tag ev-urgent', te('urgentTag')));
    if (ev.duplicateOf !== null) head.append(el('span', 'ev-tag', `${te('dupOf')} #${ev.duplicateOf}`));
    const meta = [`#${ev.id}`, ev.gridCode ? placeName(ev.gridCode) : te('noPlace'), te(`source.${ev.source}` as Parameters<typeof te>[0]),
      `${te('deadline')} ${new Date(ev.deadlineAt).toLocaleString(getLang(), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' })}`];
    if (ev.dispatchedTo) meta.push(`${te('dispatchedTo')} ${ev.dispatchedTo.name}`);
    if (ev.handledBy) meta.push(`${te('handledBy')} ${ev.handledBy}`);
    const rep = (ev as EventRecord & { reporter?: { name: string | null; phone: string | null } }).reporter;
    if (rep && (rep.name || rep.phone)) meta.push(`${te('reporter')} ${[rep.name, rep.phone].filter(Boolean).join(' ')}`);
    li.append(head, el('p', 'ev-desc', ev.description), el('p', 'ev-meta', meta.join(' · ')));
    if (ev.address) li.append(el('p', 'ev-meta', ev.address));
    const a = actionsOf(ev);
    if (a) li.append(a);
    if (desk) li.addEventListener('click', (e) => { if (!(e.target as HTMLElement).closest('.ev-actions')) selectEvent(ev.id, false); });
    if (ev.id === selected) li.classList.add('ev-selected');
    return li;
  }

  async function renderList(): Promise<void> {
    const params: Record<string, string> = { limit: String(desk ? LIST_LIMIT : 200) };
    for (const [k, v] of Object.entries(filters)) if (v) params[k] = v;
    if (!desk) { params.status = 'open'; delete params.light; }
    const answer = await fetchEvents(jcode, params);
    if (!alive) return;
    events = answer.events;
    const ul = el('ul', 'ev-items');
    ul.append(...events.map(itemOf));
    const count = desk
      ? `${te('events')} · ${te('total').replace('{n}', formatCount(answer.total))}${answer.total > events.length ? ` · ${te('shownFirst').replace('{n}', String(events.length))}` : ''}`
      : `${te('open')} (${events.length})`;
    const title = el('h2', 'ev-list-title', count);
    title.dataset.total = String(answer.total);
    listBox.replaceChildren(title, events.length ? ul : el('p', 'message', te('none')));
    drawMap();
    ctx.setState('ready');
  }

  async function startMap(): Promise<void> {
    if (!desk || !jurisdiction) return;
    map = createDeckMap(mapEl, {
      bounds: jurisdiction.bbox, padding: 24,
      onClick: (info) => {
        const p = info.object as EventPoint | undefined;
        selectEvent(p ? p.id : null, true);
      },
    });
    const grids: FeatureCollection = await fetchLayer('grids', jcode).catch(() => ({ type: 'FeatureCollection', features: [] }));
    if (!alive) return;
    gridLayerData = gridData(grids, { alpha: 35, label: (d) => d.code.slice(-3) });
    drawMap();
  }

  async function start(): Promise<void> {
    try {
      me = await fetchMe();
      if (!alive) return;
      if (!me) return showLogin();
      const list = await fetchJurisdictions();
      jurisdiction = (me.jcode ? list.find((x) => x.jcode === me!.jcode) : null) ?? (await pickJurisdiction(ctx.query));
      jcode = me.jcode ?? jurisdiction?.jcode ?? '';
      placeName = placeNames(jurisdiction);
      const codes = await fetchEventTypes();
      types = codes.types;
      classes = codes.classes;
      if (desk) [board, hotspots] = await Promise.all([fetchBoard(jcode).then((b) => b.grids), fetchHotspots(jcode).then((h) => h.hotspots)]);
      if (!alive) return;
      renderForm();
      renderFilters();
      await startMap();
      await renderList();
    } catch (e) {
      if (alive) loadFailed(ctx, listBox, e);
    }
  }
  /** lights change with time: each open event's light again on this screen's clock, in place (what is typed stays) */
  function relight(): void {
    const now = Date.now();
    for (const ev of events) {
      if (ev.closedAt) continue;
      const light = lightAt(ev, now);
      if (light === ev.light) continue;
      ev.light = light;
      const li = listBox.querySelector<HTMLElement>(`.ev-item[data-event-id="${ev.id}"]`);
      if (li) {
        li.classList.remove('ev-red', 'ev-yellow', 'ev-green');
        li.classList.add(LIGHT_CLASS[light]);
        li.dataset.light = light;
      }
    }
    drawMap();
  }
  const tick = setInterval(relight, 30_000);
  ctx.setState('loading');
  void start();
  return () => {
    alive = false;
    clearInterval(tick);
    map?.destroy();
  };
}

/**
 * /events — the grid worker's phone page for events (mobile first): report an event with a photo from the camera
 * (`<input type=file accept=image/* capture=environment>`), the position of the device (WGS-84 from the
 * browser, or `?lon=&lat=[&crs=gcj02|bd09]`) or an address; the open events of the worker's grid, most urgent
 * first, with the actions the worker may take on them (handle what is dispatched to them, return it with a
 * reason, verify what someone else handled).
 */
import { login } from '../api-client.ts';
import { button, el } from '../dom.ts';
import { fetchEvents, fetchEventTypes, fetchMe, reportEvent, transitionEvent, uploadPhoto, type EventRecord, type EventType, type Me } from '../events-client.ts';
import { stageName, te } from '../events-i18n.ts';
import { getLang } from '../i18n.ts';
import { header, loadFailed, pickJurisdiction } from './common.ts';
import type { Unmount, ViewContext } from './view.ts';
import '../events.css';

const LIGHT_CLASS: Record<string, string> = { red: 'ev-red', yellow: 'ev-yellow', green: 'ev-green' };

function typeLabel(t: EventType): string {
  return getLang() === 'en' ? `${t.code} ${t.nameEn}` : `${t.code} ${t.nameZh}`;
}

function field(label: string, input: HTMLElement): HTMLLabelElement {
  const l = el('label', 'ev-field');
  l.append(el('span', undefined, label), input);
  return l;
}

export function mountEventsView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-events';
  let alive = true;
  let me: Me | null = null;
  let jcode = '';
  let types: EventType[] = [];
  const top = el('div', 'ev-top');
  const formBox = el('section', 'ev-report');
  const listBox = el('section', 'ev-list');
  ctx.root.replaceChildren(top, formBox, listBox);
  top.append(header(ctx, te('title'), 'me-head'));

  function showLogin(): void {
    const f = el('form', 'ev-login');
    const name = el('input');
    name.name = 'name';
    name.autocomplete = 'username';
    const pw = el('input');
    pw.name = 'password';
    pw.type = 'password';
    pw.autocomplete = 'current-password';
    const msg = el('p', 'message', te('needLogin'));
    const submit = el('button', 'btn btn-primary', te('login'));
    submit.type = 'submit';
    f.append(msg, field(te('name'), name), field(te('password'), pw), submit);
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      login(name.value, pw.value).then(() => void start(), () => { msg.textContent = te('loginFailed'); msg.className = 'message message-error'; });
    });
    formBox.replaceChildren(f);
    listBox.replaceChildren();
    ctx.setState('empty');
  }

  function renderForm(): void {
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
    f.append(el('h2', undefined, te('report')), field(te('type'), type), field(te('description'), desc), field(te('photo'), photo),
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
    formBox.replaceChildren(f);
  }

  function actionsOf(ev: EventRecord): HTMLElement | null {
    if (!me) return null;
    const box = el('div', 'ev-actions');
    const act = (body: Record<string, unknown>, before?: () => Promise<unknown>) => {
      const run = async () => {
        if (before) await before();
        await transitionEvent(jcode, ev.id, body);
      };
      run().then(() => void renderList(), (err: Error) => { box.append(el('p', 'message message-error', err.message)); });
    };
    const mine = ev.dispatchedTo?.kind === 'grid_worker' ? ev.dispatchedTo.name === me.name : ev.dispatchedTo === null;
    if (ev.stage === 'dispatched' && mine) {
      const result = el('input');
      result.type = 'file';
      result.accept = 'image/*';
      result.setAttribute('capture', 'environment');
      const mediation = el('select');
      for (const k of ['agreement', 'referral'] as const) {
        const o = el('option', undefined, te(k));
        o.value = k;
        mediation.append(o);
      }
      const dispute = ev.classCode === '51';
      box.append(field(te('resultPhoto'), result));
      if (dispute) box.append(field(te('mediation'), mediation));
      box.append(button(te('handle'), () => act(
        { action: 'handle', ...(dispute ? { mediation: { outcome: mediation.value, ...(mediation.value === 'referral' ? { referredTo: '司法所' } : {}) } } : {}) },
        result.files?.[0] ? () => uploadPhoto(jcode, ev.id, result.files![0], 'result') : undefined,
      ), 'btn btn-primary ev-handle'));
      box.append(button(te('giveBack'), () => {
        const why = prompt(te('reason'));
        if (why) act({ action: 'return', reason: why });
      }, 'btn'));
      return box;
    }
    if (ev.stage === 'handled' && ev.handledBy !== me.name) {
      box.append(button(te('verify'), () => act({ action: 'verify' }), 'btn btn-primary'));
      return box;
    }
    return null;
  }

  async function renderList(): Promise<void> {
    const { events } = await fetchEvents(jcode, { status: 'open', limit: '200' });
    if (!alive) return;
    const ul = el('ul', 'ev-items');
    for (const ev of events) {
      const li = el('li', `ev-item ${LIGHT_CLASS[ev.light ?? ''] ?? ''}`);
      li.dataset.eventId = String(ev.id);
      li.dataset.light = ev.light ?? '';
      li.dataset.stage = ev.stage;
      const name = getLang() === 'en' ? ev.typeName.en : ev.typeName.zh;
      li.append(el('span', 'ev-dot'), el('strong', undefined, `${name}`), el('span', 'ev-stage', stageName(ev.stage)),
        el('p', 'ev-desc', ev.description),
        el('p', 'ev-meta', `#${ev.id} · ${ev.gridCode ?? ''} · ${te('deadline')} ${new Date(ev.deadlineAt).toLocaleString(getLang())}`));
      const a = actionsOf(ev);
      if (a) li.append(a);
      ul.append(li);
    }
    listBox.replaceChildren(el('h2', undefined, `${te('open')} (${events.length})`), events.length ? ul : el('p', 'message', te('none')));
    ctx.setState('ready');
  }

  async function start(): Promise<void> {
    try {
      me = await fetchMe();
      if (!alive) return;
      if (!me) return showLogin();
      jcode = me.jcode ?? (await pickJurisdiction(ctx.query))?.jcode ?? '';
      types = (await fetchEventTypes()).types;
      if (!alive) return;
      renderForm();
      await renderList();
    } catch (e) {
      if (alive) loadFailed(ctx, listBox, e);
    }
  }
  ctx.setState('loading');
  void start();
  return () => { alive = false; };
}

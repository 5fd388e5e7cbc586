/**
 * /me — the grid worker's phone page (mobile first, 390×844): locate me (the device position, or `?lon=&lat=`
 * with optional `&crs=gcj02|bd09`, or an address search) → /api/lookup → the grid's boundary, its staff
 * with tel: links, households by tag, hazards, cameras and the day's track, from the grid bundle.
 */
import type { FeatureCollection } from 'geojson';
import { ApiError, fetchBundle, lookupPosition, lookupText, type GridBundle, type LookupAnswer } from '../api-client.ts';
import { createDeckMap, type DeckMap } from '../deck-map.ts';
import { button, el, todayIso } from '../dom.ts';
import { t } from '../i18n.ts';
import { boundsOf } from '../../layers/grid-features.ts';
import { figuresList, gridLayers, staffList, tagsList } from './grid-parts.ts';
import { header } from './common.ts';
import { tracksFromTiles } from './tracks-source.ts';
import type { Unmount, ViewContext } from './view.ts';

export function mountMeView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-me';
  const top = el('div', 'me-top');
  const mapEl = el('div', 'me-map');
  const info = el('div', 'me-info');
  ctx.root.replaceChildren(top, mapEl, info);
  let view: DeckMap | null = null;
  let alive = true;
  let status: { text: string; kind: string } | null = null;
  let found: LookupAnswer | null = null;
  let bundle: GridBundle | null = null;

  function renderTop(): void {
    top.replaceChildren(header(ctx, t('view.me'), 'me-head'));
    const form = el('form', 'me-search');
    const input = el('input');
    input.type = 'search';
    input.name = 'q';
    input.placeholder = t('me.searchPlaceholder');
    form.append(button(`◎ ${t('me.locate')}`, locate, 'btn btn-primary me-locate'), input, button(t('me.search'), () => form.requestSubmit(), 'btn'));
    form.addEventListener('submit', (e) => { e.preventDefault(); void search(input.value.trim()); });
    top.append(form);
    if (status) top.append(el('p', `message message-${status.kind}`, status.text));
  }

  function renderInfo(): void {
    info.replaceChildren();
    if (!found || !bundle) return;
    const g = found.grid!;
    const title = el('h2', 'me-grid', `${t('grid')} ${g.code}`);
    title.dataset.grid = g.code;
    const where = el('p', 'me-where', [found.township?.name, found.community?.name].filter(Boolean).join(' · '));
    const link = el('a', 'me-grid-link', `${t('grid.openMap')} →`);
    link.href = `/grid/${g.code}?jcode=${bundle.jcode}`;
    link.addEventListener('click', (e) => { e.preventDefault(); ctx.navigate(link.pathname + link.search); });
    info.append(title, where, el('h3', undefined, t('me.staff')), staffList(found.staff), el('h3', undefined, t('me.tags')), tagsList(bundle),
      el('h3', undefined, t('grid.figures')), figuresList(bundle), link);
  }

  async function show(lon: number, lat: number, crs = 'wgs84'): Promise<void> {
    try {
      found = await lookupPosition(lon, lat, crs);
      if (!found.grid || !found.jurisdiction) { status = { text: t('me.notFound'), kind: 'warn' }; renderTop(); ctx.setState('empty'); return; }
      const first = await fetchBundle(found.jurisdiction.jcode, found.grid.code);
      const b = boundsOf(first.grid);
      // today's track; the sample data has older days: the latest day up to today
      const tr = first.patrols.features.length ? null : await tracksFromTiles(b, todayIso(), 14).catch(() => null);
      bundle = tr?.day && tr.day !== first.day ? await fetchBundle(found.jurisdiction.jcode, found.grid.code, tr.day) : first;
      status = null;
      if (!alive) return;
      if (!view) view = createDeckMap(mapEl, { bounds: b, padding: 20 });
      else view.fit(b);
      const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };
      view.setLayers(gridLayers(bundle, empty, () => true));
      renderTop();
      renderInfo();
      await view.firstIdle;
      ctx.setState('ready');
    } catch (e) {
      status = { text: e instanceof ApiError && e.status === 404 ? t('me.notFound') : `${t('loadFailed')}: ${(e as Error).message}`, kind: 'warn' };
      renderTop();
      ctx.setState(e instanceof ApiError && e.status === 404 ? 'empty' : 'error');
    }
  }

  function locate(): void {
    if (!navigator.geolocation) { status = { text: t('me.geoFailed'), kind: 'warn' }; renderTop(); return; }
    status = { text: t('me.locating'), kind: 'info' };
    renderTop();
    navigator.geolocation.getCurrentPosition((p) => void show(p.coords.longitude, p.coords.latitude),
      () => { status = { text: t('me.geoFailed'), kind: 'warn' }; renderTop(); }, { enableHighAccuracy: true, timeout: 10_000 });
  }

  async function search(q: string): Promise<void> {
    if (!q) return;
    const hits = await lookupText(q).catch(() => []);
    if (!hits[0]) { status = { text: t('me.noMatch'), kind: 'warn' }; renderTop(); return; }
    await show(hits[0].lon, hits[0].lat);
  }

  renderTop();
  const lon = Number(ctx.query.get('lon'));
  const lat = Number(ctx.query.get('lat'));
  if (ctx.query.has('lon') && Number.isFinite(lon) && Number.isFinite(lat)) void show(lon, lat, ctx.query.get('crs') ?? 'wgs84');
  else ctx.setState('empty');

  return () => { alive = false; view?.destroy(); };
}

/**
 * /wall — the command-centre wall screen (3840×2160 or 7680×2160 in a dark room): the whole jurisdiction on
 * a dark basemap, grids coloured by a chosen measure (households, open hazards, patrol compliance), an H3
 * heat layer of open hazards, cameras, the day's patrol tracks animated (TripsLayer), a panel of key figures
 * in large type (from /api/jurisdictions/{jcode}/wall-figures) and an automatic tour through the communities.
 * No scroll bars, nothing only on hover.
 *
 * Drawing: the still layers are the composite deck.gl layers of the other views (GridsDeckLayer fills and
 * labels, HazardsHexLayer, CamerasDeckLayer, PatrolTripsLayer's faint whole tracks) on a still deck.gl
 * canvas of their own (deck-map.ts `still`), which deck redraws only when the camera or those layers change
 * (a new measure); the moving trails are on a second deck.gl canvas above it, redrawn at most `?fps=`
 * (default 30) times a second with only the pieces of track inside the trail window (tracks simplified to
 * about a pixel of the whole view). `window.__wanggeFrames.n` counts the trail canvas's actual redraws,
 * `.still` the still canvas's, `.live` the live events' canvas's (deck's onAfterRender of each).
 *
 * Live events (issue 20): the open events of the jurisdiction as dots by light (EventsDeckLayer: green, yellow,
 * red ringed and on top) on a canvas of their own between the still one and the trails (deck-map.ts `live`: a
 * change redraws a few hundred dots, never the grids, labels and tracks under them), kept from the events'
 * Server-Sent Events (live-events.ts) with no reload: changes are gathered and drawn at most every EVENTS_MS,
 * lights are worked out again every 15 s on the screen's clock, and the panel counts them by light.
 *
 * Query: `?tour=0` stops the tour; `?measure=households|hazards|compliance`; `?fps=`; `?pr=` pixel ratio of
 * the trail canvas (default 0.5: trails 5 px wide stay smooth from 5 m and the canvas costs a quarter);
 * `?layers=off` draws no layers while the trail canvas keeps redrawing with no trails (the baseline of
 * frame-rate comparisons).
 */
import type { FeatureCollection } from 'geojson';
import type { Layer } from '@deck.gl/core';
import { fetchLayer, fetchWallFigures, type JurisdictionNode, type WallFigures } from '../api-client.ts';
import { createDeckMap, type DeckMap } from '../deck-map.ts';
import { button, el, todayIso } from '../dom.ts';
import { formatCount, t, type I18nKey } from '../i18n.ts';
import { PatrolTripsLayer } from '../../layers/patrol-trips-layer.ts';
import { GridsDeckLayer } from '../../layers/grids-deck-layer.ts';
import { HazardsHexLayer } from '../../layers/hazards-hex-layer.ts';
import { CamerasDeckLayer } from '../../layers/cameras-deck-layer.ts';
import { COMPLIANCE_RAMP, gridData, MEASURE_RAMP, measureRange, quantileRange, type GridDatum } from '../../layers/grid-features.ts';
import { hexBins, type HexBin } from '../../layers/hazard-hexes.ts';
import { limitTrips, metresPerPixel, simplifyTrip, trailsAt, tripsFrom, tripWindow, type Trip } from '../../layers/patrol-trips.ts';
import { communitiesOf, header, loadFailed, pickJurisdiction } from './common.ts';
import { tracksFromTiles } from './tracks-source.ts';
import { EventsDeckLayer } from '../../layers/events-deck-layer.ts';
import { countByLight, eventPoints, LIGHT_ORDER, type EventPoint } from '../../layers/event-points.ts';
import { followLiveEvents, setLightColourVariables, type LiveEventsFeed } from '../live-events.ts';
import { te } from '../events-i18n.ts';
import type { Unmount, ViewContext } from './view.ts';

const MEASURES = ['households', 'hazards', 'compliance'] as const;
type Measure = (typeof MEASURES)[number];
const TOUR_MS = 9000;
/** the day of tracks replays in this many seconds */
const REPLAY_S = 60;
/** figures are read again this often (a wall runs all day) */
const REFRESH_MS = 5 * 60_000;
/** opacity of the grid fills (0-255): strong enough to read the colour on the dark basemap, the streets still show */
const GRID_ALPHA = 185;
/** most trails drawn at once */
const MAX_TRIPS = 400;
/** live events: changes drawn at most this often, lights worked out again this often */
const EVENTS_MS = 500;
const LIGHTS_MS = 15_000;

function numberQuery(q: URLSearchParams, name: string, dflt: number, lo: number, hi: number): number {
  const n = Number(q.get(name));
  return q.has(name) && Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : dflt;
}

export function mountWallView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-wall';
  const mapEl = el('div', 'view-map');
  const panel = el('aside', 'wall-panel');
  ctx.root.replaceChildren(mapEl, panel);
  const layersOn = ctx.query.get('layers') !== 'off';
  let tourOn = ctx.query.get('tour') !== '0';
  const asked = ctx.query.get('measure') ?? '';
  let measure: Measure = (MEASURES as readonly string[]).includes(asked) ? asked as Measure : 'households';
  const fps = numberQuery(ctx.query, 'fps', 30, 1, 120);
  const pixelRatio = numberQuery(ctx.query, 'pr', 0.5, 0.25, 2);
  let view: DeckMap | null = null;
  let alive = true;
  let raf = 0;
  let tourTimer = 0;
  let refreshTimer = 0;
  let tourIndex = -1;
  let focus: string | undefined;
  let j: JurisdictionNode | null = null;
  let grids: FeatureCollection | null = null;
  let figures: WallFigures | null = null;
  let trips: Trip[] = [];
  let hexes: HexBin[] = [];
  let cameras: FeatureCollection = { type: 'FeatureCollection', features: [] };
  let window0: [number, number] = [0, 0];
  let still: Layer[] = [];
  let events: EventPoint[] = [];
  let feed: LiveEventsFeed | null = null;
  let eventsTimer = 0;
  let lightsTimer = 0;
  const eventsBox = el('div', 'wall-events');
  // n: redraws of the trail canvas (the animation's frames); still, live: redraws of the still and the live events' canvas
  const frames = { n: 0, still: 0, live: 0 };
  // called after each redraw of the still canvas (see stillDrawn)
  let onStill: () => void = () => {};
  (window as unknown as { __wanggeFrames?: typeof frames }).__wanggeFrames = frames;

  /**
   * The values at the two ends of the current measure's ramp: households from the 5th to the 95th
   * percentile (an empty or a huge grid would squeeze the rest into one colour), hazards from none to the
   * most, compliance from 0 to 1.
   */
  function domain(): [number, number] {
    const per = figures?.perGrid ?? [];
    if (measure === 'compliance') return [0, 1];
    if (measure === 'hazards') return [0, measureRange(per.map((g) => g.hazards))[1]];
    return quantileRange(per.length ? per.map((g) => g.households) : (grids?.features ?? []).map((f) => Number(f.properties?.households) || 0), 0.05);
  }

  /** the grids coloured and labelled by the current measure */
  function gridsByMeasure(): GridDatum[] {
    if (!grids) return [];
    const per = new Map((figures?.perGrid ?? []).map((g) => [g.code, g]));
    const measures = Object.fromEntries([...per].map(([code, g]) => [code, { hazards: g.hazards, patrols: g.patrols, compliance: g.compliance }]));
    const expected = figures?.expectedPatrols ?? 0;
    const label = measure === 'hazards' ? (d: { code: string }) => String(per.get(d.code)?.hazards ?? 0)
      : measure === 'compliance' ? (d: { code: string }) => `${per.get(d.code)?.patrols ?? 0}/${expected}`
        : (d: { households: number }) => String(d.households);
    return gridData(grids, {
      colourBy: measure, measures, alpha: GRID_ALPHA, label, domain: domain(), ramp: measure === 'compliance' ? COMPLIANCE_RAMP : MEASURE_RAMP,
    });
  }

  /**
   * The still canvas's layers, bottom to top: grid fills and outlines, hazard heat, the faint whole tracks,
   * cameras, grid labels (those that overlap no other at the zoom). Labels are sized by the screen's height
   * like the panel's type, 36 px on a 2160 px wall up to zoom 14 (a whole county), growing to 1.5 times that
   * by zoom 16 where the tour shows a community and grids are large. Only the grids' data changes with the
   * measure: the other layers keep theirs, so deck updates nothing else.
   */
  function setStill(): void {
    const data = gridsByMeasure();
    const px = Math.round(innerHeight / 60);
    const labelSizeStops: Array<[number, number]> = [[14, px], [16, 1.5 * px]];
    still = [
      new GridsDeckLayer({ id: 'grids', data, dark: true, pickable: false, part: 'fills' }),
      new HazardsHexLayer({ id: 'hazard-hexes', data: hexes, exactCells: true }),
      // the trails are drawn 7 px wide on the trail canvas; their whole tracks 2.5 px (PatrolTripsLayer: width / 2)
      new PatrolTripsLayer({ id: 'tracks', data: trips, currentTime: 0, width: 5, part: 'paths' }),
      new CamerasDeckLayer({ id: 'cameras', data: cameras, dark: true, radius: 6 }),
      new GridsDeckLayer({ id: 'grid-labels', data, dark: true, pickable: false, part: 'labels', labelSizeStops, thinLabels: true }),
    ];
    view?.setStillLayers(still);
  }

  /** resolves after the still canvas has drawn its layers completely */
  function stillDrawn(): Promise<void> {
    return new Promise((resolve) => {
      onStill = () => {
        if (!still.every((l) => l.isLoaded)) return;
        onStill = () => {};
        resolve();
      };
    });
  }

  /** the live events as dots again (the feed changed, or time went on) and their counts in the panel */
  function redrawEvents(): void {
    eventsTimer = 0;
    if (!feed || !alive) return;
    events = eventPoints(feed.state.open.values(), Date.now());
    // on a canvas of their own above the still one: a change redraws the dots only; dots a quarter of the labels' size
    view?.setLiveLayers([new EventsDeckLayer({ id: 'events', data: events, dark: true, radius: Math.max(4, Math.round(innerHeight / 240)) })]);
    const n = countByLight(events);
    eventsBox.replaceChildren(el('div', 'legend-title', te('wallEvents')), ...LIGHT_ORDER.map((l) => {
      const line = el('div', `legend-line ev-light ev-${l}`);
      line.dataset.light = l;
      line.append(el('span', 'ev-n', formatCount(n[l])), el('span', undefined, te(l)));
      return line;
    }));
    eventsBox.dataset.events = String(events.length);
  }

  /** a change of the feed: drawn with the others that come within EVENTS_MS */
  function eventsChanged(): void {
    if (!eventsTimer) eventsTimer = window.setTimeout(redrawEvents, EVENTS_MS);
  }

  function recolour(): void {
    if (grids) setStill();
  }

  /** one animation tick: the trails at the replay time of `now`, at most `fps` times a second */
  let lastTick = -Infinity;
  function tick(now: number): void {
    if (!alive) return;
    raf = requestAnimationFrame(tick);
    if (!view || now - lastTick < 1000 / fps - 4) return;
    lastTick = now;
    const [a, b] = window0;
    const span = Math.max(1, b - a);
    const current = a + (((now / 1000) * (span / REPLAY_S)) % span);
    const trailLength = span / 16;
    view.setLayers([new PatrolTripsLayer({ id: 'trips', data: layersOn ? trailsAt(trips, current, trailLength) : [], currentTime: current, trailLength, width: 7, part: 'trips' })]);
  }

  function tourStep(): void {
    if (!j || !view || !tourOn) return;
    const cs = communitiesOf(j);
    tourIndex = (tourIndex + 1) % (cs.length + 1);
    const target = tourIndex === cs.length ? j : cs[tourIndex];
    view.fit(target.bbox, true);
    focus = target.name;
    renderPanel();
  }

  function figureList(): Array<[string, string, string]> {
    const f = figures;
    if (!f) return [];
    const patrolLabel = f.day === null || f.day === todayIso() ? t('wall.patrols') : `${t('wall.patrolsOf')} ${f.day.slice(5)}`;
    const share = f.grids ? Math.round((f.gridsFullyPatrolled / f.grids) * 100) : 0;
    return [
      ['wall.grids', formatCount(f.grids), t('wall.grids')],
      ['wall.workers', formatCount(f.workers), t('wall.workers')],
      ['wall.households', formatCount(f.households), t('wall.households')],
      ['wall.patrols', formatCount(f.patrolsToday), patrolLabel],
      ['wall.hazards', formatCount(f.openHazards), t('wall.hazards')],
      ['wall.compliance', `${share}%`, t('wall.compliance')],
    ];
  }

  function legend(): HTMLElement {
    const box = el('div', 'wall-legend');
    box.dataset.measure = measure;
    const ramp = el('div', 'ramp');
    for (const c of measure === 'compliance' ? COMPLIANCE_RAMP : MEASURE_RAMP) { const s = el('span'); s.style.background = c; ramp.append(s); }
    const [lo, hi] = domain();
    const ends = measure === 'compliance' ? '0% … 100%' : measure === 'hazards' ? `0 … ${formatCount(hi)}` : `≤ ${formatCount(lo)} … ≥ ${formatCount(hi)}`;
    box.append(el('div', 'legend-title', `${t('wall.measure')}: ${t(`wall.measure.${measure}`)}`), ramp, el('div', 'ramp-ends', ends));
    if (measure === 'compliance' && figures) box.append(el('div', 'legend-note', t('wall.expected').replace('{n}', String(figures.expectedPatrols))));
    const day = figures?.day;
    box.append(el('div', 'legend-line heat', t('wall.heat')), el('div', 'legend-line cams', t('layer.cctv')),
      el('div', 'legend-line trips', day ? `${t('wall.tracks')} · ${day === todayIso() ? '' : `${t('wall.replay')} `}${day}` : `${t('wall.tracks')} · ${t('wall.noTracks')}`));
    return box;
  }

  function renderPanel(): void {
    const figs = el('div', 'figures');
    for (const [key, value, label] of figureList()) {
      const f = el('div', 'figure');
      f.dataset.figure = key;
      // long numbers (a million households) in smaller type, so they stay inside their box
      f.append(el('div', `figure-value${value.length > 7 ? ' long' : ''}`, value), el('div', 'figure-label', label));
      figs.append(f);
    }
    const ctl = el('div', 'wall-controls');
    for (const m of MEASURES) {
      const b = button(t(`wall.measure.${m}` as I18nKey), () => { measure = m; recolour(); renderPanel(); }, `btn wall-measure${m === measure ? ' active' : ''}`);
      b.dataset.measure = m;
      ctl.append(b);
    }
    ctl.append(button(`${t('wall.tour')} ${tourOn ? '■' : '▶'}`, () => { tourOn = !tourOn; renderPanel(); if (tourOn) tourStep(); }, 'btn wall-tour'));
    const side = el('div', 'wall-side');
    side.append(ctl, legend(), eventsBox);
    if (focus) side.append(el('div', 'wall-focus', focus));
    panel.replaceChildren(header(ctx, `${t('view.wall')} · ${j?.name ?? ''}`, 'wall-head'), figs, side);
  }

  async function loadFigures(): Promise<void> {
    if (j) figures = await fetchWallFigures(j.jcode, todayIso());
  }

  /** fetch everything, prepare the trips, the hazard cells and the cameras for the still layers */
  async function loadData(): Promise<void> {
    const jj = j!;
    const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };
    const [g, h, c, tr] = await Promise.all([fetchLayer('grids', jj.jcode), fetchLayer('hazards', jj.jcode), fetchLayer('cameras', jj.jcode),
      tracksFromTiles(jj.bbox, todayIso()).catch(() => ({ day: null, days: [], tracks: empty })), loadFigures()]);
    grids = g;
    // the figures and the tiles choose the day by the same rule; should they differ, the figures' day wins
    const tracks = figures?.day && tr.day !== figures.day ? (await tracksFromTiles(jj.bbox, figures.day)).tracks : tr.tracks;
    const tolerance = metresPerPixel(view!.map.getZoom(), view!.map.getCenter().lat);
    trips = limitTrips(tripsFrom(tracks).map((x) => simplifyTrip(x, tolerance)), MAX_TRIPS);
    window0 = tripWindow(trips);
    hexes = hexBins(h, 10);
    cameras = c;
  }

  void (async () => {
    ctx.setState('loading');
    try {
      j = await pickJurisdiction(ctx.query);
      if (!j || !alive) { ctx.setState('empty'); return; }
      renderPanel();
      // the map takes the screen left of the panel (style.css)
      const gap = Math.round(innerHeight * 0.03);
      view = createDeckMap(mapEl, {
        bounds: j.bbox, dark: true, padding: gap, interactive: false,
        deckPixelRatio: pixelRatio, onAfterRender: () => { frames.n++; },
        // with the layers off there is no still canvas: the baseline is the map and the trail canvas alone
        ...(layersOn ? { still: { onAfterRender: () => { frames.still++; onStill(); } }, live: { onAfterRender: () => { frames.live++; } } } : {}),
      });
      // for the tests: the map, and the still canvas's current layers
      (window as unknown as { __wangge?: unknown }).__wangge = { map: view.map, still: () => still, events: () => events };
      if (layersOn) {
        await loadData();
        if (!alive) return;
        const drawn = stillDrawn();
        setStill();
        await drawn;
      }
      if (layersOn) {
        setLightColourVariables();
        feed = followLiveEvents(j.jcode, (_state, first) => { if (first) redrawEvents(); else eventsChanged(); });
        lightsTimer = window.setInterval(redrawEvents, LIGHTS_MS);
      }
      renderPanel();
      raf = requestAnimationFrame(tick);
      await view.firstIdle;
      if (!alive) return;
      ctx.setState('ready');
      tourTimer = window.setInterval(tourStep, TOUR_MS);
      if (layersOn) refreshTimer = window.setInterval(() => { void loadFigures().then(() => { recolour(); renderPanel(); }, (e) => console.warn(e)); }, REFRESH_MS);
    } catch (e) {
      loadFailed(ctx, panel, e);
    }
  })();

  return () => {
    alive = false;
    cancelAnimationFrame(raf);
    clearInterval(tourTimer);
    clearInterval(refreshTimer);
    clearInterval(lightsTimer);
    clearTimeout(eventsTimer);
    feed?.close();
    view?.destroy();
    delete (window as unknown as { __wangge?: unknown }).__wangge;
  };
}

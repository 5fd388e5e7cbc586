/**
 * /wall — the command-centre wall screen (3840×2160 in a dark room): the whole jurisdiction on a dark
 * basemap, grids coloured by a chosen measure, an H3 heat layer of open hazards, cameras, the day's patrol
 * tracks animated (TripsLayer), a panel of key figures in large type and an automatic tour through the
 * communities. No scroll bars, nothing only on hover. `?tour=0` stops the tour, `?layers=off` draws the
 * basemap only (for frame-rate comparisons); `window.__wanggeFrames` counts animation frames.
 */
import type { FeatureCollection } from 'geojson';
import type { Layer } from '@deck.gl/core';
import { fetchLayer, type JurisdictionNode } from '../api-client.ts';
import { createDeckMap, type DeckMap } from '../deck-map.ts';
import { button, el, todayIso } from '../dom.ts';
import { formatCount, t } from '../i18n.ts';
import { GridsDeckLayer } from '../../layers/grids-deck-layer.ts';
import { HazardsHexLayer } from '../../layers/hazards-hex-layer.ts';
import { PatrolTripsLayer } from '../../layers/patrol-trips-layer.ts';
import { CamerasDeckLayer } from '../../layers/cameras-deck-layer.ts';
import { gridData, MEASURE_RAMP, pointsPerGrid } from '../../layers/grid-features.ts';
import { hazardWeight, hexBins } from '../../layers/hazard-hexes.ts';
import { tripsFrom, tripWindow, type Trip } from '../../layers/patrol-trips.ts';
import { communitiesOf, header, pickJurisdiction } from './common.ts';
import { tracksFromTiles } from './tracks-source.ts';
import type { Unmount, ViewContext } from './view.ts';

type Measure = 'households' | 'hazards';
const TOUR_MS = 9000;

export function mountWallView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-wall';
  const mapEl = el('div', 'view-map');
  const panel = el('aside', 'wall-panel');
  ctx.root.replaceChildren(mapEl, panel);
  const layersOn = ctx.query.get('layers') !== 'off';
  let tourOn = ctx.query.get('tour') !== '0';
  let measure: Measure = ctx.query.get('measure') === 'hazards' ? 'hazards' : 'households';
  let view: DeckMap | null = null;
  let alive = true;
  let raf = 0;
  let tourTimer = 0;
  let tourIndex = -1;
  let j: JurisdictionNode | null = null;
  let grids: FeatureCollection | null = null;
  let hazardsPerGrid: Record<string, number> = {};
  let staticLayers: Layer[] = [];
  let trips: Trip[] = [];
  let window0: [number, number] = [0, 0];
  let figures: Array<[string, string]> = [];
  let replayDay: string | null = null;
  const frames = { n: 0 };
  (window as unknown as { __wanggeFrames?: { n: number } }).__wanggeFrames = frames;

  function buildStatic(hazards: FeatureCollection, cameras: FeatureCollection): void {
    if (!grids) return;
    const data = gridData(grids, { colourBy: measure, measures: Object.fromEntries(Object.entries(hazardsPerGrid).map(([k, v]) => [k, { hazards: v }])), alpha: 150,
      label: measure === 'hazards' ? (d) => String(hazardsPerGrid[d.code] ?? 0) : undefined });
    staticLayers = [
      new GridsDeckLayer({ id: 'grids', data, dark: true, labelSize: 36, pickable: false }),
      new HazardsHexLayer({ id: 'hazard-hexes', data: hexBins(hazards, 10) }),
      new CamerasDeckLayer({ id: 'cameras', data: cameras, dark: true, radius: 6 }),
    ];
  }

  function frame(now: number): void {
    if (!alive) return;
    frames.n++;
    if (view && layersOn) {
      const [a, b] = window0;
      const span = Math.max(1, b - a);
      // the day replays in 60 s
      const current = a + (((now / 1000) * (span / 60)) % span);
      view.setLayers([...staticLayers, new PatrolTripsLayer({ id: 'trips', data: trips, currentTime: current, trailLength: span / 12, width: 5 })]);
    }
    raf = requestAnimationFrame(frame);
  }

  function tourStep(): void {
    if (!j || !view || !tourOn) return;
    const cs = communitiesOf(j);
    tourIndex = (tourIndex + 1) % (cs.length + 1);
    const target = tourIndex === cs.length ? j : cs[tourIndex];
    view.fit(target.bbox, true);
    renderPanel(target.name);
  }

  function renderPanel(focus?: string): void {
    panel.replaceChildren();
    panel.append(header(ctx, `${t('view.wall')} · ${j?.name ?? ''}`, 'wall-head'));
    const figs = el('div', 'figures');
    for (const [k, v] of figures) {
      const f = el('div', 'figure');
      f.dataset.figure = k;
      f.append(el('div', 'figure-value', v), el('div', 'figure-label', t(k as 'wall.grids')));
      figs.append(f);
    }
    panel.append(figs);
    const ctl = el('div', 'wall-controls');
    for (const m of ['households', 'hazards'] as Measure[]) {
      const b = button(t(`wall.measure.${m}`), () => { measure = m; void loadData(); }, `btn wall-measure${m === measure ? ' active' : ''}`);
      ctl.append(b);
    }
    ctl.append(button(`${t('wall.tour')} ${tourOn ? '■' : '▶'}`, () => { tourOn = !tourOn; renderPanel(focus); if (tourOn) tourStep(); }, 'btn wall-tour'));
    panel.append(ctl);
    const legend = el('div', 'wall-legend');
    const ramp = el('div', 'ramp');
    for (const c of MEASURE_RAMP) { const s = el('span'); s.style.background = c; ramp.append(s); }
    legend.append(el('div', undefined, `${t('wall.measure')}: ${t(`wall.measure.${measure}`)}`), ramp, el('div', 'ramp-ends', `${t('wall.low')} … ${t('wall.high')}`));
    legend.append(el('div', 'legend-line heat', t('wall.heat')), el('div', 'legend-line cams', t('layer.cctv')),
      el('div', 'legend-line trips', `${t('wall.tracks')}${replayDay ? ` · ${t('wall.replay')} ${replayDay}` : ''}`));
    panel.append(legend);
    if (focus) panel.append(el('div', 'wall-focus', focus));
  }

  let hazardsFc: FeatureCollection = { type: 'FeatureCollection', features: [] };
  let camerasFc: FeatureCollection = { type: 'FeatureCollection', features: [] };
  async function loadData(): Promise<void> {
    if (!j) return;
    if (!grids) {
      const [g, h, c, tr] = await Promise.all([fetchLayer('grids', j.jcode), fetchLayer('hazards', j.jcode), fetchLayer('cameras', j.jcode),
        tracksFromTiles(j.bbox, todayIso()).catch(() => ({ day: null, days: [], tracks: { type: 'FeatureCollection', features: [] } as FeatureCollection }))]);
      grids = g;
      hazardsFc = h;
      camerasFc = c;
      hazardsPerGrid = pointsPerGrid(g, h, (f) => hazardWeight(f) > 0);
      trips = tripsFrom(tr.tracks);
      window0 = tripWindow(trips);
      replayDay = tr.day;
      const open = h.features.filter((f) => hazardWeight(f) > 0).length;
      const hh = g.features.reduce((n, f) => n + (Number(f.properties?.households) || 0), 0);
      // grid workers: no endpoint counts them yet; the day's distinct patrol tracks stand for the patrols done
      figures = [['wall.grids', formatCount(g.features.length)], ['wall.workers', '—'], ['wall.households', formatCount(hh)],
        ['wall.patrols', formatCount(new Set(tr.tracks.features.map((f, i) => f.id ?? `p${i}`)).size)], ['wall.hazards', formatCount(open)]];
    }
    buildStatic(hazardsFc, camerasFc);
    renderPanel();
    if (view && !layersOn) view.setLayers([]);
  }

  void (async () => {
    ctx.setState('loading');
    try {
      j = await pickJurisdiction(ctx.query);
      if (!j || !alive) { ctx.setState('empty'); return; }
      view = createDeckMap(mapEl, { bounds: j.bbox, dark: true, padding: { top: 60, bottom: 60, left: 60, right: Math.round(innerWidth * 0.26) }, interactive: false });
      if (layersOn) await loadData();
      else renderPanel();
      raf = requestAnimationFrame(frame);
      await view.firstIdle;
      ctx.setState('ready');
      tourTimer = window.setInterval(tourStep, TOUR_MS);
    } catch (e) {
      console.error(e);
      panel.append(el('p', 'message message-error', `${t('loadFailed')}: ${(e as Error).message}`));
      ctx.setState('error');
    }
  })();

  return () => {
    alive = false;
    cancelAnimationFrame(raf);
    clearInterval(tourTimer);
    view?.destroy();
  };
}

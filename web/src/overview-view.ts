/**
 * The overview map page (/): loads the jurisdictions, picks one (`?jcode=` or the first), fetches its layers, shows them
 * on one map with a layer panel. Simplified Chinese by default; the panel's button switches to English.
 * `document.body.dataset.state` goes loading → ready (map idle) | empty | error, for people and tests.
 */
import { MAP_LAYERS } from '../layers/index.ts';
import { fetchJurisdictions, fetchLayer, type JurisdictionNode } from './api-client.ts';
import { createMapView, type LoadedLayer, type MapView } from './map-view.ts';
import { renderMessage, renderPanel, type PanelLayer } from './layer-panel.ts';
import { getLang, initialLang, setLang, storedLang, t } from './i18n.ts';

const visible = new Map<string, boolean>(MAP_LAYERS.map((d) => [d.id, d.defaultVisible]));
const isVisible = (id: string) => visible.get(id) ?? true;

function setState(state: 'loading' | 'ready' | 'empty' | 'error'): void {
  document.body.dataset.state = state;
}

function pickJurisdiction(list: JurisdictionNode[]): JurisdictionNode | null {
  const want = new URLSearchParams(location.search).get('jcode');
  return list.find((j) => j.jcode === want) ?? list[0] ?? null;
}

/** Mount the overview map into #app (the page's own language switch re-renders it in place). */
export async function bootOverview(): Promise<void> {
  setLang(initialLang(location.search, storedLang()), false);
  const app = document.getElementById('app')!;
  const mapEl = document.createElement('div');
  mapEl.id = 'map';
  const panel = document.createElement('aside');
  panel.id = 'panel';
  app.replaceChildren(mapEl, panel);

  let view: MapView | null = null;
  let render: () => void = () => undefined;
  const switchLang = () => {
    setLang(getLang() === 'zh-CN' ? 'en' : 'zh-CN');
    render();
  };

  let message: { key: 'loading' | 'noJurisdiction' | 'loadFailed'; detail?: string } = { key: 'loading' };
  render = () => {
    document.title = `${t('appTitle')} · Wangge`;
    if (message.key === 'loadFailed') renderMessage(panel, t('appTitle'), `${t('loadFailed')}: ${message.detail ?? ''}`, switchLang, 'error');
    else renderMessage(panel, t('appTitle'), t(message.key), switchLang);
  };
  setState('loading');
  render();

  try {
    const j = pickJurisdiction(await fetchJurisdictions());
    if (!j) {
      message = { key: 'noJurisdiction' };
      render();
      setState('empty');
      return;
    }
    const collections = await Promise.all(MAP_LAYERS.map((def) => fetchLayer(def.id, j.jcode)));
    const loaded: LoadedLayer[] = MAP_LAYERS.map((def, i) => ({ def, data: collections[i] }));
    const panelLayers: PanelLayer[] = MAP_LAYERS.map((def, i) => ({ def, count: collections[i].numberReturned, truncated: collections[i].truncated }));

    const v = createMapView(mapEl, loaded, j.bbox, isVisible, panel.getBoundingClientRect().right);
    view = v;
    render = () => {
      document.title = `${j.name} · ${t('appTitle')} · Wangge`;
      renderPanel(panel, {
        title: `${t('appTitle')} · ${j.name}`,
        layers: panelLayers,
        visible: isVisible,
        onToggle: (id, on) => {
          visible.set(id, on);
          v.setVisible(id, on);
        },
        onSwitchLang: switchLang,
      });
    };
    render();
    v.map.once('idle', () => setState('ready'));
    // the map lives as long as the page: removed (with its listeners and WebGL context) on leave
    window.addEventListener('pagehide', () => view?.destroy(), { once: true });
  } catch (e) {
    message = { key: 'loadFailed', detail: (e as Error).message };
    render();
    setState('error');
    console.error(e);
  }
}


/**
 * The layer panel: one checkbox per layer with its feature count and legend swatches, and the language
 * switch. DOM only (no innerHTML with data); it re-renders its words when the language changes.
 */
import type { MapLayerDef, Swatch } from '../layers/layer-def.ts';
import { formatCount, t } from './i18n.ts';

export interface PanelLayer {
  def: MapLayerDef;
  count: number;
  truncated: boolean;
}

export interface PanelOptions {
  title: string;
  layers: PanelLayer[];
  visible: (id: string) => boolean;
  onToggle: (id: string, visible: boolean) => void;
  onSwitchLang: () => void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function swatch(s: Swatch): HTMLElement {
  const e = el('span', `swatch swatch-${s.kind}`);
  if (s.kind === 'fill') {
    e.style.background = s.color;
    e.style.borderColor = s.outline ?? s.color;
  } else if (s.kind === 'line') {
    const line = el('span', 'swatch-line-bar');
    line.style.borderTopColor = s.color;
    line.style.borderTopWidth = `${s.size ?? 2}px`;
    line.style.borderTopStyle = s.dashed ? 'dashed' : 'solid';
    if (s.outline) line.style.boxShadow = `0 0 0 1px ${s.outline}`;
    e.append(line);
  } else {
    const d = (s.size ?? 4) * 2;
    const dot = el('span', 'swatch-dot');
    dot.style.width = `${d}px`;
    dot.style.height = `${d}px`;
    dot.style.background = s.color;
    dot.style.borderColor = s.outline ?? s.color;
    e.append(dot);
  }
  return e;
}

/** Render the panel into `root` (replacing its content). */
export function renderPanel(root: HTMLElement, o: PanelOptions): void {
  root.replaceChildren();
  const head = el('header', 'panel-head');
  const h1 = el('h1', undefined, o.title);
  const lang = el('button', 'lang-switch', t('switchLang'));
  lang.type = 'button';
  lang.addEventListener('click', o.onSwitchLang);
  head.append(h1, lang);
  root.append(head, el('h2', undefined, t('layers')));

  const list = el('ul', 'layer-list');
  for (const { def, count, truncated } of o.layers) {
    const li = el('li', 'layer-item');
    li.dataset.layer = def.id;
    const label = el('label');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = o.visible(def.id);
    box.addEventListener('change', () => o.onToggle(def.id, box.checked));
    const name = el('span', 'layer-name', t(def.titleKey));
    const n = el('span', 'layer-count', `${formatCount(count)}${truncated ? ` ${t('truncated')}` : ''}`);
    label.append(box, name, n);
    const legend = el('ul', 'legend');
    for (const entry of def.legend) {
      const item = el('li');
      item.append(swatch(entry.swatch), el('span', undefined, t(entry.key)));
      legend.append(item);
    }
    li.append(label, legend);
    list.append(li);
  }
  root.append(list);
}

/** A message in the panel (loading, no data, failure). */
export function renderMessage(root: HTMLElement, title: string, message: string, onSwitchLang: () => void, kind = 'info'): void {
  root.replaceChildren();
  const head = el('header', 'panel-head');
  const lang = el('button', 'lang-switch', t('switchLang'));
  lang.type = 'button';
  lang.addEventListener('click', onSwitchLang);
  head.append(el('h1', undefined, title), lang);
  root.append(head, el('p', `message message-${kind}`, message));
}

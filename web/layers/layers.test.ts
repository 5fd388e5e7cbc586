// The layer definitions and the two dictionaries agree: every API layer has a definition, every style
// layer id is unique and reads its own source, every legend and title key has words in both languages.
import { describe, expect, it } from 'vitest';
import { MAP_LAYERS } from './index.ts';
import { LAYER_NAMES } from '../../api/repos/layers.ts';
import { DICTIONARIES, initialLang, t } from '../src/i18n.ts';

describe('map layer definitions', () => {
  it('cover every API layer once', () => {
    expect(MAP_LAYERS.map((d) => d.id).sort()).toEqual([...LAYER_NAMES].sort());
  });

  it('have unique style layer ids that read their own source and draw without glyphs or sprites', () => {
    const ids = new Set<string>();
    for (const def of MAP_LAYERS) {
      for (const l of [...def.styleLayers(`src-${def.id}`), ...(def.overlayLayers?.(`src-${def.id}`) ?? [])]) {
        expect(ids.has(l.id), l.id).toBe(false);
        ids.add(l.id);
        expect((l as { source?: string }).source).toBe(`src-${def.id}`);
        expect(['fill', 'line', 'circle']).toContain(l.type); // no symbol layers: nothing needs glyphs
      }
    }
  });

  it('have words for every title and legend entry in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const def of MAP_LAYERS) {
        expect(t(def.titleKey, lang)).toBeTruthy();
        for (const e of def.legend) expect(t(e.key, lang), `${lang} ${e.key}`).toBeTruthy();
      }
    }
    expect(Object.keys(DICTIONARIES.en).sort()).toEqual(Object.keys(DICTIONARIES['zh-CN']).sort());
    for (const [k, v] of Object.entries(DICTIONARIES['zh-CN'])) {
      if (k !== 'switchLang') expect(v, k).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('start in Simplified Chinese unless asked otherwise', () => {
    expect(initialLang('', null)).toBe('zh-CN');
    expect(initialLang('?lang=en', null)).toBe('en');
    expect(initialLang('', 'en')).toBe('en');
    expect(initialLang('?lang=zh', 'en')).toBe('zh-CN');
    expect(initialLang('', 'fr')).toBe('zh-CN');
  });
});

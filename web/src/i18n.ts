/**
 * The UI's words in Simplified Chinese (default) and English. `t(key)` reads the current language; the
 * choice comes from `?lang=`, then localStorage, then zh-CN, and `setLang` remembers it.
 */
export type Lang = 'zh-CN' | 'en';

const zh = {
  appTitle: '网格地图',
  switchLang: 'English',
  layers: '图层',
  legend: '图例',
  loading: '正在加载…',
  loadFailed: '加载失败',
  noJurisdiction: '尚未加载辖区数据。请先导入数据（wangge import），或以示例模式启动（npm start）。',
  features: '个要素',
  truncated: '（已截断）',
  households: '户',
  grid: '网格',
  community: '社区',
  addressPoint: '楼栋/地址',
  // layers
  'layer.grids': '网格（已发布方案）',
  'layer.communities': '社区边界',
  'layer.boundary': '辖区边界',
  'layer.streets': '街巷与水系',
  'layer.address_points': '楼栋（按户数）',
  'layer.units': '单位',
  'layer.hazards': '隐患',
  'layer.cameras': '视频监控',
  // legend entries
  'legend.grid': '网格（相邻网格不同色）',
  'legend.community': '社区界线',
  'legend.boundary': '辖区界线',
  'legend.motorway': '快速路',
  'legend.primary': '主干道',
  'legend.secondary': '次干道',
  'legend.tertiary': '支路',
  'legend.residential': '街巷',
  'legend.service': '内部道路',
  'legend.path': '步行小路',
  'legend.river': '河流',
  'legend.rail': '铁路',
  'legend.apSmall': '少于 50 户',
  'legend.apLarge': '200 户以上',
  'legend.unit': '单位',
  'legend.unitDedicated': '专属网格单位',
  'legend.hazardLow': '隐患（一般）',
  'legend.hazardHigh': '隐患（严重）',
  'legend.hazardArea': '隐患区域',
  'legend.camera': '监控点位',
  'legend.cameraView': '监控视野',
} as const;

export type I18nKey = keyof typeof zh;

const en: Record<I18nKey, string> = {
  appTitle: 'Grid map',
  switchLang: '中文',
  layers: 'Layers',
  legend: 'Legend',
  loading: 'Loading…',
  loadFailed: 'Loading failed',
  noJurisdiction: 'No jurisdiction is loaded yet. Import data (wangge import) or start the demo (npm start).',
  features: 'features',
  truncated: '(truncated)',
  households: 'households',
  grid: 'Grid',
  community: 'Community',
  addressPoint: 'Building / address',
  'layer.grids': 'Grids (published plan)',
  'layer.communities': 'Communities',
  'layer.boundary': 'Jurisdiction boundary',
  'layer.streets': 'Streets and water',
  'layer.address_points': 'Buildings (by households)',
  'layer.units': 'Units',
  'layer.hazards': 'Hazards',
  'layer.cameras': 'Cameras',
  'legend.grid': 'Grid (neighbours differ in colour)',
  'legend.community': 'Community line',
  'legend.boundary': 'Jurisdiction line',
  'legend.motorway': 'Expressway',
  'legend.primary': 'Arterial',
  'legend.secondary': 'Secondary road',
  'legend.tertiary': 'Branch road',
  'legend.residential': 'Lane',
  'legend.service': 'Service road',
  'legend.path': 'Footpath',
  'legend.river': 'River',
  'legend.rail': 'Railway',
  'legend.apSmall': 'Under 50 households',
  'legend.apLarge': '200 households or more',
  'legend.unit': 'Unit',
  'legend.unitDedicated': 'Unit with a dedicated grid',
  'legend.hazardLow': 'Hazard (minor)',
  'legend.hazardHigh': 'Hazard (severe)',
  'legend.hazardArea': 'Hazard area',
  'legend.camera': 'Camera',
  'legend.cameraView': 'Camera view',
};

export const DICTIONARIES: Readonly<Record<Lang, Readonly<Record<I18nKey, string>>>> = { 'zh-CN': zh, en };

const STORAGE_KEY = 'wangge.lang';
let current: Lang = 'zh-CN';

export function isLang(s: unknown): s is Lang {
  return s === 'zh-CN' || s === 'en';
}

/** The language asked for by the URL (`?lang=en`), else the remembered one, else Simplified Chinese. */
export function initialLang(search: string, stored: string | null): Lang {
  const q = new URLSearchParams(search).get('lang');
  if (q === 'en' || q === 'zh' || q === 'zh-CN') return q === 'en' ? 'en' : 'zh-CN';
  return isLang(stored) ? stored : 'zh-CN';
}

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang, remember = true): void {
  current = lang;
  if (remember) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, lang);
    } catch {
      // storage may be disabled: the choice then lasts for this page only
    }
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

export function storedLang(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export function t(key: I18nKey, lang: Lang = current): string {
  return DICTIONARIES[lang][key];
}

/** A count with thousands separators in the current language. */
export function formatCount(n: number, lang: Lang = current): string {
  return n.toLocaleString(lang);
}

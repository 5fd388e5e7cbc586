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
  // views
  'view.overview': '总览',
  'view.plan': '规划编辑',
  'view.wall': '指挥中心大屏',
  'view.me': '我的网格',
  'view.grid': '网格一张图',
  'plan.status.draft': '草稿',
  'plan.status.published': '已发布',
  'plan.status.archived': '已归档',
  'plan.version': '版本',
  'plan.valid': '校验通过',
  'plan.issues': '个问题',
  'plan.range': '户数范围',
  'plan.hint': '点击街区选中，按住 Shift 多选',
  'plan.block': '街区',
  'plan.blocks': '个街区',
  'plan.moveTo': '移至相邻网格',
  'plan.noNeighbour': '没有同社区的相邻网格',
  'plan.split': '选中街区拆分为新网格',
  'plan.mergeWith': '与相邻网格合并',
  'plan.undo': '撤销',
  'plan.redo': '重做',
  'plan.publish': '发布方案',
  'plan.copyDraft': '复制为草稿以编辑',
  'plan.readOnly': '已发布的方案不能直接编辑，请复制为草稿。',
  'plan.stale': '方案已被他人修改：已重新加载，请重新操作。',
  'plan.saving': '正在保存…',
  'plan.saved': '已保存（以服务器结果为准）',
  'plan.failed': '操作失败',
  'plan.partition': '重新划分网格',
  'plan.min': '最少户数',
  'plan.max': '最多户数',
  'plan.seed': '随机种子',
  'plan.run': '运行',
  'plan.jobDone': '划分完成，打开新方案',
  'plan.compare': '版本对比',
  'plan.compareNone': '不对比',
  'plan.moved': '移动街区',
  'plan.movedHh': '移动户数',
  'plan.export': '导出',
  'plan.grids': '网格列表',
  'plan.outOfRange': '超出户数范围',
  'plan.notContiguous': '不连通',
  'plan.legend.moved': '对比中移动的街区',
  'plan.legend.selected': '选中的街区',
  'plan.published': '方案已发布',
  'wall.measure': '网格着色',
  'wall.measure.households': '按户数',
  'wall.measure.hazards': '按隐患',
  'wall.grids': '网格数',
  'wall.workers': '网格员',
  'wall.households': '总户数',
  'wall.patrols': '今日巡查',
  'wall.hazards': '未处置隐患',
  'wall.tour': '自动巡览',
  'wall.heat': '隐患热力（H3 六边形）',
  'wall.tracks': '巡查轨迹动画',
  'wall.replay': '回放',
  'wall.low': '低',
  'wall.high': '高',
  'me.locate': '定位我',
  'me.search': '搜索',
  'me.searchPlaceholder': '输入地址或楼名',
  'me.notFound': '该位置不在任何网格内',
  'me.staff': '网格人员',
  'me.noStaff': '暂无人员信息',
  'me.tags': '重点人群（户）',
  'me.hazards': '隐患',
  'me.cameras': '监控',
  'me.track': '今日轨迹',
  'me.locating': '正在定位…',
  'me.geoFailed': '无法获取位置，请输入地址搜索。',
  'me.noMatch': '未找到该地址',
  'grid.figures': '网格概况',
  'grid.addressPoints': '楼栋',
  'grid.area': '面积（公顷）',
  'grid.day': '巡查日期',
  'grid.tracks': '条巡查轨迹',
  'grid.openMap': '网格一张图',
  'layer.buildings': '楼栋（按户数）',
  'layer.tracks': '巡查轨迹',
  'layer.cctv': '视频监控与视野',
  'layer.hazardPts': '隐患（按等级）',
  'tag.elderly_alone': '独居老人',
  'tag.veteran': '退役军人',
  'tag.disabled': '残疾人',
  'tag.special_care': '特殊关爱',
  'tag.low_income': '低保户',
  'tag.rental': '出租户',
  'tag.party_member': '党员',
  'role.leader': '网格长',
  'role.member': '网格员',
  'role.other': '协管员',
  'login.title': '登录',
  'login.hint': '此操作需要规划员或管理员账号',
  'login.name': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.cancel': '取消',
  'login.failed': '用户名或密码错误',
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
  'view.overview': 'Overview',
  'view.plan': 'Plan editor',
  'view.wall': 'Command centre',
  'view.me': 'My grid',
  'view.grid': 'One map per grid',
  'plan.status.draft': 'draft',
  'plan.status.published': 'published',
  'plan.status.archived': 'archived',
  'plan.version': 'version',
  'plan.valid': 'Valid',
  'plan.issues': 'issues',
  'plan.range': 'Households range',
  'plan.hint': 'Click a block to select it, Shift-click to add',
  'plan.block': 'Block',
  'plan.blocks': 'blocks',
  'plan.moveTo': 'Move to a neighbouring grid',
  'plan.noNeighbour': 'No neighbouring grid in the community',
  'plan.split': 'Split selected blocks into a new grid',
  'plan.mergeWith': 'Merge with a neighbouring grid',
  'plan.undo': 'Undo',
  'plan.redo': 'Redo',
  'plan.publish': 'Publish plan',
  'plan.copyDraft': 'Copy to a draft to edit',
  'plan.readOnly': 'A published plan cannot be edited: copy it to a draft.',
  'plan.stale': 'Someone else changed the plan: it was reloaded, please edit again.',
  'plan.saving': 'Saving…',
  'plan.saved': 'Saved (the server\'s counts shown)',
  'plan.failed': 'Failed',
  'plan.partition': 'New partition',
  'plan.min': 'Min households',
  'plan.max': 'Max households',
  'plan.seed': 'Seed',
  'plan.run': 'Run',
  'plan.jobDone': 'Partition done: open the new plan',
  'plan.compare': 'Compare versions',
  'plan.compareNone': 'No comparison',
  'plan.moved': 'Blocks moved',
  'plan.movedHh': 'Households moved',
  'plan.export': 'Export',
  'plan.grids': 'Grids',
  'plan.outOfRange': 'Out of range',
  'plan.notContiguous': 'not contiguous',
  'plan.legend.moved': 'Block moved between versions',
  'plan.legend.selected': 'Selected block',
  'plan.published': 'Plan published',
  'wall.measure': 'Colour grids',
  'wall.measure.households': 'by households',
  'wall.measure.hazards': 'by hazards',
  'wall.grids': 'Grids',
  'wall.workers': 'Grid workers',
  'wall.households': 'Households',
  'wall.patrols': 'Patrols today',
  'wall.hazards': 'Open hazards',
  'wall.tour': 'Tour',
  'wall.heat': 'Hazard heat (H3 hexagons)',
  'wall.tracks': 'Patrol tracks (animated)',
  'wall.replay': 'Replay of',
  'wall.low': 'low',
  'wall.high': 'high',
  'me.locate': 'Locate me',
  'me.search': 'Search',
  'me.searchPlaceholder': 'Address or building name',
  'me.notFound': 'This position is in no grid',
  'me.staff': 'Grid staff',
  'me.noStaff': 'No staff on record',
  'me.tags': 'Households by tag',
  'me.hazards': 'Hazards',
  'me.cameras': 'Cameras',
  'me.track': 'Today\'s track',
  'me.locating': 'Locating…',
  'me.geoFailed': 'No position available: search an address.',
  'me.noMatch': 'No such address',
  'grid.figures': 'Grid figures',
  'grid.addressPoints': 'Buildings',
  'grid.area': 'Area (ha)',
  'grid.day': 'Patrol day',
  'grid.tracks': 'patrol tracks',
  'grid.openMap': 'One map',
  'layer.buildings': 'Buildings (by households)',
  'layer.tracks': 'Patrol tracks',
  'layer.cctv': 'CCTV and view sectors',
  'layer.hazardPts': 'Hazards (by severity)',
  'tag.elderly_alone': 'Elderly living alone',
  'tag.veteran': 'Veterans',
  'tag.disabled': 'Disabled',
  'tag.special_care': 'Special care',
  'tag.low_income': 'Low income',
  'tag.rental': 'Renting',
  'tag.party_member': 'Party members',
  'role.leader': 'Grid leader',
  'role.member': 'Grid worker',
  'role.other': 'Assistant',
  'login.title': 'Log in',
  'login.hint': 'This needs a planner or administrator account',
  'login.name': 'User name',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.cancel': 'Cancel',
  'login.failed': 'Wrong user name or password',
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

/** Words for a key that may be unknown (data values such as tags and roles): the key itself if none. */
export function tx(key: string, lang: Lang = current): string {
  return (DICTIONARIES[lang] as Record<string, string>)[key] ?? key.replace(/^[a-z]+\./, '');
}

export function t(key: I18nKey, lang: Lang = current): string {
  return DICTIONARIES[lang][key];
}

/** A count with thousands separators in the current language. */
export function formatCount(n: number, lang: Lang = current): string {
  return n.toLocaleString(lang);
}

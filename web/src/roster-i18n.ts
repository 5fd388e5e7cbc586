/** The emergency roster views' words in Simplified Chinese (default) and English, following the app's language switch. */
import { getLang } from './i18n.ts';

const zh = {
  title: '转移对象清单',
  wallTitle: '人员转移进度（实时）',
  needLogin: '请先以网格员、指挥员或管理员账号登录。',
  name: '账号',
  password: '密码',
  login: '登录',
  loginFailed: '登录失败',
  noRoster: '暂无转移清单',
  deadline: '转移时限',
  remaining: '未转移',
  moved: '已转移',
  total: '应转移',
  people: '人',
  households: '户',
  vulnerable: '重点人员',
  vehicle: '需车辆',
  dangerous: '危房',
  shelter: '安置点',
  noShelter: '无空位',
  walk: '步行 {m} 米',
  showAll: '全部',
  showRemaining: '只看未转移',
  grid: '网格',
  shelters: '安置点容量',
  capacity: '容量',
  assigned: '已分配',
  arrived: '已到达',
  staff: '转移责任人',
  pending: '未登记',
  ticked: '已登记：{s}',
  tickFailed: '登记失败',
  print: '打印本网格清单',
  'status.moved': '已转移', 'status.refused': '拒绝转移', 'status.not_found': '未找到', 'status.moved_elsewhere': '自行转移',
  'light.done': '已完成', 'light.green': '正常', 'light.yellow': '临近时限', 'light.red': '已超时',
  'reason.elderly': '高龄', 'reason.child': '幼儿', 'reason.elderly_alone': '独居老人', 'reason.disabled': '残疾', 'reason.wheelchair': '轮椅',
  'reason.bedridden': '卧床', 'reason.oxygen': '吸氧', 'reason.dialysis': '透析', 'reason.pregnant': '孕妇',
};
type Key = keyof typeof zh;

const en: Record<Key, string> = {
  title: 'People to move',
  wallTitle: 'Evacuation progress (live)',
  needLogin: 'Log in with a grid worker, commander or administrator account first.',
  name: 'Account',
  password: 'Password',
  login: 'Log in',
  loginFailed: 'Login failed',
  noRoster: 'No roster yet',
  deadline: 'Deadline',
  remaining: 'Still inside',
  moved: 'Moved',
  total: 'To move',
  people: 'people',
  households: 'households',
  vulnerable: 'Vulnerable',
  vehicle: 'Needs a vehicle',
  dangerous: 'Dangerous house',
  shelter: 'Shelter',
  noShelter: 'no room',
  walk: '{m} m walk',
  showAll: 'All',
  showRemaining: 'Still inside only',
  grid: 'Grid',
  shelters: 'Shelters',
  capacity: 'Capacity',
  assigned: 'Assigned',
  arrived: 'Arrived',
  staff: 'Responsible',
  pending: 'Not ticked',
  ticked: 'Ticked: {s}',
  tickFailed: 'Tick failed',
  print: "Print this grid's list",
  'status.moved': 'Moved', 'status.refused': 'Refused', 'status.not_found': 'Not found', 'status.moved_elsewhere': 'Moved elsewhere',
  'light.done': 'Done', 'light.green': 'On track', 'light.yellow': 'Deadline near', 'light.red': 'Overdue',
  'reason.elderly': 'Aged 80+', 'reason.child': 'Young child', 'reason.elderly_alone': 'Elderly alone', 'reason.disabled': 'Disabled', 'reason.wheelchair': 'Wheelchair',
  'reason.bedridden': 'Bedridden', 'reason.oxygen': 'Oxygen', 'reason.dialysis': 'Dialysis', 'reason.pregnant': 'Pregnant',
};

export function tr(key: Key, vars: Record<string, string | number> = {}): string {
  const s = (getLang() === 'en' ? en : zh)[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** A code's word (status, light, reason) in the current language, or the code itself. */
export function trCode(prefix: 'status' | 'light' | 'reason', code: string): string {
  const key = `${prefix}.${code}` as Key;
  return key in zh ? tr(key) : code;
}

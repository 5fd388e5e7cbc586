/** Client-side routes by path, pure: '/plan/12' → { view: 'plan', params: { id: '12' } }. */
export type ViewName = 'overview' | 'plan' | 'wall' | 'me' | 'grid' | 'events' | 'eventsWall' | 'roster' | 'rosterWall';

export interface Route {
  view: ViewName;
  params: Record<string, string>;
}

const ROUTES: Array<[RegExp, ViewName, string[]]> = [
  [/^\/plan\/(\d{1,12})\/?$/, 'plan', ['id']],
  [/^\/wall\/?$/, 'wall', []],
  [/^\/wall\/events\/?$/, 'eventsWall', []],
  [/^\/events\/?$/, 'events', []],
  [/^\/me\/?$/, 'me', []],
  [/^\/grid\/([0-9A-Za-z_-]{1,40})\/?$/, 'grid', ['code']],
  [/^\/roster(?:\/(\d{1,12}))?\/?$/, 'roster', ['id']],
  [/^\/wall\/roster(?:\/(\d{1,12}))?\/?$/, 'rosterWall', ['id']],
];

/** The route of a path; anything unknown is the overview map. */
export function matchRoute(pathname: string): Route {
  for (const [re, view, names] of ROUTES) {
    const m = re.exec(pathname);
    if (m) return { view, params: Object.fromEntries(names.map((n, i) => [n, m[i + 1]]).filter(([, v]) => v !== undefined).map(([n, v]) => [n, decodeURIComponent(v!)])) };
  }
  return { view: 'overview', params: {} };
}

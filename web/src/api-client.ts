/** The web app's only door to the service: typed fetches of the API; errors carry the problem detail. */
import type { Feature, FeatureCollection } from 'geojson';
import type { ApiLayerName } from '../layers/layer-def.ts';
import type { WallFigures } from '../../api/repos/wall-figures.ts';
import type { JurisdictionNode } from '../../api/repos/jurisdictions.ts';
import type { PlanInfo } from '../../api/repos/plans.ts';
import type { EditResult } from '../../api/repos/plan-edits.ts';
import type { AddressHit, StaffContact } from '../../api/repos/lookup.ts';

// the service's own answer types (type-only imports, erased from the bundle), so the compiler tells when the
// two drift apart
export type { AddressHit, EditResult, JurisdictionNode, PlanInfo, StaffContact, WallFigures };

export interface LayerCollection extends FeatureCollection {
  numberReturned: number;
  truncated: boolean;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The service's problem+json answer as an ApiError (status, code, detail). */
async function problemOf(res: Response, prefix = ''): Promise<ApiError> {
  let code = 'http';
  let detail = `${res.status} ${res.statusText}`;
  try {
    const p = await res.json();
    code = p.code ?? code;
    detail = p.detail ?? detail;
  } catch {
    // not a problem+json body
  }
  return new ApiError(res.status, code, `${prefix}${detail}`);
}

const TOKEN_KEY = 'wangge.token';

/** The login token of this browser tab, if any. */
export function sessionToken(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

function authHeaders(): Record<string, string> {
  const t = sessionToken();
  return t ? { authorization: `Bearer ${t}` } : {};
}

/** Log in: the token is kept for this tab only (sessionStorage), never in a cookie. */
export async function login(name: string, password: string): Promise<void> {
  const res = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ name, password }) });
  if (!res.ok) throw new ApiError(res.status, 'unauthorized', 'login failed');
  const { token } = (await res.json()) as { token: string };
  globalThis.sessionStorage?.setItem(TOKEN_KEY, token);
}

/** Asked when a request needs a login: shows the login dialog; resolves once logged in, rejects on cancel. */
let loginPrompt: (() => Promise<void>) | null = null;
export function setLoginPrompt(fn: () => Promise<void>): void {
  loginPrompt = fn;
}

/** The login asked for now: requests refused together (a draft's plan, grids and blocks) share one dialog. */
let pendingLogin: Promise<void> | null = null;
function askLogin(): Promise<void> {
  pendingLogin ??= loginPrompt!().finally(() => { pendingLogin = null; });
  return pendingLogin;
}

/** Whether an answer asks for a login the user may give: 401, or 403 while not logged in. */
const wantsLogin = (res: Response) => loginPrompt !== null && (res.status === 401 || (res.status === 403 && !sessionToken()));

/**
 * GET with this tab's login; a route that needs one (a draft plan: its reads and exports) shows the login dialog
 * and is asked again once.
 */
async function authorizedGet(url: string, accept: string, signal?: AbortSignal): Promise<Response> {
  const get = () => fetch(url, { signal, headers: { accept, ...authHeaders() } });
  const res = await get();
  if (!wantsLogin(res)) return res;
  await askLogin();
  return get();
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await authorizedGet(url, 'application/json, application/geo+json', signal);
  if (!res.ok) throw await problemOf(res, `${url}: `);
  return (await res.json()) as T;
}

/** A file of the service (a plan's export) as a Blob, fetched with this tab's login: a draft's needs one. */
export async function fetchFile(url: string): Promise<Blob> {
  const res = await authorizedGet(url, '*/*');
  if (!res.ok) throw await problemOf(res, `${url}: `);
  return res.blob();
}

export async function fetchJurisdictions(signal?: AbortSignal): Promise<JurisdictionNode[]> {
  return (await getJson<{ jurisdictions: JurisdictionNode[] }>('/api/jurisdictions', signal)).jurisdictions;
}

export function fetchLayer(layer: ApiLayerName, jcode: string, signal?: AbortSignal): Promise<LayerCollection> {
  return getJson<LayerCollection>(`/api/layers/${layer}.geojson?jcode=${encodeURIComponent(jcode)}`, signal);
}

// ---- plans, jobs, grid bundles, lookup, tiles (issue 5's service)

export interface JobView {
  id: string;
  kind: string;
  status: string;
  phase: string | null;
  percent: number;
  message?: string | null;
  finishedAt: string | null;
  result?: { planId?: number } & Record<string, unknown>;
  error?: { detail?: string; code?: string } | null;
}

export interface LookupAnswer {
  lon: number;
  lat: number;
  jurisdiction: { jcode: string; code: string; name: string } | null;
  township: { code: string; name: string } | null;
  community: { code: string; name: string } | null;
  grid: { code: string; name: string | null; households: number; planId: number; communityCode: string | null } | null;
  staff: StaffContact[];
}

export interface GridBundle {
  jcode: string;
  code: string;
  planId: number;
  day: string;
  grid: Feature;
  households: { total: number; registered: number; addressPoints: number; byTag: Record<string, number> };
  staff: Array<StaffContact & { id: number }>;
  hazards: FeatureCollection;
  cameras: FeatureCollection;
  patrols: FeatureCollection;
}

const plansBase = (jcode: string) => `/api/jurisdictions/${encodeURIComponent(jcode)}/plans`;

async function send<T>(url: string, init: RequestInit, retried = false): Promise<{ body: T; etag: string | null }> {
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', 'content-type': 'application/json', ...authHeaders(), ...(init.headers ?? {}) } });
  if (!retried && wantsLogin(res)) {
    await askLogin();
    return send<T>(url, init, true);
  }
  if (!res.ok) throw await problemOf(res);
  return { body: (await res.json()) as T, etag: res.headers.get('etag') };
}

export async function fetchPlans(jcode: string): Promise<PlanInfo[]> {
  return (await getJson<{ plans: PlanInfo[] }>(plansBase(jcode))).plans;
}

export function fetchPlan(jcode: string, id: number): Promise<PlanInfo> {
  return getJson<PlanInfo>(`${plansBase(jcode)}/${id}`);
}

export function fetchPlanGeoJson(jcode: string, id: number, what: 'grids' | 'blocks'): Promise<FeatureCollection> {
  return getJson<FeatureCollection>(`${plansBase(jcode)}/${id}/${what}.geojson`);
}

/** One edit with optimistic concurrency: a stale version answers 412 (ApiError status 412). */
export async function postEdit(jcode: string, id: number, version: number, edit: unknown): Promise<EditResult> {
  return (await send<EditResult>(`${plansBase(jcode)}/${id}/edits`, { method: 'POST', headers: { 'If-Match': `"${version}"` }, body: JSON.stringify(edit) })).body;
}

export async function copyPlanToDraft(jcode: string, id: number): Promise<PlanInfo> {
  return (await send<PlanInfo>(`${plansBase(jcode)}/${id}/copy`, { method: 'POST', body: '{}' })).body;
}

export async function publishPlan(jcode: string, id: number, version: number): Promise<PlanInfo> {
  return (await send<PlanInfo>(`${plansBase(jcode)}/${id}/publish`, { method: 'POST', headers: { 'If-Match': `"${version}"` }, body: '{}' })).body;
}

export async function startPartition(jcode: string, params: { min: number; max: number; seed: number; name?: string }): Promise<JobView> {
  return (await send<JobView>(plansBase(jcode), { method: 'POST', body: JSON.stringify(params) })).body;
}

export function fetchJob(id: string): Promise<JobView> {
  return getJson<JobView>(`/api/jobs/${encodeURIComponent(id)}`);
}

/** Follow a job's Server-Sent Events until `done`; returns a function that stops listening. */
export function watchJob(id: string, onEvent: (job: JobView, done: boolean) => void): () => void {
  const es = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
  const handle = (done: boolean) => (e: MessageEvent) => {
    onEvent(JSON.parse(e.data) as JobView, done);
    if (done) es.close();
  };
  es.addEventListener('progress', handle(false) as EventListener);
  es.addEventListener('done', handle(true) as EventListener);
  es.onerror = () => {
    // the stream ended or broke: poll once for the final state
    es.close();
    void fetchJob(id).then((j) => onEvent(j, j.finishedAt !== null), () => undefined);
  };
  return () => es.close();
}

export interface PlanDiff {
  from: number;
  to: number;
  blocks: { total: number; moved: number };
  households: { moved: number; addressPointsMoved: number; total: number };
  grids: { onlyInFrom: string[]; onlyInTo: string[]; changed: string[] };
  movedBlocks: FeatureCollection;
}

export function fetchDiff(jcode: string, id: number, against: number): Promise<PlanDiff> {
  return getJson<PlanDiff>(`${plansBase(jcode)}/${id}/diff?against=${against}`);
}

export function fetchBundle(jcode: string, code: string, day?: string, signal?: AbortSignal): Promise<GridBundle> {
  const q = new URLSearchParams({ jcode });
  if (day) q.set('day', day);
  return getJson<GridBundle>(`/api/grids/${encodeURIComponent(code)}/bundle?${q}`, signal);
}


/** The wall screen's figures (GET /api/jurisdictions/{jcode}/wall-figures): aggregates only. */
export function fetchWallFigures(jcode: string, day: string, signal?: AbortSignal): Promise<WallFigures> {
  return getJson<WallFigures>(`/api/jurisdictions/${encodeURIComponent(jcode)}/wall-figures?day=${encodeURIComponent(day)}`, signal);
}

export function lookupPosition(lon: number, lat: number, crs = 'wgs84'): Promise<LookupAnswer> {
  return getJson<LookupAnswer>(`/api/lookup?lon=${lon}&lat=${lat}&crs=${encodeURIComponent(crs)}`);
}

export async function lookupText(q: string, jcode?: string): Promise<AddressHit[]> {
  const p = new URLSearchParams({ q });
  if (jcode) p.set('jcode', jcode);
  return (await getJson<{ matches: AddressHit[] }>(`/api/lookup?${p}`)).matches;
}

/** One vector tile of our own tile sets (null when the server has none: 204/404). */
export async function fetchTile(set: string, z: number, x: number, y: number, signal?: AbortSignal): Promise<Uint8Array | null> {
  const res = await fetch(`/tiles/${encodeURIComponent(set)}/${z}/${x}/${y}.mvt`, { signal });
  if (res.status === 204 || res.status === 404) return null;
  if (!res.ok) throw new ApiError(res.status, 'http', `tile ${set}/${z}/${x}/${y}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

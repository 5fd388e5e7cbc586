/** The roster views' door to the service: typed fetches of /api/emergency/rosters (types only from the service). */
import { sessionToken } from './api-client.ts';
import type { RosterPerson, RosterSummary, StaffContact, TickStatus } from '../../domain/emergency/roster-repository.ts';

export type { RosterPerson, RosterSummary, StaffContact, TickStatus };

export class RosterApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const auth = (): Record<string, string> => { const t = sessionToken(); return t ? { authorization: `Bearer ${t}` } : {}; };

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...auth(), ...(init.headers ?? {}) } });
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try { detail = ((await res.json()) as { detail?: string }).detail ?? detail; } catch { /* not problem+json */ }
    throw new RosterApiError(res.status, detail);
  }
  return (await res.json()) as T;
}

export const BASE = '/api/emergency/rosters';

/** The newest roster's id of the account's jurisdiction, or null. */
export async function latestRosterId(): Promise<number | null> {
  const { rosters } = await call<{ rosters: Array<{ id: number }> }>(BASE);
  return rosters[0]?.id ?? null;
}

export function fetchSummary(id: number): Promise<RosterSummary> {
  return call(`${BASE}/${id}`);
}

export function fetchPeople(id: number, grid?: string): Promise<{ people: RosterPerson[]; staff: Record<string, StaffContact[]>; deadline: string }> {
  return call(`${BASE}/${id}/people${grid ? `?grid=${encodeURIComponent(grid)}` : ''}`);
}

export function tick(id: number, residentId: number, status: TickStatus): Promise<{ current: TickStatus; at: string }> {
  return call(`${BASE}/${id}/ticks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ residentId, status }) });
}

/**
 * Follow the roster's progress (Server-Sent Events read with fetch, so the login goes in a header): `onProgress`
 * at once and after every tick. Returns the stop.
 */
export function followProgress(id: number, onProgress: (s: RosterSummary) => void, onError: (e: unknown) => void): () => void {
  const ac = new AbortController();
  void (async () => {
    const res = await fetch(`${BASE}/${id}/live`, { headers: { accept: 'text/event-stream', ...auth() }, signal: ac.signal });
    if (!res.ok || !res.body) throw new RosterApiError(res.status, `${res.status} ${res.statusText}`);
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (block.startsWith('event: progress') && data) onProgress(JSON.parse(data) as RosterSummary);
      }
    }
  })().catch((e: unknown) => { if (!ac.signal.aborted) onError(e); });
  return () => ac.abort();
}

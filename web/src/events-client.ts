/** The events views' door to the service: typed fetches of /api/…/events (types only from the service). */
import { sessionToken } from './api-client.ts';
import type { EventRecord } from '../../domain/events/event-repository.ts';
import type { EventClass, EventType } from '../../domain/events/event-codes.ts';
import type { BoardRow, Hotspot } from '../../domain/events/event-board.ts';
import type { LiveEvent } from '../../api/routes/events-shared.ts';

export type { BoardRow, EventClass, EventRecord, EventType, Hotspot, LiveEvent };

export interface Me { name: string; role: string; jcode: string | null; grids: string[] }

export class EventsApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const token = sessionToken();
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try {
      detail = ((await res.json()) as { detail?: string }).detail ?? detail;
    } catch {
      // not problem+json
    }
    throw new EventsApiError(res.status, detail);
  }
  return (await res.json()) as T;
}

const base = (jcode: string) => `/api/jurisdictions/${encodeURIComponent(jcode)}`;

/** The logged-in account, or null. */
export async function fetchMe(): Promise<Me | null> {
  if (!sessionToken()) return null;
  try {
    return (await call<{ user: Me }>('/api/session')).user;
  } catch (e) {
    if (e instanceof EventsApiError && e.status === 401) return null;
    throw e;
  }
}

export function fetchEventTypes(): Promise<{ classes: EventClass[]; types: EventType[] }> {
  return call('/api/event-types');
}

export function fetchEvents(jcode: string, params: Record<string, string>): Promise<{ total: number; events: EventRecord[] }> {
  return call(`${base(jcode)}/events?${new URLSearchParams(params)}`);
}

/** The board (一牌) of every grid the account may see: open, green, yellow, red, closed, closed on time. */
export function fetchBoard(jcode: string): Promise<{ at: string; grids: BoardRow[] }> {
  return call(`${base(jcode)}/event-board`);
}

/** Places of repeated events (≥ 3 of a type within 30 days and 50 m) with their grid and H3 cell. */
export function fetchHotspots(jcode: string): Promise<{ at: string; hotspots: Hotspot[] }> {
  return call(`${base(jcode)}/event-hotspots`);
}

/** Report an event: the form's fields and its photo go as multipart/form-data. */
export function reportEvent(jcode: string, form: FormData): Promise<EventRecord> {
  return call(`${base(jcode)}/events`, { method: 'POST', body: form });
}

export function transitionEvent(jcode: string, id: number, body: Record<string, unknown>): Promise<{ from: string; to: string; event: EventRecord }> {
  return call(`${base(jcode)}/events/${id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export function uploadPhoto(jcode: string, id: number, file: File, kind: 'report' | 'result'): Promise<unknown> {
  const form = new FormData();
  form.append('kind', kind);
  form.append('photo', file);
  return call(`${base(jcode)}/events/${id}/photos`, { method: 'POST', body: form });
}

/** The live feed of a jurisdiction's events (Server-Sent Events). */
export function liveEvents(jcode: string): EventSource {
  return new EventSource(`${base(jcode)}/events-live`);
}

/**
 * Events as points on a map, by light (三灯): pure data for EventsDeckLayer and the wall's counts. A light is
 * worked out on the screen's clock from the event's yellow time and deadline (as the service does), so an event
 * turns yellow or red without a message. Points come green first and red last, so red ones are drawn on top.
 *
 * @example eventPoints([{ id: 7, lon: 116.3, lat: 39.9, yellowAt, deadlineAt }], Date.now()) // [{ id: 7, position: [116.3, 39.9], light: 'red' }]
 */
import { LAYER_COLOURS, rgbOf } from './layer-def.ts';

export type Light = 'red' | 'yellow' | 'green';
/** most urgent first */
export const LIGHT_ORDER: readonly Light[] = ['red', 'yellow', 'green'];

/** What a point needs of an event (the live feed's and the list's events both have it). */
export interface EventLike {
  id: number;
  lon: number | null;
  lat: number | null;
  yellowAt: string;
  deadlineAt: string;
  /** closed events have no light */
  closedAt?: string | null;
}

export interface EventPoint {
  id: number;
  position: [number, number];
  light: Light;
}

/** The light of an open event at `now` (ms): red past its deadline, yellow from its yellow time, else green. */
export function lightAt(e: Pick<EventLike, 'yellowAt' | 'deadlineAt'>, now: number): Light {
  if (now > Date.parse(e.deadlineAt)) return 'red';
  return now >= Date.parse(e.yellowAt) ? 'yellow' : 'green';
}

/** The open events with a position as points at `now`: green first, red last (drawn on top), then by id. */
export function eventPoints(events: Iterable<EventLike>, now: number): EventPoint[] {
  const out: EventPoint[] = [];
  for (const e of events) {
    if (e.closedAt || e.lon === null || e.lat === null || !Number.isFinite(e.lon) || !Number.isFinite(e.lat)) continue;
    out.push({ id: e.id, position: [e.lon, e.lat], light: lightAt(e, now) });
  }
  const rank = (l: Light) => LIGHT_ORDER.length - LIGHT_ORDER.indexOf(l);
  return out.sort((a, b) => rank(a.light) - rank(b.light) || a.id - b.id);
}

/** How many points of each light. */
export function countByLight(points: Iterable<{ light: Light }>): Record<Light, number> {
  const n: Record<Light, number> = { red: 0, yellow: 0, green: 0 };
  for (const p of points) n[p.light] += 1;
  return n;
}

const LIGHT_HEX: Record<Light, string> = { red: LAYER_COLOURS.eventRed, yellow: LAYER_COLOURS.eventYellow, green: LAYER_COLOURS.eventGreen };

/** '#rrggbb' of a light (the shared palette). */
export function lightHex(l: Light): string {
  return LIGHT_HEX[l];
}

/** [r, g, b, a] of a light for deck.gl. */
export function lightColour(l: Light, alpha = 255): [number, number, number, number] {
  return [...rgbOf(LIGHT_HEX[l]), alpha];
}

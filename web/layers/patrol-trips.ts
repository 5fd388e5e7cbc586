/**
 * Data preparation for the patrol tracks layer, pure: each track as a path with a timestamp per vertex in
 * seconds of the day (so the tracks of one day play together). Tracks with `times` (seconds from
 * `startedAt`) keep them; tracks without (vector tiles carry no times) are timed by distance at a walking
 * speed from a start spread over the working day, so the animation stays honest about being a replay.
 */
import type { Feature, FeatureCollection, LineString, MultiLineString, Position } from 'geojson';

export interface Trip {
  id: string | number;
  path: Position[];
  /** seconds of the day, one per vertex, ascending */
  timestamps: number[];
  worker: string | null;
}

const M_PER_DEG = 111_320;

/** Length in metres of a step (equirectangular, fine for street segments). */
export function stepMetres(a: Position, b: Position): number {
  const k = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180);
  return Math.hypot((b[0] - a[0]) * M_PER_DEG * k, (b[1] - a[1]) * M_PER_DEG);
}

/** Seconds of the day of an ISO time (its own clock: "08:30:00+08:00" → 30600). */
export function secondsOfDay(iso: string): number {
  const m = /T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(iso);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : 0;
}

export interface TripOptions {
  /** walking speed for untimed tracks, m/s (default 1.2) */
  speed?: number;
  /** first start of untimed tracks, seconds of the day (default 08:00) */
  dayStart?: number;
  /** spread of untimed starts, seconds (default 2 h) */
  spread?: number;
}

/** Trips from track features (LineString or MultiLineString; parts of a multi-line play one after another). */
export function tripsFrom(fc: FeatureCollection, o: TripOptions = {}): Trip[] {
  const speed = o.speed ?? 1.2;
  const dayStart = o.dayStart ?? 8 * 3600;
  const spread = o.spread ?? 2 * 3600;
  const out: Trip[] = [];
  fc.features.forEach((f: Feature, i) => {
    const g = f.geometry as LineString | MultiLineString | null;
    if (!g || (g.type !== 'LineString' && g.type !== 'MultiLineString')) return;
    const path = g.type === 'LineString' ? g.coordinates : g.coordinates.flat();
    if (path.length < 2) return;
    const p = f.properties ?? {};
    const times = Array.isArray(p.times) ? (p.times as unknown[]).map(Number) : null;
    let timestamps: number[];
    if (times && times.length === path.length && times.every(Number.isFinite)) {
      const t0 = typeof p.startedAt === 'string' ? secondsOfDay(p.startedAt) : dayStart;
      timestamps = times.map((t) => t0 + t);
    } else {
      let t = dayStart + ((i * 7919) % 97) / 97 * spread; // deterministic spread of starts
      timestamps = [t];
      for (let k = 1; k < path.length; k++) {
        t += stepMetres(path[k - 1], path[k]) / speed;
        timestamps.push(t);
      }
    }
    out.push({ id: (f.id as string | number | undefined) ?? i, path, timestamps, worker: (p.worker as string | undefined) ?? null });
  });
  return out;
}

/** The time window of the trips: [first start, last end] in seconds of the day ([0, 0] if none). */
export function tripWindow(trips: Trip[]): [number, number] {
  if (trips.length === 0) return [0, 0];
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of trips) {
    lo = Math.min(lo, t.timestamps[0]);
    hi = Math.max(hi, t.timestamps[t.timestamps.length - 1]);
  }
  return [lo, hi];
}

/** The most recent day in `days` not after `today` (YYYY-MM-DD), else the latest one; null if none. */
export function pickDay(days: Iterable<string>, today: string): string | null {
  const list = [...new Set(days)].sort();
  if (list.length === 0) return null;
  const past = list.filter((d) => d <= today);
  return past.length ? past[past.length - 1] : list[list.length - 1];
}

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

/**
 * A trip with fewer vertices (Douglas–Peucker, tolerance in metres): the kept vertices keep their own
 * timestamps, so the replay still passes every corner at its time. For the whole-jurisdiction wall a pixel
 * is several metres, and the vertex shader of the trips layer runs once per segment per frame.
 */
export function simplifyTrip(trip: Trip, toleranceM: number): Trip {
  const n = trip.path.length;
  if (n <= 2 || !(toleranceM > 0)) return trip;
  // to local metres once (equirectangular about the first vertex)
  const k = Math.cos((trip.path[0][1] * Math.PI) / 180) * M_PER_DEG;
  const xs = trip.path.map((p) => p[0] * k);
  const ys = trip.path.map((p) => p[1] * M_PER_DEG);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: Array<[number, number]> = [[0, n - 1]];
  const tol2 = toleranceM * toleranceM;
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const dx = xs[b] - xs[a], dy = ys[b] - ys[a];
    const len2 = dx * dx + dy * dy;
    let far = -1, farD = tol2;
    for (let i = a + 1; i < b; i++) {
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((xs[i] - xs[a]) * dx + (ys[i] - ys[a]) * dy) / len2)) : 0;
      const ex = xs[a] + t * dx - xs[i], ey = ys[a] + t * dy - ys[i];
      const d = ex * ex + ey * ey;
      if (d > farD) { farD = d; far = i; }
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([a, far], [far, b]);
    }
  }
  const path: Position[] = [];
  const timestamps: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    path.push(trip.path[i]);
    timestamps.push(trip.timestamps[i]);
  }
  return { ...trip, path, timestamps };
}

/**
 * At most `max` trips, the longest in time first (the ones on screen longest), then in their input order:
 * a cap for the whole-jurisdiction view, where hundreds of short pieces add vertices but no readable motion.
 */
export function limitTrips(trips: Trip[], max: number): Trip[] {
  if (trips.length <= max) return trips;
  const span = (t: Trip) => t.timestamps[t.timestamps.length - 1] - t.timestamps[0];
  const chosen = new Set(trips.map((t, i) => [span(t), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, Math.max(0, max)).map(([, i]) => i));
  return trips.filter((_, i) => chosen.has(i));
}

/** Metres per CSS pixel of a Web Mercator map (512-px tiles) at `zoom` and latitude `lat`. */
export function metresPerPixel(zoom: number, lat: number): number {
  return (40_075_016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);
}

/** The position of a trip at time `t` (between its first and last timestamp), interpolated on its segment. */
function positionAt(trip: Trip, i: number, t: number): Position {
  const [t0, t1] = [trip.timestamps[i], trip.timestamps[i + 1]];
  const a = trip.path[i], b = trip.path[i + 1];
  const f = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
}

/** The last index i with timestamps[i] <= t (0 when t is before the first). */
function segmentAt(ts: number[], t: number): number {
  let lo = 0, hi = ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ts[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The trails on screen at `current`: of each trip under way in [current − trailLength, current], only that
 * piece (its ends interpolated), with its timestamps. Drawing these instead of whole tracks lets the trips
 * layer shade only the visible trails rather than every track's full length and discard most of it.
 */
export function trailsAt(trips: Trip[], current: number, trailLength: number): Trip[] {
  const from = current - trailLength;
  const out: Trip[] = [];
  for (const trip of trips) {
    const ts = trip.timestamps;
    const n = ts.length;
    if (n < 2 || ts[0] > current || ts[n - 1] < from) continue;
    const t0 = Math.max(from, ts[0]);
    const t1 = Math.min(current, ts[n - 1]);
    const i0 = Math.min(segmentAt(ts, t0), n - 2);
    const i1 = Math.min(segmentAt(ts, t1), n - 2);
    const path: Position[] = [positionAt(trip, i0, t0)];
    const timestamps = [t0];
    for (let i = i0 + 1; i <= i1; i++) {
      if (ts[i] > t0 && ts[i] < t1) { path.push(trip.path[i]); timestamps.push(ts[i]); }
    }
    path.push(positionAt(trip, i1, t1));
    timestamps.push(t1);
    out.push({ id: trip.id, worker: trip.worker, path, timestamps });
  }
  return out;
}

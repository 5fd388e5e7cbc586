/**
 * Checking query parameters: every refusal is a WanggeError('bad_request') naming the parameter, which the
 * error middleware answers as a 400 problem+json with `where.parameter`.
 */
import { WanggeError } from '../../spatial/errors.ts';

export type Bbox = [minx: number, miny: number, maxx: number, maxy: number];

type QueryValue = unknown;

/** A single string value, or undefined when absent; repeated parameters are refused. */
export function optionalString(q: Record<string, QueryValue>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new WanggeError('bad_request', `${name} must be given once, as a plain value`, { parameter: name });
  return v;
}

export function requiredString(q: Record<string, QueryValue>, name: string): string {
  const v = optionalString(q, name);
  if (v === undefined || v.trim() === '') throw new WanggeError('bad_request', `${name} is required`, { parameter: name });
  return v.trim();
}

/** A jurisdiction code: digits and ASCII letters, 1-32 characters. */
export function jcodeParam(q: Record<string, QueryValue>, name = 'jcode'): string {
  const v = requiredString(q, name);
  if (!/^[0-9A-Za-z_-]{1,32}$/.test(v)) throw new WanggeError('bad_request', `${name} must be 1-32 letters or digits, got ${JSON.stringify(v.slice(0, 40))}`, { parameter: name });
  return v;
}

/**
 * `bbox=minLon,minLat,maxLon,maxLat` in WGS-84: four finite numbers, longitudes within ±180, latitudes
 * within ±90, min below max on both axes.
 */
export function bboxParam(q: Record<string, QueryValue>, name = 'bbox'): Bbox | undefined {
  const raw = optionalString(q, name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',');
  if (parts.length !== 4) throw new WanggeError('bad_request', `${name} must be four numbers minLon,minLat,maxLon,maxLat; got ${parts.length} values`, { parameter: name });
  const nums = parts.map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
  nums.forEach((n, i) => {
    if (!Number.isFinite(n)) throw new WanggeError('bad_request', `${name} value ${i + 1} (${JSON.stringify(parts[i].slice(0, 40))}) is not a finite number`, { parameter: name });
  });
  const [minx, miny, maxx, maxy] = nums;
  for (const [v, axis] of [[minx, 'minLon'], [maxx, 'maxLon']] as const) {
    if (v < -180 || v > 180) throw new WanggeError('bad_request', `${name} ${axis} ${v} is outside -180..180`, { parameter: name });
  }
  for (const [v, axis] of [[miny, 'minLat'], [maxy, 'maxLat']] as const) {
    if (v < -90 || v > 90) throw new WanggeError('bad_request', `${name} ${axis} ${v} is outside -90..90 (lon/lat order is minLon,minLat,maxLon,maxLat)`, { parameter: name });
  }
  if (minx >= maxx) throw new WanggeError('bad_request', `${name} is inverted: minLon ${minx} is not below maxLon ${maxx}`, { parameter: name });
  if (miny >= maxy) throw new WanggeError('bad_request', `${name} is inverted: minLat ${miny} is not below maxLat ${maxy}`, { parameter: name });
  return [minx, miny, maxx, maxy];
}

/** A positive integer limit, clamped to `max` (OGC style: too large is clamped, not refused). */
export function limitParam(q: Record<string, QueryValue>, dflt: number, max: number, name = 'limit'): number {
  const raw = optionalString(q, name);
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new WanggeError('bad_request', `${name} must be a positive integer, got ${JSON.stringify(raw.slice(0, 40))}`, { parameter: name });
  }
  return Math.min(n, max);
}

/** Today's date YYYY-MM-DD on the server's clock. */
export function todayIso(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A calendar day YYYY-MM-DD (default today on the server's clock). */
export function dayParam(q: Record<string, QueryValue>, name = 'day'): string {
  const day = optionalString(q, name) ?? todayIso();
  const t = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  // a round trip, so that 2026-02-31 (which Date.parse rolls over to March) is refused too
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) {
    throw new WanggeError('bad_request', `${name} must be a date YYYY-MM-DD, got ${JSON.stringify(day.slice(0, 20))}`, { parameter: name });
  }
  return day;
}

/** A positive integer id from a path segment or query value (unknown ids are a 404 later, malformed a 400). */
export function idParam(raw: unknown, name: string): number {
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
    throw new WanggeError('bad_request', `${name} must be a positive integer, got ${JSON.stringify(String(raw).slice(0, 40))}`, { parameter: name });
  }
  return Number(raw);
}

/** An integer within [min, max]; `dflt` when absent (undefined or null). */
export function intValue(v: unknown, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new WanggeError('bad_request', `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(String(v).slice(0, 40))}`, { parameter: name });
  }
  return n;
}

/** A required finite number within [min, max] from the query string. */
export function numberParam(q: Record<string, QueryValue>, name: string, min: number, max: number): number {
  const raw = requiredString(q, name);
  const n = Number(raw);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) || !Number.isFinite(n)) {
    throw new WanggeError('bad_request', `${name} must be a number, got ${JSON.stringify(raw.slice(0, 40))}`, { parameter: name });
  }
  if (n < min || n > max) throw new WanggeError('bad_request', `${name} ${n} is outside ${min}..${max}`, { parameter: name });
  return n;
}

/** The plan version named by an If-Match header ("3", W/"3" or 3); bad_request when absent or malformed. */
export function ifMatchVersion(header: string | undefined, required = true): number | undefined {
  if (header === undefined || header.trim() === '') {
    if (!required) return undefined;
    throw new WanggeError('bad_request', 'an edit needs If-Match: "<version>" with the plan version (its ETag) you read', { parameter: 'If-Match' });
  }
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) throw new WanggeError('bad_request', `If-Match must be one plan version such as "3", got ${JSON.stringify(header.slice(0, 40))}`, { parameter: 'If-Match' });
  return Number(m[1]);
}

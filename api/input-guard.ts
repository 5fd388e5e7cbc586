/**
 * Input normalisation at the edge (issue 17): before any route runs, the request's path segments, query values
 * and JSON body (every string and key) are checked for what no route accepts and what PostgreSQL cannot store:
 * NUL and other control characters (tab, line feed and carriage return are allowed inside body strings only),
 * unpaired UTF-16 surrogates, and bodies nested deeper than MAX_DEPTH. A refusal is a 400 problem+json naming
 * the parameter (and the feature index when the string sits in `features[i]`). Routes then never see such input,
 * so a NUL byte can no longer reach the database and come back as a 500.
 */
import type { RequestHandler } from 'express';
import { WanggeError } from '../spatial/errors.ts';

/** Deepest JSON body accepted (a GeoJSON FeatureCollection of MultiPolygons is 8 deep). */
export const MAX_DEPTH = 32;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_STRICT = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_BODY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `s` is refused, or null. `body`: tab, LF and CR are allowed. */
export function badText(s: string, body = false): string | null {
  if (s.includes('\u0000')) return 'holds a NUL byte';
  if ((body ? CONTROL_BODY : CONTROL_STRICT).test(s)) return 'holds a control character';
  if (LONE_SURROGATE.test(s)) return 'is not valid Unicode (an unpaired surrogate)';
  return null;
}

/** Throw bad_request when a text value is refused. */
export function checkText(s: string, parameter: string, body = false): void {
  const why = badText(s, body);
  if (why) throw new WanggeError('bad_request', `${parameter} ${why}`, { parameter });
}

function checkBody(root: unknown): void {
  const stack: Array<{ v: unknown; path: string; depth: number; feature?: number }> = [{ v: root, path: 'body', depth: 0 }];
  while (stack.length) {
    const { v, path, depth, feature } = stack.pop()!;
    const where = () => ({ parameter: path.startsWith('body.') ? path.slice(5) : path, ...(feature !== undefined ? { featureIndex: feature } : {}) });
    if (typeof v === 'string') {
      const why = badText(v, true);
      if (why) throw new WanggeError('bad_request', `${path} ${why}`, where());
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) throw new WanggeError('bad_request', `the body is nested deeper than ${MAX_DEPTH} levels (at ${path})`, { parameter: 'body' });
    if (Array.isArray(v)) {
      // long numeric arrays (coordinates) hold no strings: only their nested arrays need a look
      for (let i = v.length - 1; i >= 0; i--) {
        const x = v[i];
        if (x !== null && typeof x === 'object' || typeof x === 'string') {
          stack.push({ v: x, path: `${path}[${i}]`, depth: depth + 1, feature: feature ?? (path === 'body.features' ? i : undefined) });
        }
      }
      continue;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const why = badText(k, false);
      if (why) throw new WanggeError('bad_request', `a key in ${path} ${why}`, where());
      if (x !== null && typeof x === 'object' || typeof x === 'string') stack.push({ v: x, path: `${path}.${k}`, depth: depth + 1, feature });
    }
  }
}

/** The edge check of path, query and JSON body. */
export const inputGuard: RequestHandler = (req, _res, next) => {
  // path segments as the routes will see them (decoded)
  for (const seg of req.path.split('/')) {
    if (seg === '') continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      throw new WanggeError('bad_request', 'the request path has a malformed percent-encoding', { parameter: 'path' });
    }
    checkText(decoded, 'path');
  }
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    checkText(k, 'query');
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') checkText(x, k);
  }
  if (req.body !== undefined && req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) checkBody(req.body);
  next();
};

/** Unread body bytes discarded after a refusal before the connection is closed (a lingering close). */
export const LINGER_BYTES = 1024 * 1024;
/** Longest wait after a refusal before the connection of a request whose body did not end is closed, ms. */
export const LINGER_MS = 2_000;

/**
 * Answered before its body was read (a refusal: 401 before a 20 MB upload, 413 past a limit): Node would read and
 * discard the whole rest of the body on the event loop (its `req._dump()` when the response finishes, which no
 * 'data' listener sees: an 8 MB body cost the service ~6 MB read and 5-10 ms of CPU). Instead the discarding starts
 * as the answer ends ('prefinish', so Node does not dump the body itself), at most LINGER_BYTES more are read, then
 * reading stops: the client's sending stalls while it reads its answer and closes, and the connection is closed
 * LINGER_MS after the answer at the latest. A body that ends within LINGER_BYTES leaves the connection open.
 */
export const lingerOnUnreadBody: RequestHandler = (req, res, next) => {
  const length = Number(req.headers['content-length'] ?? 0);
  if (length <= LINGER_BYTES && req.headers['transfer-encoding'] === undefined) return next();
  res.once('prefinish', () => {
    if (req.readableEnded) return;
    let discarded = 0;
    const close = () => {
      clearTimeout(timer);
      req.off('data', count);
      req.socket.destroy();
    };
    const count = (b: Buffer) => {
      discarded += b.length;
      if (discarded <= LINGER_BYTES) return;
      // read no more: the client's sending stalls while it reads its answer and closes; destroyed at LINGER_MS
      req.off('data', count);
      req.pause();
    };
    const timer = setTimeout(close, LINGER_MS);
    timer.unref();
    req.on('data', count);
    req.once('end', () => {
      clearTimeout(timer);
      req.off('data', count);
    });
    req.resume();
  });
  next();
};

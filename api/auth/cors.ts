/**
 * CORS with an allow-list (CORS_ORIGINS; empty by default: no cross-origin browser access). An allowed
 * origin gets Access-Control-Allow-Origin echoed with Vary: Origin; a preflight from an origin not on the
 * list is refused with 403. Bearer tokens travel in a header, never in cookies, so there is no CSRF surface.
 */
import type { RequestHandler } from 'express';
import { problem, sendProblem } from '../errors.ts';

export function corsAllowList(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (typeof origin !== 'string' || origin === '') return next();
    const ok = allowed.has(origin);
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'ETag, Location');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (!ok) return sendProblem(res, problem('forbidden', 'this origin is not allowed (CORS_ORIGINS)', { parameter: 'Origin' }));
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/**
 * Log in and out (issue 7, limiter of issue 17):
 *   POST   /api/session  {"name","password"} → 201 {"token","expiresAt","user"}; wrong name or password 401;
 *                        too many failures (per name and address, per address, per name: api/auth/login-limiter.ts)
 *                        → 429 with Retry-After, decided before the password is verified
 *   GET    /api/session  the account of the bearer token (401 when anonymous)
 *   DELETE /api/session  end the session of the bearer token → 204
 * Tokens travel only in `Authorization: Bearer <token>` (no cookies, so no CSRF surface).
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { TooManyRequestsError } from '../errors.ts';
import type { AuthConfig } from '../auth/auth-config.ts';
import { LoginLimiter } from '../auth/login-limiter.ts';
import { checkLogin, createSession, deleteSession } from '../auth/users.ts';
import { clientIp, requireUser } from '../auth/require-user.ts';
import type { RouteContext } from './context.ts';

function field(body: unknown, name: string, max: number): string {
  const v = (body as Record<string, unknown> | null)?.[name];
  if (typeof v !== 'string' || v.length < 1 || v.length > max) {
    throw new WanggeError('bad_request', `${name} must be a string of 1 to ${max} characters`, { parameter: name });
  }
  return v;
}

export function sessionRouter(ctx: RouteContext, auth: Readonly<AuthConfig>): Router {
  const r = Router();
  const limiter = new LoginLimiter(ctx.db, {
    maxFailures: auth.loginMaxFailures, maxPerAddress: auth.loginMaxFailuresPerAddress, maxPerName: auth.loginMaxFailuresPerName,
    windowMs: auth.loginWindowMinutes * 60_000,
  });

  r.post('/api/session', async (req, res) => {
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      throw new WanggeError('bad_request', 'send JSON {"name","password"}', { parameter: 'body' });
    }
    const name = field(req.body, 'name', 64);
    const password = field(req.body, 'password', 1024);
    const ip = clientIp(req.ip) ?? '';
    // counted (and recorded as pending) before the password is looked at
    const slot = await limiter.reserve(name, ip);
    if (!slot.ok) {
      const whose = slot.why === 'address' ? 'from this address' : slot.why === 'account' ? 'for this name' : 'for this name from this address';
      throw new TooManyRequestsError(`too many failed logins ${whose}: try again in ${slot.retryAfterS} s`, slot.retryAfterS, { parameter: 'name' });
    }
    const user = await checkLogin(ctx.db, name, password);
    if (!user) {
      await limiter.fail(slot.id);
      throw new WanggeError('unauthorized', 'wrong name or password', { parameter: 'password' });
    }
    await limiter.succeed(slot.id, name, ip);
    const s = await createSession(ctx.db, user.id, auth.sessionHours);
    res.status(201).set('Cache-Control', 'no-store').json({ token: s.token, expiresAt: s.expiresAt, user: { name: user.name, role: user.role, jcode: user.jcode, grids: user.grids } });
  });

  r.get('/api/session', (_req, res) => {
    const u = requireUser(res);
    res.set('Cache-Control', 'no-store').json({ user: { name: u.name, role: u.role, jcode: u.jcode, grids: u.grids } });
  });

  r.delete('/api/session', async (_req, res) => {
    requireUser(res);
    await deleteSession(ctx.db, String(res.locals.token));
    res.status(204).end();
  });
  return r;
}

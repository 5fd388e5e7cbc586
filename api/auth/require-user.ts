/** Guards for routes: the request's user or 401, a role among `roles` or 403. */
import type { Response } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { userOf } from '../request-user.ts';
import type { AuthUser, Role } from './roles.ts';

export function requireUser(res: Response): AuthUser {
  const u = userOf(res);
  if (!u) throw new WanggeError('unauthorized', 'log in first: POST /api/session, then send Authorization: Bearer <token>', { parameter: 'Authorization' });
  return u;
}

export function requireRole(res: Response, roles: readonly Role[]): AuthUser {
  const u = requireUser(res);
  if (!roles.includes(u.role)) throw new WanggeError('forbidden', `the ${u.role} role may not do this`, { parameter: 'role' });
  return u;
}

/** The client address for the audit log (express's req.ip: the socket unless `trust proxy` is set). */
export function clientIp(ip: string | undefined): string | null {
  return ip ? ip.replace(/^::ffff:/, '') : null;
}

/** Guards for routes: the request's user or 401, a role among `roles` or 403, a plan the user may read or 401/403. */
import type { Response } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import type { PlanStatus } from '../../data/db/schema.ts';
import { userOf } from '../request-user.ts';
import { seesPlan } from './personal-data.ts';
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

/**
 * `plan` if the request's user may read it: published and archived plans are the public map; a draft needs an
 * account of its jurisdiction (401 without one, 403 with another's) unless `draftsRequireLogin` is off
 * (DRAFTS_REQUIRE_LOGIN=0). The policy: api/auth/personal-data.ts.
 */
export function requirePlanReader<P extends { id: number; jcode: string; status: PlanStatus }>(res: Response, plan: P, draftsRequireLogin: boolean): P {
  if (!draftsRequireLogin || seesPlan(userOf(res), plan.jcode, plan.status)) return plan;
  requireUser(res);
  throw new WanggeError('forbidden', `plan ${plan.id} is a draft of ${plan.jcode}: only accounts of that jurisdiction read it`, { parameter: 'planId' });
}

/** The client address for the audit log (express's req.ip: the socket unless `trust proxy` is set). */
export function clientIp(ip: string | undefined): string | null {
  return ip ? ip.replace(/^::ffff:/, '') : null;
}

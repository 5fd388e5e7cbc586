/**
 * Who may change data: creating plans (partition jobs), editing, copying and publishing plans, and imports
 * need an admin or planner account (of that jurisdiction when the account is limited to one). Registered
 * with the same paths as the routes they guard, so express matches them exactly alike (case, trailing
 * slash). Switched on by WRITES_REQUIRE_LOGIN=1 (api/auth/auth-config.ts). Reads, validation of an upload and the OGC/tile services stay open: they hold no personal data.
 */
import { Router, type RequestHandler } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { requireRole } from './require-user.ts';

export const GUARDED_WRITES = [
  '/api/jurisdictions/:jcode/plans',
  '/api/jurisdictions/:jcode/plans/:planId/edits',
  '/api/jurisdictions/:jcode/plans/:planId/copy',
  '/api/jurisdictions/:jcode/plans/:planId/publish',
  '/api/jurisdictions/:jcode/imports',
  '/api/jurisdictions/:jcode/merge',
];

/** The guard; with `enabled` false (WRITES_REQUIRE_LOGIN=0) it lets every request through. */
export function writeGuard(enabled: boolean): Router {
  const r = Router();
  const guard: RequestHandler = (req, res, next) => {
    if (!enabled) return next();
    const u = requireRole(res, ['admin', 'planner']);
    if (u.jcode !== null && u.jcode !== req.params.jcode) {
      throw new WanggeError('forbidden', `this account works in ${u.jcode} only`, { parameter: 'jcode' });
    }
    next();
  };
  for (const p of GUARDED_WRITES) r.post(p, guard);
  return r;
}

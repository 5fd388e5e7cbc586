/**
 * GET /api/audit?[verify=1][&jcode=][&limit=]: the audit log of personal-data reads, newest `limit` entries in
 * chain order (admin only); with verify=1 the whole keyed chain is recomputed and compared with the signed
 * checkpoint kept outside the table, and the answer says whether it holds, why not and the first broken or
 * missing entry (api/auth/audit-log.ts).
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { readAudit, verifyAuditChain } from '../auth/audit-log.ts';
import { requireRole } from '../auth/require-user.ts';
import { jcodeParam, limitParam, optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';

export function auditRouter(ctx: RouteContext): Router {
  const r = Router();
  r.get('/api/audit', async (req, res) => {
    const admin = requireRole(res, ['admin']);
    const verify = optionalString(req.query, 'verify');
    if (verify !== undefined && !['0', '1', 'true', 'false'].includes(verify)) throw new WanggeError('bad_request', 'verify must be 1 or 0', { parameter: 'verify' });
    const jcode = optionalString(req.query, 'jcode') === undefined ? undefined : jcodeParam(req.query);
    if (admin.jcode !== null && jcode !== admin.jcode) throw new WanggeError('forbidden', `this account reads the audit of ${admin.jcode} only: add jcode=${admin.jcode}`, { parameter: 'jcode' });
    const entries = await readAudit(ctx.db, { jcode, limit: limitParam(req.query, 1000, 10_000) });
    const verified = verify === '1' || verify === 'true' ? await verifyAuditChain(ctx.db, ctx.audit()) : null;
    res.set('Cache-Control', 'no-store').json({ entries, verified });
  });
  return r;
}

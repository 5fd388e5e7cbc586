/**
 * Personal data, by role (issue 7):
 *   GET /api/grids/{code}/residents[?jcode=]  residents of a grid of the published plan: admin and the grid's own
 *       grid workers (of that grid in that jurisdiction) in full, commanders masked; anonymous 401; planners and
 *       other grid workers 403. Every answer, refusals included, is written to the audit log (who, when, which
 *       record ids, from where, route). Without `jcode` (as the route first shipped) the jurisdiction is the
 *       account's own, else the one whose published plan has a grid of that code; when several have one the
 *       answer is 400 naming them (issue 17).
 *   GET /api/h3?jcode=&res=8  household counts per H3 cell for the wall screen (any account); cells with fewer
 *       than H3_MIN_HOUSEHOLDS households are suppressed.
 */
import { Router } from 'express';
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../../spatial/errors.ts';
import type { AuthConfig } from '../auth/auth-config.ts';
import { appendAudit } from '../auth/audit-log.ts';
import { h3Counts } from '../auth/h3-counts.ts';
import { residentsVisibleTo } from '../auth/residents-visible.ts';
import { residentView, type AuthUser } from '../auth/roles.ts';
import { clientIp, requireUser } from '../auth/require-user.ts';
import { jurisdictionExists } from '../repos/jurisdictions.ts';
import { intValue, jcodeParam, optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';

/** Jurisdictions whose current published plan has a grid `code`. */
export async function jurisdictionsWithGrid(db: Kysely<any>, code: string): Promise<string[]> {
  const { rows } = await sql<{ jcode: string }>`SELECT DISTINCT g.jcode FROM grids g
    WHERE g.code = ${code} AND g.plan_id = (SELECT p.id FROM grid_plans p WHERE p.jcode = g.jcode AND p.status = 'published'
      ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)
    ORDER BY g.jcode`.execute(db);
  return rows.map((r) => r.jcode);
}

/** The jurisdiction of a grid request: ?jcode=, else the account's, else the one jurisdiction with that grid code. */
async function gridJurisdiction(db: Kysely<any>, query: Record<string, unknown>, user: AuthUser, code: string): Promise<string> {
  if (optionalString(query, 'jcode') !== undefined) return jcodeParam(query);
  if (user.jcode !== null) return user.jcode;
  const found = await jurisdictionsWithGrid(db, code);
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new WanggeError('not_found', `no published plan has a grid ${code}`, { parameter: 'code', gridCode: code });
  throw new WanggeError('bad_request', `grid code ${code} is in the published plans of ${found.length} jurisdictions (${found.slice(0, 20).join(', ')}): add ?jcode= to say which`,
    { parameter: 'jcode', gridCode: code });
}

export function residentsRouter(ctx: RouteContext, auth: Readonly<AuthConfig>): Router {
  const r = Router();

  r.get('/api/grids/:code/residents', async (req, res) => {
    const user = requireUser(res);
    const code = req.params.code;
    if (!/^[0-9A-Za-z_-]{1,40}$/.test(code)) throw new WanggeError('bad_request', 'a grid code is 1-40 letters or digits', { parameter: 'code' });
    const jcode = await gridJurisdiction(ctx.db, req.query as Record<string, unknown>, user, code);
    const entry = { jcode, userName: user.name, role: user.role, action: 'read residents', route: '/api/grids/{code}/residents', ip: clientIp(req.ip), gridCode: code };
    if (residentView(user, jcode, code) === 'none') {
      await appendAudit(ctx.db, { ...entry, outcome: 'denied', recordIds: [] }, ctx.audit());
      throw new WanggeError('forbidden', `the ${user.role} account ${user.name} may not read the residents of grid ${code} of ${jcode}`, { parameter: 'code', gridCode: code });
    }
    const found = await residentsVisibleTo(ctx.db, user, jcode, code);
    await appendAudit(ctx.db, { ...entry, outcome: 'ok', recordIds: found.residents.map((x) => x.id) }, ctx.audit());
    res.set('Cache-Control', 'no-store').json({ jcode, grid: code, planId: found.planId, view: found.view, count: found.residents.length, residents: found.residents });
  });

  r.get('/api/h3', async (req, res) => {
    const user = requireUser(res);
    const jcode = jcodeParam(req.query);
    const resolution = intValue(optionalString(req.query, 'res'), 'res', 8, 0, 15);
    if (user.jcode !== null && user.jcode !== jcode) throw new WanggeError('forbidden', `this account works in ${user.jcode} only`, { parameter: 'jcode' });
    if (!(await jurisdictionExists(ctx.db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    res.set('Cache-Control', 'no-cache').json(await h3Counts(ctx.db, jcode, resolution, auth.h3MinHouseholds));
  });
  return r;
}

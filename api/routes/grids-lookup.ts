/**
 * GET /api/grids/{code}/bundle?jcode=[&planId=][&day=YYYY-MM-DD]: a grid's one-map bundle; of a draft plan
 * (`planId`) only with an account of its jurisdiction, like the plan itself (routes/plans.ts).
 * GET /api/lookup?lon=&lat=[&crs=wgs84|gcj02|bd09]: grid, community, township, jurisdiction and staff at a
 * position (phones in China often report GCJ-02 or BD-09: converted to WGS-84 first).
 * GET /api/lookup?q=<address text>[&jcode=][&limit=]: address points matching the text, each with its grid.
 * Both are open: what they show of people follows api/auth/personal-data.ts (a citizen sees masked staff names
 * and the grid's service phone, no personal phones and no patrol paths).
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { parseCrs } from '../../data/crs/parse-crs.ts';
import { gridBundle } from '../repos/grid-bundle.ts';
import { lookupAddress, lookupPosition } from '../repos/lookup.ts';
import { dayParam, idParam, jcodeParam, limitParam, numberParam, optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';
import { userOf } from '../request-user.ts';
import { contactView, seesPatrols } from '../auth/personal-data.ts';
import { requirePlanReader } from '../auth/require-user.ts';
import { planStatus } from '../repos/plans.ts';
import type { AuthConfig } from '../auth/auth-config.ts';

const LOOKUP_CRS: Record<string, string> = { wgs84: 'wgs84', 'epsg:4326': 'wgs84', gcj02: 'gcj02', 'gcj-02': 'gcj02', bd09: 'bd09', 'bd-09': 'bd09' };

export function gridsLookupRouter(ctx: RouteContext, auth: Pick<AuthConfig, 'draftsRequireLogin'> = { draftsRequireLogin: true }): Router {
  const r = Router();

  r.get('/api/grids/:code/bundle', async (req, res) => {
    const code = req.params.code;
    if (!/^[0-9A-Za-z_-]{1,40}$/.test(code)) throw new WanggeError('bad_request', 'a grid code is 1-40 letters or digits', { parameter: 'code' });
    const jcode = jcodeParam(req.query);
    const planRaw = optionalString(req.query, 'planId');
    const day = dayParam(req.query);
    const planId = planRaw === undefined ? undefined : idParam(planRaw, 'planId');
    if (planId !== undefined) {
      // a named plan that is a draft is unpublished work (no such plan: the bundle's own 404)
      const status = await planStatus(ctx.db, jcode, planId);
      if (status) requirePlanReader(res, { id: planId, jcode, status }, auth.draftsRequireLogin);
    }
    const user = userOf(res);
    const body = await gridBundle(ctx.db, {
      jcode, code, day, planId,
      contacts: contactView(user, jcode), patrols: seesPatrols(user, jcode, code),
    });
    // the answer depends on who asks
    res.set('Cache-Control', 'no-cache, private').set('Vary', 'Authorization').type('application/json').send(body);
  });

  r.get('/api/lookup', async (req, res) => {
    const q = optionalString(req.query, 'q');
    if (q !== undefined) {
      const text = q.trim();
      if (text.length < 1 || text.length > 100) throw new WanggeError('bad_request', 'q must be 1 to 100 characters of address text', { parameter: 'q' });
      const jcode = optionalString(req.query, 'jcode') === undefined ? undefined : jcodeParam(req.query);
      const matches = await lookupAddress(ctx.db, text, limitParam(req.query, 10, 50), jcode);
      res.set('Cache-Control', 'no-store').json({ q: text, matches });
      return;
    }
    const crsName = (optionalString(req.query, 'crs') ?? 'wgs84').toLowerCase();
    const kind = LOOKUP_CRS[crsName];
    if (!kind) throw new WanggeError('bad_request', `crs must be wgs84, gcj02 or bd09, got ${JSON.stringify(crsName.slice(0, 20))}`, { parameter: 'crs' });
    const lon = numberParam(req.query, 'lon', -180, 180);
    const lat = numberParam(req.query, 'lat', -90, 90);
    let wgs: [number, number] = [lon, lat];
    if (kind !== 'wgs84') {
      const crs = parseCrs(kind);
      const why = crs.implausible(lon, lat);
      if (why) throw new WanggeError('bad_request', `${why} (crs ${kind} is defined in China only)`, { parameter: 'lon' });
      wgs = crs.toWgs84([lon, lat]);
    }
    const user = userOf(res);
    const found = await lookupPosition(ctx.db, wgs[0], wgs[1], (jcode) => contactView(user, jcode));
    if (!found) throw new WanggeError('not_found', `no loaded jurisdiction holds ${wgs[0].toFixed(6)}, ${wgs[1].toFixed(6)}`, { parameter: 'lon' });
    res.set('Cache-Control', 'no-store').json({ lon: +wgs[0].toFixed(7), lat: +wgs[1].toFixed(7), crs: kind, ...found });
  });
  return r;
}

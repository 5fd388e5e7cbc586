/**
 * Validation of grid layers (spatial/validate): POST /api/jurisdictions/{jcode}/validate with a GeoJSON
 * FeatureCollection of grids (FORMAT.md) as the body, or POST /api/jurisdictions/{jcode}/plans/{planId}/validate
 * for a stored plan. Both answer the report {ok, summary, issues[]} (issues carry geometry to draw).
 * POST /api/jurisdictions/{jcode}/repair with the same body answers {layer, changes, summary}: the corrected
 * layer, nothing stored. POST /api/jurisdictions/{jcode}/merge with {layers: [{name, features}], min?, max?,
 * seed?} starts a 多网合一 job (a new draft plan, with crosswalk, roster, conflicts and fidelity in its result).
 *
 * Bounded (issue 17): validation and repair compute for seconds, so they need an account of the jurisdiction
 * (admin, planner or commander; checked before the body is read, see HEAVY_ROUTES) and run one at a time
 * (api/heavy-gate.ts: 429 meanwhile) under REQUEST_TIMEOUT_MS on the server engine; the layers of validate,
 * repair and merge are bounded in features and positions, must be WGS-84 and lie on the jurisdiction
 * (layer-input.ts), all checked before any SQL runs.
 */
import { Router, type RequestHandler, type Response } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { validate, type GridLayer } from '../../spatial/validate/index.ts';
import { repair } from '../../spatial/repair/index.ts';
import { mergeOverlays, type OverlayLayerInput } from '../../spatial/merge/index.ts';
import { planFeatureCollection } from '../../spatial/partition/index.ts';
import { jurisdictionExtent } from '../repos/jurisdictions.ts';
import { requirePlan } from '../repos/plans.ts';
import { requireRole } from '../auth/require-user.ts';
import type { AuthUser, Role } from '../auth/roles.ts';
import { withStatementTimeout } from '../heavy-gate.ts';
import { checkLayerInput } from './layer-input.ts';
import { idParam, jcodeParam } from './query-params.ts';
import type { RouteContext } from './context.ts';

/** Largest grid layer accepted in a request body. */
export const VALIDATE_BODY_LIMIT = '20mb';

/** Accounts that may run validation and repair (they compute; merge is a write: api/auth/write-guard.ts). */
export const HEAVY_ROLES: readonly Role[] = ['admin', 'planner', 'commander'];

/** The routes that compute for seconds: signed in before their body is read. */
export const HEAVY_ROUTES = [
  '/api/jurisdictions/:jcode/validate',
  '/api/jurisdictions/:jcode/repair',
  '/api/jurisdictions/:jcode/plans/:planId/validate',
];

/** An account of one of HEAVY_ROLES for the jurisdiction of the path, or 401/403. */
function heavyUser(res: Response, jcode: string): AuthUser {
  const u = requireRole(res, HEAVY_ROLES);
  if (u.jcode !== null && u.jcode !== jcode) throw new WanggeError('forbidden', `this account works in ${u.jcode} only`, { parameter: 'jcode' });
  return u;
}

/** Mounted ahead of the body parsers on HEAVY_ROUTES: an anonymous caller is refused before its body is read. */
export const heavyAuth: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST') return next();
  heavyUser(res, String(req.params.jcode));
  next();
};

function gridLayerBody(body: unknown): GridLayer {
  const b = body as Partial<GridLayer> | undefined;
  if (!b || typeof b !== 'object' || b.type !== 'FeatureCollection' || !Array.isArray(b.features)) {
    throw new WanggeError('bad_request', 'the body must be a GeoJSON FeatureCollection of grids', { parameter: 'body' });
  }
  return b as GridLayer;
}

export function validateRouter(ctx: RouteContext): Router {
  const r = Router();

  /** The jurisdiction (404 when not loaded) and the layer, checked against the limits and its extent. */
  const checkedLayer = async (jcodeRaw: string, body: unknown): Promise<{ jcode: string; layer: GridLayer }> => {
    const jcode = jcodeParam({ jcode: jcodeRaw });
    const layer = gridLayerBody(body);
    const extent = await jurisdictionExtent(ctx.db, jcode);
    if (!extent) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    checkLayerInput([{ label: '', features: layer.features }], ctx.layerLimits, extent);
    return { jcode, layer };
  };
  const heavy = <T>(what: string, fn: (db: typeof ctx.db) => Promise<T>) =>
    ctx.heavy.run(what, () => withStatementTimeout(ctx.db, ctx.caps, ctx.requestTimeoutMs, fn));

  r.post('/api/jurisdictions/:jcode/validate', async (req, res) => {
    heavyUser(res, req.params.jcode);
    const { jcode, layer } = await checkedLayer(req.params.jcode, req.body);
    res.json(await heavy('validation', (db) => validate(db, layer, { jcode })));
  });

  r.post('/api/jurisdictions/:jcode/repair', async (req, res) => {
    heavyUser(res, req.params.jcode);
    const { jcode, layer } = await checkedLayer(req.params.jcode, req.body);
    res.json(await heavy('repair', (db) => repair(db, layer, { jcode })));
  });

  r.post('/api/jurisdictions/:jcode/merge', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const body = req.body as { layers?: unknown; min?: unknown; max?: unknown; seed?: unknown } | undefined;
    const layers = body?.layers;
    if (!Array.isArray(layers) || !layers.length || !layers.every((l) => l && typeof l === 'object' && typeof (l as { name?: unknown }).name === 'string' && Array.isArray((l as { features?: unknown }).features))) {
      throw new WanggeError('bad_request', 'the body must be {"layers": [{"name": "security", "features": [...]}, ...]}', { parameter: 'layers' });
    }
    const int = (v: unknown, name: string, dflt: number) => {
      if (v === undefined) return dflt;
      if (!Number.isInteger(v) || (v as number) < 0) throw new WanggeError('bad_request', `${name} must be a non-negative integer`, { parameter: name });
      return v as number;
    };
    const min = int(body?.min, 'min', 400), max = int(body?.max, 'max', 600), seed = int(body?.seed, 'seed', 1);
    const input = (layers as OverlayLayerInput[]).map((l) => ({ name: l.name, file: `${l.name}`, features: l.features }));
    const asInput = input.map((l) => ({ label: l.name, features: l.features as unknown[] }));
    const extent = await jurisdictionExtent(ctx.db, jcode);
    if (!extent) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    checkLayerInput(asInput, ctx.layerLimits, extent);
    const job = ctx.jobs.submit('merge', jcode, { min, max, seed, layers: input.map((l) => l.name) }, async (progress) => {
      const m = await mergeOverlays(ctx.db, { jcode, min, max, seed, progress }, input);
      return { planId: m.summary.planId, summary: m.summary, fidelity: m.fidelity, crosswalk: m.crosswalk, roster: m.roster, conflicts: m.conflicts };
    });
    res.status(202).set('Location', `/api/jobs/${job.id}`).json(job);
  });

  r.post('/api/jurisdictions/:jcode/plans/:planId/validate', async (req, res) => {
    heavyUser(res, req.params.jcode);
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const p = await requirePlan(ctx.db, jcode, idParam(req.params.planId, 'planId'));
    res.json(await heavy('validation', async (db) => {
      const layer = await planFeatureCollection(db, jcode, p.id);
      return validate(db, layer as unknown as GridLayer, { jcode });
    }));
  });
  return r;
}

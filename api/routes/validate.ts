/**
 * Validation of grid layers (spatial/validate): POST /api/jurisdictions/{jcode}/validate with a GeoJSON
 * FeatureCollection of grids (FORMAT.md) as the body, or POST /api/jurisdictions/{jcode}/plans/{planId}/validate
 * for a stored plan. Both answer the report {ok, summary, issues[]} (issues carry geometry to draw).
 * POST /api/jurisdictions/{jcode}/repair with the same body answers {layer, changes, summary}: the corrected
 * layer, nothing stored. POST /api/jurisdictions/{jcode}/merge with {layers: [{name, features}], min?, max?,
 * seed?} starts a 多网合一 job (a new draft plan, with crosswalk, roster, conflicts and fidelity in its result).
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { validate, type GridLayer } from '../../spatial/validate/index.ts';
import { repair } from '../../spatial/repair/index.ts';
import { mergeOverlays, type OverlayLayerInput } from '../../spatial/merge/index.ts';
import { planFeatureCollection } from '../../spatial/partition/index.ts';
import { jurisdictionExists } from '../repos/jurisdictions.ts';
import { requirePlan } from '../repos/plans.ts';
import { idParam, jcodeParam } from './query-params.ts';
import type { RouteContext } from './context.ts';

/** Largest grid layer accepted in a request body. */
export const VALIDATE_BODY_LIMIT = '20mb';

export function validateRouter(ctx: RouteContext): Router {
  const r = Router();
  r.post('/api/jurisdictions/:jcode/validate', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const body = req.body as Partial<GridLayer> | undefined;
    if (!body || body.type !== 'FeatureCollection' || !Array.isArray(body.features)) {
      throw new WanggeError('bad_request', 'the body must be a GeoJSON FeatureCollection of grids', { parameter: 'body' });
    }
    if (!(await jurisdictionExists(ctx.db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    res.json(await validate(ctx.db, body as GridLayer, { jcode }));
  });
  r.post('/api/jurisdictions/:jcode/repair', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const body = req.body as Partial<GridLayer> | undefined;
    if (!body || body.type !== 'FeatureCollection' || !Array.isArray(body.features)) {
      throw new WanggeError('bad_request', 'the body must be a GeoJSON FeatureCollection of grids', { parameter: 'body' });
    }
    if (!(await jurisdictionExists(ctx.db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    res.json(await repair(ctx.db, body as GridLayer, { jcode }));
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
    if (!(await jurisdictionExists(ctx.db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    const input = (layers as OverlayLayerInput[]).map((l) => ({ name: l.name, file: `${l.name}`, features: l.features }));
    const job = ctx.jobs.submit('merge', jcode, { min, max, seed, layers: input.map((l) => l.name) }, async (progress) => {
      const m = await mergeOverlays(ctx.db, { jcode, min, max, seed, progress }, input);
      return { planId: m.summary.planId, summary: m.summary, fidelity: m.fidelity, crosswalk: m.crosswalk, roster: m.roster, conflicts: m.conflicts };
    });
    res.status(202).set('Location', `/api/jobs/${job.id}`).json(job);
  });
  r.post('/api/jurisdictions/:jcode/plans/:planId/validate', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const p = await requirePlan(ctx.db, jcode, idParam(req.params.planId, 'planId'));
    const layer = await planFeatureCollection(ctx.db, jcode, p.id);
    res.json(await validate(ctx.db, layer as unknown as GridLayer, { jcode }));
  });
  return r;
}

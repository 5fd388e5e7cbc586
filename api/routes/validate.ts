/**
 * Validation of grid layers (spatial/validate): POST /api/jurisdictions/{jcode}/validate with a GeoJSON
 * FeatureCollection of grids (FORMAT.md) as the body, or POST /api/jurisdictions/{jcode}/plans/{planId}/validate
 * for a stored plan. Both answer the report {ok, summary, issues[]} (issues carry geometry to draw).
 * Repair and merge of uploaded layers are not wired yet (their modules are not in this build).
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { validate, type GridLayer } from '../../spatial/validate/index.ts';
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
  r.post('/api/jurisdictions/:jcode/plans/:planId/validate', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const p = await requirePlan(ctx.db, jcode, idParam(req.params.planId, 'planId'));
    const layer = await planFeatureCollection(ctx.db, jcode, p.id);
    res.json(await validate(ctx.db, layer as unknown as GridLayer, { jcode }));
  });
  return r;
}

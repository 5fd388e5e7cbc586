/**
 * GET /api/layers/{layer}.geojson?jcode=&bbox=&limit=: one map layer of one jurisdiction as GeoJSON
 * (grids: those of the published plan; an empty FeatureCollection when none is published).
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { isLayerName, LAYER_NAMES, readLayer } from '../repos/layers.ts';
import { jurisdictionExists } from '../repos/jurisdictions.ts';
import { bboxParam, jcodeParam, limitParam } from './query-params.ts';
import type { RouteContext } from './context.ts';

export const LAYER_LIMIT_DEFAULT = 50_000;
export const LAYER_LIMIT_MAX = 200_000;

export function layersRouter(ctx: RouteContext): Router {
  const r = Router();
  r.get('/api/layers/:layer.geojson', async (req, res) => {
    const layer = req.params.layer;
    if (!isLayerName(layer)) {
      throw new WanggeError('bad_request', `unknown layer ${JSON.stringify(layer.slice(0, 40))}; layers: ${LAYER_NAMES.join(', ')}`, { parameter: 'layer' });
    }
    const q = req.query as Record<string, unknown>;
    const jcode = jcodeParam(q);
    const bbox = bboxParam(q);
    const limit = limitParam(q, LAYER_LIMIT_DEFAULT, LAYER_LIMIT_MAX);
    if (!(await jurisdictionExists(ctx.db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    const ans = await readLayer(ctx.db, layer, { jcode, bbox, limit });
    res.set('Cache-Control', 'no-cache').type('application/geo+json').send(ans.json);
  });
  return r;
}

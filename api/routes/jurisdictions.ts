/** GET /api/jurisdictions (the forest of loaded jurisdictions) and GET /api/jurisdictions/{jcode}. */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { getJurisdiction, listJurisdictions } from '../repos/jurisdictions.ts';
import { jcodeParam } from './query-params.ts';
import type { RouteContext } from './context.ts';

export function jurisdictionsRouter(ctx: RouteContext): Router {
  const r = Router();
  r.get('/api/jurisdictions', async (_req, res) => {
    res.json({ jurisdictions: await listJurisdictions(ctx.db) });
  });
  r.get('/api/jurisdictions/:jcode', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const j = await getJurisdiction(ctx.db, jcode);
    if (!j) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    res.json(j);
  });
  return r;
}

/**
 * GET /api/jurisdictions/{jcode}/wall-figures?day=YYYY-MM-DD&expected=2: the wall screen's key figures and
 * per-grid patrol compliance (api/repos/wall-figures.ts). Aggregates only, so the wall needs no login; an
 * account limited to another jurisdiction is refused (403), as for the other jurisdiction-wide aggregates.
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { jurisdictionExists } from '../repos/jurisdictions.ts';
import { EXPECTED_PATROLS_PER_DAY, wallFigures } from '../repos/wall-figures.ts';
import { userOf } from '../request-user.ts';
import { dayParam, intValue, jcodeParam, optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';

/** Most patrols a grid can be expected to get in a day (a sanity bound on `expected`). */
export const EXPECTED_PATROLS_MAX = 48;

export function wallFiguresRouter(ctx: RouteContext): Router {
  const r = Router();
  r.get('/api/jurisdictions/:jcode/wall-figures', async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const day = dayParam(req.query);
    const expected = intValue(optionalString(req.query, 'expected'), 'expected', EXPECTED_PATROLS_PER_DAY, 1, EXPECTED_PATROLS_MAX);
    const user = userOf(res);
    if (user && user.jcode !== null && user.jcode !== jcode) throw new WanggeError('forbidden', `this account works in ${user.jcode} only`, { parameter: 'jcode' });
    if (!(await jurisdictionExists(ctx.db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    res.set('Cache-Control', 'no-cache').json(await wallFigures(ctx.db, jcode, day, expected));
  });
  return r;
}

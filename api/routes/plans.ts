/**
 * Plans of a jurisdiction, all under /api/jurisdictions/{jcode}/plans:
 *   GET    …/plans                         list (newest first)
 *   POST   …/plans                         start a partition job {min, max, seed, name} → 202 + Location of the job
 *   GET    …/plans/{planId}                one plan; ETag "<version>"
 *   GET    …/plans/{planId}/grids.geojson  its grids;  GET …/blocks.geojson  its blocks (what edits move)
 *   GET    …/plans/{planId}/export.{geojson|gpkg|shp.zip|kml}  its grids as a file to download
 *   GET    …/plans/{planId}/diff?against=  blocks and households that changed grid from plan `against`
 *   POST   …/plans/{planId}/edits          {op: move|split|merge, …} with If-Match: "<version>" (drafts only)
 *   POST   …/plans/{planId}/copy           a new draft copy of the plan
 *   POST   …/plans/{planId}/publish        publish (If-Match optional)
 * A draft is read, diffed and exported only with an account of its jurisdiction (401 without one, 403 with another),
 * and others list the published and archived plans only (api/auth/personal-data.ts); DRAFTS_REQUIRE_LOGIN=0 opens
 * drafts to everyone as before (a trusted single-user setup).
 */
import { Router, type Request, type Response } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { partitionJurisdiction, publishPlan } from '../../spatial/partition/index.ts';
import { jurisdictionExists } from '../repos/jurisdictions.ts';
import { copyPlan, diffPlans, listPlans, planBlocksGeoJson, planGridsGeoJson, requirePlan, type PlanInfo } from '../repos/plans.ts';
import { editPlan, parseEdit } from '../repos/plan-edits.ts';
import { EXPORT_FORMATS, EXPORT_TYPES, exportFilename, exportPlan, isExportFormat } from '../export/plan-export.ts';
import { idParam, ifMatchVersion, intValue, jcodeParam } from './query-params.ts';
import { jobLinks } from './jobs.ts';
import type { RouteContext } from './context.ts';
import { userOf } from '../request-user.ts';
import { seesPlan } from '../auth/personal-data.ts';
import { requirePlanReader } from '../auth/require-user.ts';
import type { AuthConfig } from '../auth/auth-config.ts';

const BASE = '/api/jurisdictions/:jcode/plans';

export function planLinks(p: { jcode: string; id: number }): Record<string, string> {
  const self = `/api/jurisdictions/${p.jcode}/plans/${p.id}`;
  return { self, grids: `${self}/grids.geojson`, blocks: `${self}/blocks.geojson`, edits: `${self}/edits`, publish: `${self}/publish`, copy: `${self}/copy` };
}

function sendPlan(res: Response, p: PlanInfo, status = 200): void {
  res.status(status).set('ETag', `"${p.version}"`).set('Cache-Control', 'no-cache').json({ ...p, links: planLinks(p) });
}

export function plansRouter(ctx: RouteContext, auth: Pick<AuthConfig, 'draftsRequireLogin'> = { draftsRequireLogin: true }): Router {
  const r = Router();
  const { db } = ctx;

  /** The plan if the request's user may read it, else 401 (anonymous) or 403 (an account of another jurisdiction). */
  const visible = (res: Response, p: PlanInfo): PlanInfo => requirePlanReader(res, p, auth.draftsRequireLogin);

  const jurisdiction = async (req: Request): Promise<string> => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    if (!(await jurisdictionExists(db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    return jcode;
  };
  const plan = async (req: Request, res: Response): Promise<PlanInfo> => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    return visible(res, await requirePlan(db, jcode, idParam(req.params.planId, 'planId')));
  };

  r.get(BASE, async (req, res) => {
    const jcode = await jurisdiction(req);
    const user = userOf(res);
    const plans = (await listPlans(db, jcode)).filter((p) => !auth.draftsRequireLogin || seesPlan(user, jcode, p.status));
    // the list depends on who asks when drafts are kept to accounts
    if (auth.draftsRequireLogin) res.set('Vary', 'Authorization');
    res.set('Cache-Control', 'no-cache').json({ jcode, plans: plans.map((p) => ({ ...p, links: planLinks(p) })) });
  });

  r.post(BASE, async (req, res) => {
    const jcode = await jurisdiction(req);
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b !== 'object' || Array.isArray(b)) throw new WanggeError('bad_request', 'the body must be a JSON object {min, max, seed, name}', { parameter: 'body' });
    const min = intValue(b.min, 'min', 400, 1, 1_000_000);
    const max = intValue(b.max, 'max', 600, 1, 1_000_000);
    if (min > max) throw new WanggeError('bad_request', `min ${min} is above max ${max}`, { parameter: 'min' });
    const seed = intValue(b.seed, 'seed', 1, 0, 2 ** 31 - 1);
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200)) {
      throw new WanggeError('bad_request', 'name must be a text of 1 to 200 characters', { parameter: 'name' });
    }
    const name = typeof b.name === 'string' ? b.name.trim() : undefined;
    const job = ctx.jobs.submit('partition', jcode, { min, max, seed, ...(name ? { name } : {}) },
      async (progress) => {
        const s = await partitionJurisdiction(db, { jcode, min, max, seed, name, progress });
        return { ...s, links: planLinks({ jcode, id: s.planId }) };
      });
    res.status(202).set('Location', `/api/jobs/${job.id}`).json({ ...job, links: jobLinks(job.id) });
  });

  r.get(`${BASE}/:planId`, async (req, res) => {
    sendPlan(res, await plan(req, res));
  });

  r.get(`${BASE}/:planId/grids.geojson`, async (req, res) => {
    const p = await plan(req, res);
    const body = await planGridsGeoJson(db, p.jcode, p.id);
    res.set('ETag', `"${p.id}.${p.version}.grids"`).set('Cache-Control', 'no-cache').type('application/geo+json').send(body);
  });

  r.get(`${BASE}/:planId/blocks.geojson`, async (req, res) => {
    const p = await plan(req, res);
    const body = await planBlocksGeoJson(db, p.jcode, p.id);
    res.set('ETag', `"${p.id}.${p.version}.blocks"`).set('Cache-Control', 'no-cache').type('application/geo+json').send(body);
  });

  r.get(`${BASE}/:planId/export.:format`, async (req, res) => {
    const p = await plan(req, res);
    const format = req.params.format;
    if (!isExportFormat(format)) throw new WanggeError('not_found', `no export format ${JSON.stringify(format)} (formats: ${EXPORT_FORMATS.join(', ')})`, { parameter: 'format' });
    // an export names its plan's version: written once per version and kept (an open, heavy answer of a published plan)
    const etag = `"${p.id}.${p.version}.${format}"`;
    const body = await ctx.answers.get(`export:${p.jcode}:${etag}`, async () => (await exportPlan(db, p.jcode, p.id, format, p.name)).body);
    res.set('ETag', etag).set('Cache-Control', 'no-cache').attachment(exportFilename(p.jcode, p.id, format)).type(EXPORT_TYPES[format]).send(body);
  });

  r.get(`${BASE}/:planId/diff`, async (req, res) => {
    const p = await plan(req, res);
    const against = idParam(req.query.against, 'against');
    visible(res, await requirePlan(db, p.jcode, against, 'against'));
    res.set('Cache-Control', 'no-cache').json(await diffPlans(db, p.jcode, p.id, against));
  });

  r.post(`${BASE}/:planId/edits`, async (req, res) => {
    const jcode = jcodeParam({ jcode: req.params.jcode });
    const planId = idParam(req.params.planId, 'planId');
    const expected = ifMatchVersion(req.get('If-Match'))!;
    const edit = parseEdit(req.body);
    const result = await editPlan(db, jcode, planId, expected, edit);
    ctx.layerVersions.invalidate();
    res.set('ETag', `"${result.version}"`).json({ ...result, links: planLinks({ jcode, id: planId }) });
  });

  r.post(`${BASE}/:planId/copy`, async (req, res) => {
    const p = await plan(req, res);
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (b.name !== undefined && (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200)) {
      throw new WanggeError('bad_request', 'name must be a text of 1 to 200 characters', { parameter: 'name' });
    }
    const id = await copyPlan(db, p.jcode, p.id, typeof b.name === 'string' ? b.name.trim() : undefined);
    const copy = await requirePlan(db, p.jcode, id);
    res.set('Location', planLinks(copy).self);
    sendPlan(res, copy, 201);
  });

  r.post(`${BASE}/:planId/publish`, async (req, res) => {
    const p = await plan(req, res);
    const expected = ifMatchVersion(req.get('If-Match'), false);
    if (expected !== undefined && expected !== p.version) {
      throw new WanggeError('precondition_failed', `plan ${p.id} is at version ${p.version}, not ${expected}`, { parameter: 'If-Match' });
    }
    await publishPlan(db, p.jcode, p.id);
    ctx.layerVersions.invalidate();
    sendPlan(res, await requirePlan(db, p.jcode, p.id));
  });

  return r;
}

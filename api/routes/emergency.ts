/**
 * Emergency rosters (issue 14): from a hazard area to who must move, who moves them, where to, and who is still there.
 * Thin: parse (zod), authorise, call domain/emergency, shape, audit.
 *
 *   POST /api/emergency/rosters                         commanders, admins: {name, kind, level?, deadline, area} → 201 {id}; instead of
 *                                                       `area`: grids, communities, riverBufferM or hazards {kind?, bufferM} (+ jcode)
 *   POST /api/emergency/attributes[?jcode=]             dangerous houses and needs from CSV/.xlsx (multipart `file`), all or nothing
 *   GET  /api/emergency/rosters                         the rosters of the account's jurisdiction (no people)
 *   GET  /api/emergency/rosters/{id}                    counts: households, residents, vulnerable, by_grid[], by_community[], shelters[]
 *   GET  /api/emergency/rosters/{id}/people[?grid=]     the people, scoped and masked by role
 *   GET  /api/emergency/rosters/{id}.xlsx               totals, shelters and (when the role sees people) the list
 *   GET  /api/emergency/rosters/{id}/grids/{code}.pdf   one grid's printable sheet: map, staff, list to tick by hand
 *   POST /api/emergency/rosters/{id}/ticks              {residentId, status, note?, at?} → 201 (append-only)
 *   GET  /api/emergency/rosters/{id}/ticks/{residentId} a person's ticks, oldest first
 *   GET  /api/emergency/rosters/{id}/live               Server-Sent Events: `progress` (counts per grid and shelter) now and after every tick
 *
 * Scope: a grid worker sees and ticks their own grids only (another grid: 403), a commander the whole area (people
 * masked as residents are), an admin in full, a planner counts only (people, lists and sheets: 403). Every read and
 * change, and every refusal, goes to the hash-chained audit log.
 */
import { EventEmitter } from 'node:events';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { problem, PROBLEM_CONTENT_TYPE } from '../errors.ts';
import { WanggeError } from '../../spatial/errors.ts';
import { areaFromData, buildRoster, HAZARD_KINDS, jurisdictionOfArea, WARNING_LEVELS, type NewRoster } from '../../domain/emergency/build-roster.ts';
import { importAttributes } from '../../domain/emergency/attributes-import.ts';
import {
  addTick, getRosterArea, responsibleStaff, rosterPeople, rosterSummary, ticksOf, TICK_STATUSES, type RosterArea, type RosterPerson,
} from '../../domain/emergency/roster-repository.ts';
import { rosterXlsx } from '../../domain/emergency/roster-xlsx.ts';
import { gridRosterPdf } from '../../domain/emergency/roster-pdf.ts';
import { gridRoutes } from '../../domain/emergency/grid-routes.ts';
import { systemClock, type Clock } from '../../domain/events/clock.ts';
import { requireRole, requireUser } from '../auth/require-user.ts';
import { maskIdNumber, maskName, maskPhone } from '../auth/masking.ts';
import type { AuthUser } from '../auth/roles.ts';
import { idParam } from './query-params.ts';
import type { RouteContext } from './context.ts';
import { actorOf, auditEvent, parseWith } from './events-shared.ts';

const BASE = '/api/emergency/rosters';
const ring = z.array(z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).rest(z.number())).min(4).max(100_000);
const Area = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1).max(1000) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1).max(1000)).min(1).max(1000) }),
]);
const code = z.string().regex(/^[0-9A-Za-z_-]{1,40}$/);
export const NewRosterBody = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(HAZARD_KINDS),
  level: z.enum(WARNING_LEVELS).optional(),
  deadline: z.string().datetime({ offset: true }).transform((s) => new Date(s)),
  area: Area.optional(),
  // or an area made from the data (needs the jurisdiction: the account's, or `jcode`)
  jcode: z.string().regex(/^\d{12}$/).optional(),
  grids: z.array(code).min(1).max(5000).optional(),
  communities: z.array(code).min(1).max(1000).optional(),
  riverBufferM: z.number().positive().max(5000).optional(),
  hazards: z.object({ kind: z.string().max(40).optional(), bufferM: z.number().positive().max(5000) }).optional(),
}).refine((b) => b.area !== undefined || b.grids || b.communities || b.riverBufferM || b.hazards,
  { message: 'a GeoJSON Polygon or MultiPolygon, or grids, communities, riverBufferM or hazards to make one', path: ['area'] });
export const TickBody = z.object({
  residentId: z.number().int().positive(),
  status: z.enum(TICK_STATUSES),
  note: z.string().trim().max(500).optional(),
  at: z.string().datetime({ offset: true }).transform((s) => new Date(s)).optional(),
});
const GridQuery = z.object({ grid: z.string().regex(/^[0-9A-Za-z_-]{1,40}$/).optional() });
const PEOPLE_ROLES = ['admin', 'commander', 'grid_worker'] as const;

/** A person as `user` may see them: in full (admins, the grid's own workers), masked (commanders). */
function personFor(user: AuthUser, p: RosterPerson): RosterPerson {
  if (user.role !== 'commander') return p;
  return { ...p, name: maskName(p.name), idNumber: maskIdNumber(p.idNumber), phone: maskPhone(p.phone), birthDate: p.birthDate === null ? null : `${p.birthDate.slice(0, 4)}-**-**` };
}

export function emergencyRouter(ctx: RouteContext, deps: { clock?: Clock } = {}): Router {
  const r = Router();
  const clock = deps.clock ?? systemClock;
  const feed = new EventEmitter();
  feed.setMaxListeners(0);
  const commanders: RequestHandler = (_req, res, next) => { requireRole(res, ['admin', 'commander']); next(); };
  const tickers: RequestHandler = (_req, res, next) => { requireRole(res, PEOPLE_ROLES); next(); };
  const audit = (req: Request, user: AuthUser, jcode: string | null, action: string, route: string, grid: string | null, outcome: 'ok' | 'denied', ids: number[]) =>
    auditEvent(ctx, req, user, jcode ?? '', action, route, grid, outcome, ids);

  /** The roster of the path, if `user` may read it (another jurisdiction's account: 403, audited). */
  const rosterOf = async (req: Request, user: AuthUser, route: string): Promise<RosterArea> => {
    const id = idParam(req.params.id, 'id');
    const area = await getRosterArea(ctx.db, id);
    if (!area) throw new WanggeError('not_found', `no roster ${id}`, { parameter: 'id' });
    if (user.jcode !== null && user.jcode !== area.jcode) {
      await audit(req, user, area.jcode, `roster ${id} read`, route, null, 'denied', [id]);
      throw new WanggeError('forbidden', `roster ${id} is of ${area.jcode}; this account works in ${user.jcode} only`, { parameter: 'id' });
    }
    return area;
  };
  /** A grid worker may name only their own grids (403 otherwise, audited). */
  const checkGrid = async (req: Request, user: AuthUser, area: RosterArea, grid: string | undefined, route: string): Promise<void> => {
    if (grid === undefined || user.role !== 'grid_worker' || user.grids.includes(grid)) return;
    await audit(req, user, area.jcode, `roster ${area.id} grid ${grid}`, route, grid, 'denied', [area.id]);
    throw new WanggeError('forbidden', `grid ${grid} is not one of this account's grids`, { parameter: 'grid', gridCode: grid });
  };
  const peopleOnly = async (req: Request, res: Response, route: string): Promise<{ user: AuthUser; area: RosterArea }> => {
    const user = requireUser(res);
    const area = await rosterOf(req, user, route);
    if (!(PEOPLE_ROLES as readonly string[]).includes(user.role)) {
      await audit(req, user, area.jcode, `roster ${area.id} people`, route, null, 'denied', [area.id]);
      throw new WanggeError('forbidden', `the ${user.role} role sees the roster's counts, not its people`, { parameter: 'role' });
    }
    return { user, area };
  };

  r.post(BASE, commanders, async (req, res) => {
    const user = requireRole(res, ['admin', 'commander']);
    const body = parseWith(NewRosterBody, req.body ?? {});
    const fromData = async (): Promise<{ jcode: string; area: NewRoster['area'] }> => {
      const jcode = user.jcode ?? body.jcode;
      if (!jcode) throw new WanggeError('bad_request', 'this account has no jurisdiction: give `jcode` with grids, communities, riverBufferM or hazards', { parameter: 'jcode' });
      if (body.jcode !== undefined && body.jcode !== jcode) throw new WanggeError('forbidden', `this account works in ${jcode} only`, { parameter: 'jcode' });
      return { jcode, area: await areaFromData(ctx.db, jcode, body) };
    };
    const { jcode, area } = body.area ? { jcode: await jurisdictionOfArea(ctx.db, body.area, user.jcode), area: body.area } : await fromData();
    const { id } = await buildRoster(ctx.db, jcode, { name: body.name, kind: body.kind, level: body.level, deadline: body.deadline, area, createdBy: user.name });
    await audit(req, user, jcode, `roster ${id} create`, BASE, null, 'ok', [id]);
    res.status(201).location(`${BASE}/${id}`).json({ id });
  });

  const attributesFile = multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.uploadLimitBytes, files: 1 } }).single('file');
  r.post('/api/emergency/attributes', commanders, async (req, res) => {
    const route = '/api/emergency/attributes';
    const user = requireRole(res, ['admin', 'commander']);
    await new Promise<void>((resolve, reject) => attributesFile(req, res, (err: unknown) => (err
      ? reject((err as { code?: string }).code === 'LIMIT_FILE_SIZE' ? new WanggeError('too_large', 'the file is larger than UPLOAD_LIMIT_MB', { parameter: 'file' })
        : new WanggeError('bad_request', `bad upload: ${(err as Error).message}`, { parameter: 'file' }))
      : resolve())));
    const jcode = user.jcode ?? parseWith(z.object({ jcode: z.string().regex(/^\d{12}$/) }), req.query).jcode;
    const file = (req as { file?: Express.Multer.File }).file;
    if (!file) throw new WanggeError('bad_request', 'send the sheet as multipart/form-data field `file` (.csv or .xlsx)', { parameter: 'file' });
    const report = await importAttributes(ctx.db, jcode, file.buffer);
    await audit(req, user, jcode, report.ok ? `attributes import ${report.residents} residents, ${report.households} households` : `attributes import refused, ${report.errors.length} bad rows`,
      route, null, report.ok ? 'ok' : 'denied', []);
    if (!report.ok) {
      const e = report.errors[0];
      const p = problem('bad_file', `${report.errors.length} rows are bad; nothing was imported (first: row ${e.row}, ${e.field}: ${e.message})`, { parameter: 'file', line: e.row });
      res.status(p.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ ...p, report }));
      return;
    }
    res.json(report);
  });

  r.get(BASE, async (req, res) => {
    const user = requireUser(res);
    const rows = await ctx.db.selectFrom('hazard_areas').select(['id', 'jcode', 'name', 'kind', 'level', 'deadline', 'created_at'])
      .$if(user.jcode !== null, (q) => q.where('jcode', '=', user.jcode!)).orderBy('id', 'desc').limit(100).execute();
    res.set('Cache-Control', 'no-store').json({ rosters: rows.map((x) => ({ ...x, id: Number(x.id) })) });
  });

  r.get(`${BASE}/:id.xlsx`, async (req, res) => {
    const route = `${BASE}/{id}.xlsx`;
    const user = requireUser(res);
    const area = await rosterOf(req, user, route);
    const actor = actorOf(user);
    const now = clock.now();
    const summary = await rosterSummary(ctx.db, actor, area, now);
    const seesPeople = (PEOPLE_ROLES as readonly string[]).includes(user.role);
    const people = seesPeople ? (await rosterPeople(ctx.db, actor, area)).map((p) => personFor(user, p)) : null;
    const staff = await responsibleStaff(ctx.db, area.jcode, summary.by_grid.map((g) => g.grid_code ?? ''));
    const buf = await rosterXlsx(summary, people, staff);
    await audit(req, user, area.jcode, `roster ${area.id} xlsx`, route, null, 'ok', people ? people.map((p) => p.residentId) : [area.id]);
    res.set({ 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="roster-${area.id}.xlsx"` })
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(buf);
  });

  r.get(`${BASE}/:id`, async (req, res) => {
    const route = `${BASE}/{id}`;
    const user = requireUser(res);
    const area = await rosterOf(req, user, route);
    const summary = await rosterSummary(ctx.db, actorOf(user), area, clock.now());
    await audit(req, user, area.jcode, `roster ${area.id} read`, route, null, 'ok', [area.id]);
    res.set('Cache-Control', 'no-store').json({ ...summary, capacity_period: area.capacityPeriod, area: area.area, created_by: area.createdBy, created_at: area.createdAt });
  });

  r.get(`${BASE}/:id/people`, async (req, res) => {
    const route = `${BASE}/{id}/people`;
    const { user, area } = await peopleOnly(req, res, route);
    const { grid } = parseWith(GridQuery, req.query);
    await checkGrid(req, user, area, grid, route);
    const people = (await rosterPeople(ctx.db, actorOf(user), area, { grid })).map((p) => personFor(user, p));
    const staff = await responsibleStaff(ctx.db, area.jcode, [...new Set(people.map((p) => p.gridCode ?? ''))]);
    await audit(req, user, area.jcode, `roster ${area.id} people`, route, grid ?? null, 'ok', people.map((p) => p.residentId));
    res.set('Cache-Control', 'no-store').json({
      id: area.id, deadline: area.deadline, view: user.role === 'commander' ? 'masked' : 'full', total: people.length,
      staff: Object.fromEntries(staff), people,
    });
  });

  r.get(`${BASE}/:id/grids/:code.pdf`, async (req, res) => {
    const route = `${BASE}/{id}/grids/{code}.pdf`;
    const { user, area } = await peopleOnly(req, res, route);
    const grid = parseWith(z.object({ code: z.string().regex(/^[0-9A-Za-z_-]{1,40}$/) }), req.params).code;
    await checkGrid(req, user, area, grid, route);
    const people = (await rosterPeople(ctx.db, actorOf(user), area, { grid })).map((p) => personFor(user, p));
    const summary = await rosterSummary(ctx.db, actorOf(user), area, clock.now());
    const { gridGeom, routes } = await gridRoutes(ctx.db, area, grid, people);
    const shelterIds = new Set(people.map((p) => p.shelterId));
    const staff = (await responsibleStaff(ctx.db, area.jcode, [grid])).get(grid) ?? [];
    const pdf = await gridRosterPdf({
      rosterName: area.name, kind: area.kind, level: area.level, deadline: area.deadline, gridCode: grid, communityCode: summary.by_grid.find((g) => g.grid_code === grid)?.community_code ?? null,
      area: area.area as never, grid: gridGeom as never, people, shelters: summary.shelters.filter((s) => shelterIds.has(s.id)), routes, staff, printedAt: clock.now().toISOString(),
    });
    await audit(req, user, area.jcode, `roster ${area.id} pdf`, route, grid, 'ok', people.map((p) => p.residentId));
    res.set({ 'Cache-Control': 'no-store', 'Content-Disposition': `inline; filename="roster-${area.id}-${grid}.pdf"` }).type('application/pdf').send(pdf);
  });

  r.post(`${BASE}/:id/ticks`, tickers, async (req, res) => {
    const route = `${BASE}/{id}/ticks`;
    const user = requireRole(res, PEOPLE_ROLES);
    const area = await rosterOf(req, user, route);
    const body = parseWith(TickBody, req.body ?? {});
    try {
      const tick = await addTick(ctx.db, actorOf(user), area, body, clock.now());
      await audit(req, user, area.jcode, `roster ${area.id} tick ${body.status}`, route, tick.gridCode, 'ok', [body.residentId]);
      feed.emit('tick', area.id);
      res.status(201).json(tick);
    } catch (e) {
      if (e instanceof WanggeError) await audit(req, user, area.jcode, `roster ${area.id} tick ${body.status}`, route, null, 'denied', [body.residentId]);
      throw e;
    }
  });

  r.get(`${BASE}/:id/ticks/:residentId`, async (req, res) => {
    const route = `${BASE}/{id}/ticks/{residentId}`;
    const { user, area } = await peopleOnly(req, res, route);
    const residentId = idParam(req.params.residentId, 'residentId');
    const ticks = await ticksOf(ctx.db, actorOf(user), area, residentId);
    await audit(req, user, area.jcode, `roster ${area.id} ticks`, route, null, 'ok', [residentId]);
    res.set('Cache-Control', 'no-store').json({ residentId, ticks });
  });

  r.get(`${BASE}/:id/live`, async (req, res) => {
    const route = `${BASE}/{id}/live`;
    const user = requireUser(res);
    const area = await rosterOf(req, user, route);
    const actor = actorOf(user);
    await audit(req, user, area.jcode, `roster ${area.id} live`, route, null, 'ok', [area.id]);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    let closed = false;
    let pending: NodeJS.Timeout | null = null;
    const send = async () => {
      pending = null;
      if (closed) return;
      try {
        const s = await rosterSummary(ctx.db, actor, area, clock.now());
        if (!closed) res.write(`event: progress\ndata: ${JSON.stringify(s)}\n\n`);
      } catch (e) {
        ctx.log.warn({ err: e }, 'roster live progress failed');
      }
    };
    await send();
    // ticks come in bursts: one recount per half second at most
    const onTick = (id: number) => { if (id === area.id && !pending) pending = setTimeout(() => void send(), 500); };
    feed.on('tick', onTick);
    // the lights change with time too
    const beat = setInterval(() => { if (!pending) pending = setTimeout(() => void send(), 0); }, 30_000);
    req.on('close', () => {
      closed = true;
      clearInterval(beat);
      if (pending) clearTimeout(pending);
      feed.off('tick', onTick);
    });
  });
  return r;
}

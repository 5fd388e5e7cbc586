/**
 * Events and work orders for staff (issue 20). Thin: parse (zod), authorise, call domain/events, shape.
 *
 *   GET  /api/event-types                                   the two code tables (no login)
 *   POST /api/jurisdictions/{jcode}/events                  report (JSON, or multipart with `photo` files): grid workers, commanders, admins
 *   GET  /api/jurisdictions/{jcode}/events[.geojson]        list/filter/map (grid, light, stage, type, class, source, status, from, to, bbox)
 *   GET  /api/jurisdictions/{jcode}/events/{id}             one event with its history; the reporter by role; audited
 *   POST /api/jurisdictions/{jcode}/events/{id}/transitions {action, reason, note, to, mediation, rating, followUp}; audited
 *   POST /api/jurisdictions/{jcode}/events/{id}/photos      multipart `photo` (kind=report|result)
 *   GET  /api/jurisdictions/{jcode}/events/{id}/photos/{n}
 *   GET  /api/jurisdictions/{jcode}/event-board             一牌 per grid: open, green, yellow, red, closed, on time
 *   GET  /api/jurisdictions/{jcode}/event-hotspots          repeated places per grid (H3 cells)
 *   GET  /api/jurisdictions/{jcode}/events-live             Server-Sent Events of changed events (no personal data; the wall screen)
 *   GET  /api/jurisdictions/{jcode}/event-figures           per grid / community / street and period: by class, on-time rate, mean
 *                                                           hours per stage, hotspots (H3); ?format=json|csv|xlsx
 *   POST /api/jurisdictions/{jcode}/hotline-imports         12345 orders from CSV or .xlsx (multipart `file`): all or nothing, bad rows
 *                                                           reported with their row number, idempotent by order number (admins, commanders)
 *   GET  /api/jurisdictions/{jcode}/event-type-settings     every type's deadline, yellow share and result-photo rule in force here
 *   PUT  /api/jurisdictions/{jcode}/event-type-settings/{typeCode}  the jurisdiction's own values (null: the code table's); admins; audited.
 *                                                           Events reported afterwards follow them (an event's deadline is fixed when reported)
 * Scope as residents: a grid worker sees and acts on the events of their own grids of their own jurisdiction only
 * (the data layer and row-level security); planners see events without reporters; every account of another
 * jurisdiction gets 403.
 */
import { Router, type RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { WanggeError } from '../../spatial/errors.ts';
import { EVENT_CLASSES, EVENT_TYPES } from '../../domain/events/event-codes.ts';
import {
  addPhoto, createEvent, eventHistory, EVENT_SOURCES, getEvent, listEvents, listTypeSettings, readPhoto, requireType, setTypeSettings, transitionEvent,
  TransitionRefused, type EventRecord,
} from '../../domain/events/event-repository.ts';
import { eventBoard, eventHotspots } from '../../domain/events/event-board.ts';
import { LIGHTS } from '../../domain/events/lights.ts';
import { importHotline } from '../../domain/events/hotline-import.ts';
import { eventFigures, FIGURE_LEVELS, type FigureLevel } from '../../domain/events/event-figures.ts';
import { figuresCsv, figuresXlsx } from '../../domain/events/figures-export.ts';
import { problem, PROBLEM_CONTENT_TYPE } from '../errors.ts';
import { ACTIONS, STAGES } from '../../domain/events/workflow.ts';
import { requireRole, requireUser } from '../auth/require-user.ts';
import type { AuthUser } from '../auth/roles.ts';
import { bboxParam, idParam, jcodeParam } from './query-params.ts';
import { jurisdictionExists } from '../repos/jurisdictions.ts';
import type { RouteContext } from './context.ts';
import { actorOf, auditEvent, liveOf, parseWith, photoUpload, reporterView, type EventsDeps } from './events-shared.ts';

const BASE = '/api/jurisdictions/:jcode';
const REPORTERS = ['admin', 'commander', 'grid_worker'] as const;

const crsSchema = z.enum(['wgs84', 'gcj02', 'bd09']).default('wgs84');
const num = z.coerce.number().refine(Number.isFinite, 'a number');

export const NewEventBody = z.object({
  typeCode: z.string().regex(/^\d{5}$/, 'a 5-digit type code'),
  description: z.string().trim().min(1).max(4000),
  source: z.enum(EVENT_SOURCES as [string, ...string[]]).optional(),
  priority: z.enum(['normal', 'urgent']).optional(),
  lon: num.optional(), lat: num.optional(), crs: crsSchema,
  address: z.string().trim().min(2).max(200).optional(),
  reporterName: z.string().trim().max(40).optional(), reporterPhone: z.string().trim().max(20).optional(),
}).refine((b) => (b.lon === undefined) === (b.lat === undefined), { message: 'lon and lat go together', path: ['lat'] })
  .refine((b) => b.lon !== undefined || b.address !== undefined, { message: 'a position (lon, lat) or an address', path: ['lat'] });

export const TransitionBody = z.object({
  action: z.enum(ACTIONS),
  reason: z.string().trim().max(1000).optional(),
  note: z.string().trim().max(1000).optional(),
  to: z.object({ kind: z.enum(['department', 'grid_worker']), name: z.string().trim().min(1).max(60) }).optional(),
  mediation: z.object({ outcome: z.enum(['agreement', 'referral']), referredTo: z.string().trim().max(100).optional() }).optional(),
  rating: z.number().int().min(1).max(5).optional(),
  followUp: z.string().trim().max(1000).optional(),
});

/** A type's own settings in a jurisdiction; null (or left out) goes back to the code table's value. */
export const TypeSettingsBody = z.object({
  deadlineHours: z.number().positive().max(24 * 366).nullable().optional(),
  yellowShare: z.number().gt(0).lt(1).nullable().optional(),
  resultPhotoRequired: z.boolean().nullable().optional(),
}).strict();

const ListQuery = z.object({
  grid: z.string().regex(/^[0-9A-Za-z_-]{1,40}$/).optional(),
  light: z.enum(LIGHTS as [string, ...string[]]).optional(),
  stage: z.enum(STAGES).optional(),
  type: z.string().regex(/^\d{5}$/).optional(),
  class: z.string().regex(/^\d{2}$/).optional(),
  source: z.enum(EVENT_SOURCES as [string, ...string[]]).optional(),
  status: z.enum(['open', 'closed']).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
});

/** The jurisdiction of the path, checked against the account's own and against those loaded. */
async function jurisdictionOf(db: RouteContext['db'], user: AuthUser, params: Record<string, any>): Promise<string> {
  const jcode = jcodeParam(params);
  if (user.jcode !== null && user.jcode !== jcode) throw new WanggeError('forbidden', `this account works in ${user.jcode} only`, { parameter: 'jcode' });
  if (!(await jurisdictionExists(db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
  return jcode;
}

/** An event as the list shows it to `user` (the list never carries the reporter). */
function shown(user: AuthUser, e: EventRecord): EventRecord {
  const { reporter: _reporter, ...rest } = e;
  const reporter = reporterView(user, e);
  return reporter ? { ...rest, reporter } : rest;
}

export function eventsRouter(ctx: RouteContext, deps: EventsDeps): Router {
  const r = Router();
  const photos = photoUpload(['photo']);
  // sign-in and role before any body is read (the write guard of these routes)
  const reporters: RequestHandler = (_req, res, next) => { requireRole(res, REPORTERS); next(); };
  const staff: RequestHandler = (_req, res, next) => { requireUser(res); next(); };
  const commandCentre: RequestHandler = (_req, res, next) => { requireRole(res, ['admin', 'commander']); next(); };

  r.get('/api/event-types', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').json({ classes: EVENT_CLASSES, types: EVENT_TYPES });
  });

  r.post(`${BASE}/events`, reporters, async (req, res) => {
    const user = requireRole(res, REPORTERS);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const files = await photos(req, res);
    const body = parseWith(NewEventBody, req.body ?? {});
    const now = deps.clock.now();
    const { event } = await createEvent(ctx.db, {
      typeCode: body.typeCode, description: body.description, priority: body.priority,
      source: (body.source as EventRecord['source'] | undefined) ?? (user.role === 'grid_worker' ? 'patrol' : 'other'),
      point: body.lon !== undefined && body.lat !== undefined ? { lon: body.lon, lat: body.lat, crs: body.crs } : undefined,
      address: body.address, reporter: { name: body.reporterName, phone: body.reporterPhone }, reportedBy: user.name,
    }, now, { jcode, actor: { name: user.name, role: user.role } });
    await auditEvent(ctx, req, user, jcode, 'event report', '/api/jurisdictions/{jcode}/events', event.gridCode, 'ok', [event.id]);
    for (const f of files) await addPhoto(ctx.db, jcode, event.id, 'report', f, now);
    const saved = files.length ? { ...event, photos: event.photos + files.length } : event;
    deps.feed.publish(saved);
    res.status(201).location(`/api/jurisdictions/${jcode}/events/${event.id}`).json(shown(user, saved));
  });

  const list: RequestHandler = async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const q = parseWith(ListQuery, req.query);
    const bbox = bboxParam(req.query as Record<string, string>);
    const now = deps.clock.now();
    const { total, totalExact, events } = await listEvents(ctx.db, actorOf(user), jcode, {
      grid: q.grid, light: q.light as 'green' | 'yellow' | 'red' | undefined, stage: q.stage, typeCode: q.type, classCode: q.class,
      source: q.source as EventRecord['source'] | undefined, status: q.status, from: q.from, to: q.to,
      bbox: bbox ? [bbox[0], bbox[1], bbox[2], bbox[3]] : undefined, limit: q.limit, offset: q.offset,
    }, now);
    res.set('Cache-Control', 'no-store');
    if (req.path.endsWith('.geojson')) {
      res.type('application/geo+json').send(JSON.stringify({
        type: 'FeatureCollection', numberMatched: total, totalExact,
        features: events.filter((e) => e.lon !== null).map((e) => ({ type: 'Feature', id: e.id, geometry: { type: 'Point', coordinates: [e.lon, e.lat] }, properties: shown(user, e) })),
      }));
      return;
    }
    res.json({ jcode, at: now.toISOString(), total, totalExact, events: events.map((e) => shown(user, e)) });
  };
  r.get(`${BASE}/events`, list);
  r.get(`${BASE}/events.geojson`, list);

  r.get(`${BASE}/events/:id`, async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const id = idParam(req.params.id, 'id');
    const now = deps.clock.now();
    const actor = actorOf(user);
    const event = await getEvent(ctx.db, actor, jcode, id, now);
    if (!event) {
      await auditEvent(ctx, req, user, jcode, 'read event', '/api/jurisdictions/{jcode}/events/{id}', null, 'denied', [id]);
      throw new WanggeError('not_found', `no event ${id} in ${jcode} that this account may see`, { parameter: 'id' });
    }
    const out = shown(user, event);
    if (out.reporter) await auditEvent(ctx, req, user, jcode, 'read event', '/api/jurisdictions/{jcode}/events/{id}', event.gridCode, 'ok', [id]);
    res.set('Cache-Control', 'no-store').json({ ...out, history: await eventHistory(ctx.db, actor, jcode, id) });
  });

  r.post(`${BASE}/events/:id/transitions`, staff, async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const id = idParam(req.params.id, 'id');
    const body = parseWith(TransitionBody, req.body ?? {});
    const route = '/api/jurisdictions/{jcode}/events/{id}/transitions';
    try {
      const done = await transitionEvent(ctx.db, actorOf(user), jcode, id, body, deps.clock.now());
      await auditEvent(ctx, req, user, jcode, `event ${done.action} ${done.from}→${done.to}`, route, done.event.gridCode, 'ok', [id]);
      deps.feed.publish(done.event);
      res.json({ from: done.from, to: done.to, event: shown(user, done.event) });
    } catch (e) {
      if (e instanceof TransitionRefused || (e instanceof WanggeError && e.code === 'not_found')) {
        await auditEvent(ctx, req, user, jcode, `event ${body.action}`, route, null, 'denied', [id]);
      }
      throw e;
    }
  });

  r.post(`${BASE}/events/:id/photos`, reporters, async (req, res) => {
    const user = requireRole(res, REPORTERS);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const id = idParam(req.params.id, 'id');
    const now = deps.clock.now();
    if (!(await getEvent(ctx.db, actorOf(user), jcode, id, now))) throw new WanggeError('not_found', `no event ${id} in ${jcode} that this account may see`, { parameter: 'id' });
    const files = await photos(req, res);
    if (files.length === 0) throw new WanggeError('bad_request', 'send the photo as multipart/form-data field `photo`', { parameter: 'photo' });
    const kind = (req.body as { kind?: string } | undefined)?.kind === 'result' ? 'result' : 'report';
    const numbers: number[] = [];
    for (const f of files) numbers.push(await addPhoto(ctx.db, jcode, id, kind, f, now));
    res.status(201).json({ kind, photos: numbers.map((n) => `/api/jurisdictions/${jcode}/events/${id}/photos/${n}`) });
  });

  r.get(`${BASE}/events/:id/photos/:n`, async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const id = idParam(req.params.id, 'id');
    if (!(await getEvent(ctx.db, actorOf(user), jcode, id, deps.clock.now()))) throw new WanggeError('not_found', `no event ${id} in ${jcode} that this account may see`, { parameter: 'id' });
    const photo = await readPhoto(ctx.db, jcode, id, idParam(req.params.n, 'n'));
    if (!photo) throw new WanggeError('not_found', `event ${id} has no photo ${req.params.n}`, { parameter: 'n' });
    res.set('Cache-Control', 'private, max-age=3600').type(photo.mime).send(photo.bytes);
  });

  r.get(`${BASE}/event-board`, async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const grid = parseWith(ListQuery.pick({ grid: true }), req.query).grid;
    const now = deps.clock.now();
    res.set('Cache-Control', 'no-store').json({ jcode, at: now.toISOString(), grids: await eventBoard(ctx.db, actorOf(user), jcode, now, grid) });
  });

  r.get(`${BASE}/event-hotspots`, async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const grid = parseWith(ListQuery.pick({ grid: true }), req.query).grid;
    const now = deps.clock.now();
    res.set('Cache-Control', 'no-store').json({ jcode, at: now.toISOString(), hotspots: await eventHotspots(ctx.db, actorOf(user), jcode, now, grid) });
  });

  const FiguresQuery = z.object({
    by: z.enum(FIGURE_LEVELS as [FigureLevel, ...FigureLevel[]]).default('grid'),
    from: z.coerce.date().optional(), to: z.coerce.date().optional(), format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  });
  r.get(`${BASE}/event-figures`, async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const q = parseWith(FiguresQuery, req.query);
    const now = deps.clock.now();
    const to = q.to ?? now;
    const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
    if (from > to) throw new WanggeError('bad_request', 'from is after to', { parameter: 'from' });
    const f = await eventFigures(ctx.db, actorOf(user), jcode, q.by, from, to, now);
    res.set('Cache-Control', 'no-store');
    const name = `events-${jcode}-${q.by}-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}`;
    if (q.format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`${name}.csv`).send(figuresCsv(f));
    } else if (q.format === 'xlsx') {
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment(`${name}.xlsx`).send(await figuresXlsx(f));
    } else res.json(f);
  });

  const hotlineFile = multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.uploadLimitBytes, files: 1, fields: 10 } }).single('file');
  r.post(`${BASE}/hotline-imports`, commandCentre, async (req, res) => {
    const user = requireRole(res, ['admin', 'commander']);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    await new Promise<void>((resolve, reject) => hotlineFile(req, res, (err: unknown) => (err
      ? reject((err as { code?: string }).code === 'LIMIT_FILE_SIZE' ? new WanggeError('too_large', 'the file is larger than UPLOAD_LIMIT_MB', { parameter: 'file' })
        : new WanggeError('bad_request', `bad upload: ${(err as Error).message}`, { parameter: 'file' }))
      : resolve())));
    const file = (req as { file?: Express.Multer.File }).file;
    if (!file) throw new WanggeError('bad_request', 'send the orders as multipart/form-data field `file` (.csv or .xlsx)', { parameter: 'file' });
    const report = await importHotline(ctx.db, jcode, file.buffer, deps.clock.now(), user.name);
    await auditEvent(ctx, req, user, jcode, `hotline import ${report.ok ? `${report.inserted} new, ${report.skipped} known` : `refused, ${report.errors.length} bad rows`}`,
      '/api/jurisdictions/{jcode}/hotline-imports', null, report.ok ? 'ok' : 'denied', []);
    if (!report.ok) {
      const p = problem('bad_file', `${report.errors.length} of ${report.rows} rows are bad; nothing was imported (first: row ${report.errors[0].row}, ${report.errors[0].field}: ${report.errors[0].message})`, { parameter: 'file', line: report.errors[0].row });
      res.status(p.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ ...p, report }));
      return;
    }
    res.status(201).json(report);
  });

  r.get(`${BASE}/event-type-settings`, staff, async (req, res) => {
    const user = requireUser(res);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    res.set('Cache-Control', 'no-store').json({ jcode, types: await listTypeSettings(ctx.db, jcode) });
  });

  const admins: RequestHandler = (_req, res, next) => { requireRole(res, ['admin']); next(); };
  r.put(`${BASE}/event-type-settings/:typeCode`, admins, async (req, res) => {
    const user = requireRole(res, ['admin']);
    const jcode = await jurisdictionOf(ctx.db, user, req.params);
    const type = requireType(String(req.params.typeCode), 'typeCode');
    const body = parseWith(TypeSettingsBody, req.body ?? {});
    await setTypeSettings(ctx.db, jcode, type.code, body);
    const row = (await listTypeSettings(ctx.db, jcode)).find((t) => t.typeCode === type.code)!;
    await auditEvent(ctx, req, user, jcode, `event type settings ${type.code} ${JSON.stringify(row.local)}`, '/api/jurisdictions/{jcode}/event-type-settings/{typeCode}', null, 'ok', []);
    res.json(row);
  });

  r.get(`${BASE}/events-live`, async (req, res) => {
    const jcode = jcodeParam(req.params);
    if (!(await jurisdictionExists(ctx.db, jcode))) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
    const now = deps.clock.now();
    // the open events first, red on top; then every change as it happens
    const admin = { name: 'wall', role: 'commander' as const, jcode, grids: [] };
    const { events } = await listEvents(ctx.db, admin, jcode, { status: 'open', limit: 1000 }, now);
    const board = await eventBoard(ctx.db, admin, jcode, now);
    const closed = board.reduce((a, b) => a + b.closed, 0);
    const closedOnTime = board.reduce((a, b) => a + b.closedOnTime, 0);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write(`event: snapshot\ndata: ${JSON.stringify({ at: now.toISOString(), closed, closedOnTime, events: events.map(liveOf) })}\n\n`);
    const onEvent = (e: ReturnType<typeof liveOf>) => { if (e.jcode === jcode) res.write(`event: event\ndata: ${JSON.stringify(e)}\n\n`); };
    deps.feed.on('event', onEvent);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    req.on('close', () => {
      clearInterval(beat);
      deps.feed.off('event', onEvent);
    });
  });
  return r;
}

/**
 * Open311 GeoReport v2 at /open311/v2 (JSON; `.xml` is answered with a 400 error array):
 *   GET  services.json                     the event types of both code tables as services
 *   GET  services/{service_code}.json      a service definition (attributes: crs of lat/long, priority)
 *   POST requests.json                     form, JSON or multipart (photo as `media`): service_code, lat+long or
 *                                          address_string, description, media_url, attribute[crs]=wgs84|gcj02|bd09,
 *                                          first_name, last_name, phone, email; an api_key (open311_clients) or a
 *                                          session (Authorization: Bearer). Residents' posts (api_key) are rate-limited.
 *   GET  requests.json                     service_request_id (comma list), service_code, start_date, end_date (at
 *                                          most 90 days apart; default the last 90 days), status open|closed, jurisdiction_id
 *   GET  requests/{service_request_id}.json
 * Request ids are `<jcode>-<id>`. Answers carry the standard fields and, as extended_attributes, grid_code,
 * community_code, stage, light, priority and duplicate_of. Errors are the standard's array [{code, description}]
 * with the HTTP status (400, 403, 404, 429; never a 5xx for bad input). No personal data is ever answered.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { isWanggeError } from '../../spatial/errors.ts';
import { EVENT_TYPES, eventType } from '../../domain/events/event-codes.ts';
import { addPhoto, createEvent, getEventUnscoped, listPublicEvents, type EventRecord } from '../../domain/events/event-repository.ts';
import { STATUS_OF, toProblem } from '../errors.ts';
import { requestUser, userOf } from '../request-user.ts';
import { inputGuard } from '../input-guard.ts';
import type { RouteContext } from './context.ts';
import { auditEvent, parseWith, photoUpload, type EventsDeps } from './events-shared.ts';
import { clientIp } from '../auth/require-user.ts';
import { findOpen311Client, hashKey } from '../../domain/events/open311-clients.ts';

export const OPEN311_BASE = '/open311/v2';
/** GET requests.json: the longest window between start_date and end_date (the standard's 90 days) */
const MAX_WINDOW_DAYS = 90;
const LIST_PARAMS = ['service_request_id', 'service_code', 'start_date', 'end_date', 'status', 'jurisdiction_id', 'api_key'];

/** A GeoReport error: its HTTP status is the code of the array's one entry. */
export class Open311Error extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Residents' posts: at most `max` in `windowMs` per resident, and at most `keyMax` per api_key (a city app posting
 * for all of its users under one key and one server address). A resident is the client's own device_id,
 * account_id or email where it sends one (counted per key), else the client's address.
 */
export class PostRateLimit {
  #hits = new Map<string, number[]>();
  constructor(readonly max = 10, readonly windowMs = 10 * 60_000, readonly keyMax = 100 * max) {}
  /** seconds to wait, or 0 when the post may go ahead (and is counted); `limit` defaults to `max` */
  take(key: string, now = Date.now(), limit = this.max): number {
    const recent = (this.#hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= limit) {
      this.#hits.set(key, recent);
      return Math.ceil((recent[0] + this.windowMs - now) / 1000);
    }
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > 50_000) for (const [k, v] of this.#hits) if (v.every((t) => now - t >= this.windowMs)) this.#hits.delete(k);
    return 0;
  }
}

function requestId(e: Pick<EventRecord, 'jcode' | 'id'>): string {
  return `${e.jcode}-${e.id}`;
}

/** `<jcode>-<id>` → its parts, or an Open311Error 400/404. */
function parseRequestId(raw: string): { jcode: string; id: number } {
  const m = /^([0-9A-Za-z_]{1,32})-(\d{1,15})$/.exec(raw.trim());
  if (!m) throw new Open311Error(400, `service_request_id ${JSON.stringify(raw.slice(0, 40))} is not of the form <jurisdiction>-<number>`);
  return { jcode: m[1], id: Number(m[2]) };
}

const STAGE_NOTES: Record<string, string> = {
  reported: '已上报 reported', accepted: '已受理 accepted', registered: '已立案 registered', dispatched: '已派遣 dispatched', handled: '已处置 handled',
  verified: '已核查 verified', closed: '已结案 closed', evaluated: '已评价 evaluated', rejected: '不予立案 rejected',
};

/** One request in GeoReport v2 fields (no personal data). */
export function asServiceRequest(e: EventRecord, base: string): Record<string, unknown> {
  const t = eventType(e.typeCode);
  const media = e.mediaUrl ?? (e.photos > 0 ? `${base}${OPEN311_BASE}/media/${requestId(e)}.jpg` : null);
  return {
    service_request_id: requestId(e),
    status: e.closedAt ? 'closed' : 'open',
    status_notes: [STAGE_NOTES[e.stage], e.statusNotes].filter(Boolean).join(': '),
    service_name: t ? `${t.nameZh} ${t.nameEn}` : e.typeCode,
    service_code: e.typeCode,
    description: e.description,
    agency_responsible: e.dispatchedTo?.kind === 'department' ? e.dispatchedTo.name : e.gridCode ? `网格 ${e.gridCode}` : null,
    service_notice: e.duplicateOf !== null ? `duplicate of ${e.jcode}-${e.duplicateOf}` : null,
    requested_datetime: e.reportedAt,
    updated_datetime: e.updatedAt,
    expected_datetime: e.deadlineAt,
    address: e.address,
    address_id: null,
    zipcode: null,
    lat: e.lat,
    long: e.lon,
    media_url: media,
    extended_attributes: {
      jurisdiction_id: e.jcode, grid_code: e.gridCode, community_code: e.communityCode, township_code: e.townshipCode,
      stage: e.stage, light: e.light, priority: e.priority, duplicate_of: e.duplicateOf === null ? null : `${e.jcode}-${e.duplicateOf}`,
      duplicates: e.duplicates.map((d) => `${e.jcode}-${d}`),
    },
  };
}

function service(t: (typeof EVENT_TYPES)[number]): Record<string, unknown> {
  return {
    service_code: t.code, service_name: `${t.nameZh} ${t.nameEn}`,
    description: `${t.className.zh} ${t.className.en} · ${t.scheme}; handled within ${t.deadlineHours} h`,
    metadata: true, type: 'realtime', keywords: [t.nameZh, t.nameEn, t.className.zh].join(', '), group: `${t.className.zh} ${t.className.en}`,
  };
}

function definition(t: (typeof EVENT_TYPES)[number]): Record<string, unknown> {
  return {
    service_code: t.code,
    attributes: [
      {
        variable: true, code: 'crs', datatype: 'singlevaluelist', required: false, order: 1,
        datatype_description: 'the coordinate system of lat/long (default WGS-84)', description: '坐标系 Coordinate system of lat/long',
        values: [{ key: 'wgs84', name: 'WGS-84 (GPS)' }, { key: 'gcj02', name: 'GCJ-02 (Amap, Tencent)' }, { key: 'bd09', name: 'BD-09 (Baidu)' }],
      },
      {
        variable: true, code: 'priority', datatype: 'singlevaluelist', required: false, order: 2,
        datatype_description: 'normal or urgent', description: '紧急程度 Priority',
        values: [{ key: 'normal', name: '一般 normal' }, { key: 'urgent', name: '紧急 urgent' }],
      },
    ],
  };
}

const text = (max: number) => z.string().trim().max(max).optional();
const PostBody = z.object({
  service_code: z.string({ error: 'service_code is required' }).trim().min(1, 'service_code is required'),
  lat: z.coerce.number().finite().optional(),
  long: z.coerce.number().finite().optional(),
  address_string: text(200),
  address_id: text(60),
  description: text(4000),
  // answered back to every client as a link: http(s) only (a javascript: or data: URL would run in a client that shows it)
  media_url: z.string().trim().max(1000).url().refine((u) => /^https?:\/\//i.test(u), 'media_url is an http or https URL').optional().or(z.literal('')),
  api_key: text(200),
  email: text(200), first_name: text(60), last_name: text(60), phone: text(30), device_id: text(100), account_id: text(100),
  jurisdiction_id: text(32),
});

/** `attribute[code]` from a form, or `attribute: {code}` from JSON. */
function attributes(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const nested = body.attribute;
  if (nested && typeof nested === 'object') for (const [k, v] of Object.entries(nested)) out[k] = String(v);
  for (const [k, v] of Object.entries(body)) {
    const m = /^attribute\[(\w+)\]$/.exec(k);
    if (m) out[m[1]] = String(v);
  }
  return out;
}

function dateParam(q: Record<string, unknown>, name: string): Date | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const d = new Date(String(v));
  if (typeof v !== 'string' || Number.isNaN(d.getTime())) throw new Open311Error(400, `${name} must be an ISO 8601 date-time, e.g. 2026-12-01T08:00:00Z`);
  return d;
}

function only(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Open311Error(400, `${name} is given once`);
  return v;
}

function sendErrors(res: Response, status: number, description: string): void {
  res.status(status).type('application/json').send(JSON.stringify([{ code: status, description }]));
}

export interface Open311Options { rateLimit?: PostRateLimit }

export function open311Router(ctx: RouteContext, deps: EventsDeps, opts: Open311Options = {}): Router {
  const r = Router();
  const limit = opts.rateLimit ?? new PostRateLimit();
  const media = photoUpload(['media']);
  r.use(OPEN311_BASE, requestUser(ctx.db));
  r.use(OPEN311_BASE, express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 60 }));
  r.use(OPEN311_BASE, express.json({ limit: '100kb' }));
  r.use(OPEN311_BASE, inputGuard);
  // the standard allows .xml; this service answers JSON only
  r.use(OPEN311_BASE, (req, _res, next) => next(/\.xml$/i.test(req.path) ? new Open311Error(400, 'this endpoint answers JSON only: use .json') : undefined));

  r.get(`${OPEN311_BASE}/discovery.json`, (_req, res) => {
    res.json({
      changeset: '2026-12-12T00:00:00Z', contact: 'the command centre of the jurisdiction', key_service: 'ask the command centre for an api_key',
      endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${ctx.publicBase()}${OPEN311_BASE}`, changeset: '2026-12-12T00:00:00Z', type: 'production', formats: ['application/json'] }],
    });
  });

  r.get(`${OPEN311_BASE}/services.json`, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').json(EVENT_TYPES.map(service));
  });

  r.get(`${OPEN311_BASE}/services/:code.json`, (req, res) => {
    const t = eventType(req.params.code);
    if (!t) throw new Open311Error(404, `no service ${JSON.stringify(req.params.code.slice(0, 20))}: see services.json`);
    res.set('Cache-Control', 'public, max-age=3600').json(definition(t));
  });

  r.post(`${OPEN311_BASE}/requests.json`, async (req, res) => {
    const files = await media(req, res);
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const body = parseWith(PostBody, raw);
    const user = userOf(res);
    let client: { jcode: string; name: string } | null = null;
    if (!user) {
      if (!body.api_key) throw new Open311Error(400, 'api_key is required (or a session: Authorization: Bearer <token>)');
      const found = await findOpen311Client(ctx.db, body.api_key);
      if (!found) throw new Open311Error(403, 'invalid api_key');
      client = found;
      const key = hashKey(body.api_key);
      const resident = body.device_id || body.account_id || body.email;
      const who = resident ? `resident:${key}:${resident}` : `ip:${clientIp(req.ip) ?? '?'}`;
      const wait = Math.max(limit.take(who), limit.take(`key:${key}`, Date.now(), limit.keyMax));
      if (wait > 0) {
        res.set('Retry-After', String(wait));
        throw new Open311Error(429, `too many reports from this client: try again in ${wait} s`);
      }
    }
    const t = eventType(body.service_code);
    if (!t) throw new Open311Error(400, `service_code ${JSON.stringify(body.service_code.slice(0, 20))} is not a service: see services.json`);
    if ((body.lat === undefined) !== (body.long === undefined)) throw new Open311Error(400, 'lat and long go together');
    if (body.lat === undefined && !body.address_string) throw new Open311Error(400, 'a location is required: lat and long, or address_string');
    const attrs = attributes(raw);
    const crs = (attrs.crs ?? (typeof raw.crs === 'string' ? raw.crs : 'wgs84')).toLowerCase();
    if (!['wgs84', 'gcj02', 'bd09'].includes(crs)) throw new Open311Error(400, `attribute[crs] must be wgs84, gcj02 or bd09, got ${JSON.stringify(crs.slice(0, 20))}`);
    const priority = attrs.priority === 'urgent' ? 'urgent' : 'normal';
    const jcode = client?.jcode ?? (user?.jcode ?? body.jurisdiction_id) ?? undefined;
    const now = deps.clock.now();
    const name = [body.last_name, body.first_name].filter(Boolean).join('') || null;
    const { event } = await createEvent(ctx.db, {
      typeCode: t.code, description: body.description || t.nameZh, priority,
      source: user ? (user.role === 'grid_worker' ? 'patrol' : 'other') : 'resident',
      point: body.lat !== undefined && body.long !== undefined ? { lon: body.long, lat: body.lat, crs: crs as 'wgs84' } : undefined,
      address: body.address_string || undefined, reporter: { name, phone: body.phone ?? null },
      reportedBy: user ? user.name : `open311:${client!.name}`, mediaUrl: body.media_url || null,
    }, now, { jcode, actor: user ? { name: user.name, role: user.role } : { name: `open311:${client!.name}`, role: 'resident' } });
    for (const f of files) await addPhoto(ctx.db, event.jcode, event.id, 'report', f, now);
    await auditEvent(ctx, req, user, event.jcode, 'event report (open311)', `${OPEN311_BASE}/requests.json`, event.gridCode, 'ok', [event.id]);
    const saved = files.length ? { ...event, photos: event.photos + files.length } : event;
    deps.feed.publish(saved);
    res.status(201).json([{
      service_request_id: requestId(event), service_notice: event.duplicateOf !== null ? `duplicate of ${event.jcode}-${event.duplicateOf}` : '', account_id: null,
    }]);
  });

  r.get(`${OPEN311_BASE}/requests.json`, async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const unknown = Object.keys(q).filter((k) => !LIST_PARAMS.includes(k));
    if (unknown.length) throw new Open311Error(400, `unknown parameter ${unknown[0].slice(0, 40)}: requests.json takes ${LIST_PARAMS.join(', ')}`);
    const now = deps.clock.now();
    const ids = only(q, 'service_request_id');
    const jcode = only(q, 'jurisdiction_id') || undefined;
    let events: EventRecord[];
    if (ids) {
      // the standard: with service_request_id every other parameter is ignored
      const keys = ids.split(',').filter(Boolean).slice(0, 1000).map(parseRequestId);
      events = await listPublicEvents(ctx.db, { keys }, now);
    } else {
      const codes = only(q, 'service_code')?.split(',').map((s) => s.trim()).filter(Boolean);
      for (const c of codes ?? []) if (!eventType(c)) throw new Open311Error(400, `service_code ${JSON.stringify(c.slice(0, 20))} is not a service`);
      const statusRaw = only(q, 'status');
      const statuses = statusRaw?.split(',').map((s) => s.trim()).filter(Boolean);
      for (const s of statuses ?? []) if (s !== 'open' && s !== 'closed') throw new Open311Error(400, 'status is open or closed');
      const status = statuses && statuses.length === 1 ? statuses[0] as 'open' | 'closed' : undefined;
      let end = dateParam(q, 'end_date');
      let start = dateParam(q, 'start_date');
      if (start && end && start > end) throw new Open311Error(400, 'start_date is after end_date');
      if (start && end && end.getTime() - start.getTime() > MAX_WINDOW_DAYS * 86_400_000) throw new Open311Error(400, `start_date and end_date are at most ${MAX_WINDOW_DAYS} days apart`);
      if (!start && !end) {
        end = now;
        start = new Date(now.getTime() - MAX_WINDOW_DAYS * 86_400_000);
      } else if (!start) start = new Date(end!.getTime() - MAX_WINDOW_DAYS * 86_400_000);
      else if (!end) end = new Date(start.getTime() + MAX_WINDOW_DAYS * 86_400_000);
      events = await listPublicEvents(ctx.db, { jcode, typeCodes: codes, status, from: start, to: end, limit: 1000 }, now);
    }
    res.set('Cache-Control', 'no-store').json(events.map((e) => asServiceRequest(e, ctx.publicBase())));
  });

  r.get(`${OPEN311_BASE}/requests/:id.json`, async (req, res) => {
    const key = parseRequestId(req.params.id);
    const e = await getEventUnscoped(ctx.db, key.jcode, key.id, deps.clock.now());
    if (!e) throw new Open311Error(404, `no service request ${key.jcode}-${key.id}`);
    res.set('Cache-Control', 'no-store').json([asServiceRequest(e, ctx.publicBase())]);
  });

  r.get(`${OPEN311_BASE}/media/:id.jpg`, async (req, res) => {
    // the photo a resident sent with a request (the first report photo); staff photos stay behind the staff API
    const key = parseRequestId(req.params.id);
    const photo = await ctx.db.selectFrom('event_photos').innerJoin('events', (j) => j.onRef('events.jcode', '=', 'event_photos.jcode').onRef('events.id', '=', 'event_photos.event_id'))
      .select(['event_photos.mime', 'event_photos.bytes']).where('event_photos.jcode', '=', key.jcode).where('event_photos.event_id', '=', key.id)
      .where('event_photos.kind', '=', 'report').where('events.source', '=', 'resident').orderBy('event_photos.n').limit(1).executeTakeFirst();
    if (!photo) throw new Open311Error(404, `service request ${key.jcode}-${key.id} has no public photo`);
    res.set('Cache-Control', 'public, max-age=3600').type(photo.mime).send(Buffer.from(photo.bytes));
  });

  r.use(OPEN311_BASE, (req, _res, next) => next(new Open311Error(404, `no such GeoReport v2 method: ${req.method} ${req.path}`)));
  const errors: ErrorRequestHandler = (err, _req: Request, res: Response, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof Open311Error) return sendErrors(res, err.status, err.message);
    if (isWanggeError(err)) {
      const status = STATUS_OF[err.code];
      if (status < 500) return sendErrors(res, status, err.message);
    }
    const p = toProblem(err);
    if (p.status < 500) return sendErrors(res, p.status, p.detail);
    ctx.log.error({ err }, 'open311 request failed');
    sendErrors(res, 500, 'internal error; the failure is logged on the server');
  };
  r.use(OPEN311_BASE, errors);
  return r;
}

/**
 * The events repository (typed Kysely over the tables of migrations/20261212T0100-events.ts): create an event
 * (routed to its grid, deadline and light fixed, duplicates linked), read and list them as an actor may see them
 * (row-level security plus the same predicate in the query), apply a workflow decision, photos.
 *
 * Time is always the caller's `now` (a Clock in the service), so tests can move it.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, EventsTable, EventSource } from '../../data/db/schema.ts';
import { WanggeError } from '../../data/errors.ts';
import { EVENT_TYPES, eventType, type EventType } from './event-codes.ts';
import { deadlineOf, lightAt, URGENT_SHARE, yellowAtOf, DEFAULT_YELLOW_SHARE, type Light } from './lights.ts';
import { placeByAddress, placeByPoint, type Placement, type PointCrs } from './place-event.ts';
import { scopePredicate, withEventScope } from './event-scope.ts';
import { decide, FINAL_STAGES, type Action, type ActionInput, type Actor, type DispatchTarget, type Stage } from './workflow.ts';

export const EVENT_SOURCES: readonly EventSource[] = ['patrol', 'resident', 'hotline', 'camera', 'other'];
/** a new event of the same type this close to an open one … */
export const DUPLICATE_METRES = 50;
/** … reported this recently is linked to it as a duplicate */
export const DUPLICATE_HOURS = 24;

export interface NewEvent {
  typeCode: string;
  source: EventSource;
  description: string;
  priority?: 'normal' | 'urgent';
  /** a position in `crs` (default WGS-84) … */
  point?: { lon: number; lat: number; crs?: PointCrs };
  /** … and/or an address text (routes the event when there is no point) */
  address?: string;
  reporter?: { name?: string | null; phone?: string | null };
  /** account name, or `open311:<client>` */
  reportedBy?: string | null;
  mediaUrl?: string | null;
  hotlineOrderNo?: string | null;
  /** when it was reported (default now; hotline orders carry their own) */
  reportedAt?: Date;
}

export interface TypeSettings { deadlineHours: number; yellowShare: number; resultPhotoRequired: boolean }

export interface EventRecord {
  jcode: string;
  id: number;
  kind: 'urban' | 'social';
  typeCode: string;
  typeName: { zh: string; en: string };
  classCode: string;
  source: EventSource;
  stage: Stage;
  priority: 'normal' | 'urgent';
  description: string;
  address: string | null;
  lon: number | null;
  lat: number | null;
  planId: number | null;
  gridCode: string | null;
  communityCode: string | null;
  townshipCode: string | null;
  reportedAt: string;
  updatedAt: string;
  deadlineAt: string;
  yellowAt: string;
  closedAt: string | null;
  onTime: boolean | null;
  /** at the time asked (null once closed) */
  light: Light | null;
  dispatchedTo: DispatchTarget | null;
  handledBy: string | null;
  /** the open event this one repeats (reported both ways: see `duplicates`) */
  duplicateOf: number | null;
  duplicates: number[];
  hotlineOrderNo: string | null;
  mediaUrl: string | null;
  photos: number;
  resultPhotos: number;
  mediation: Record<string, unknown> | null;
  rating: number | null;
  followUp: string | null;
  statusNotes: string | null;
  /** personal data: present only where the caller asked for it (the API masks it by role) */
  reporter?: { name: string | null; phone: string | null };
}

type Row = Selectable<EventsTable> & { lon: number | null; lat: number | null; dups: Array<number | string> | null };

function iso(d: Date | string | null): string | null {
  return d === null ? null : new Date(d).toISOString();
}

function toRecord(r: Row, now: Date, withReporter: boolean): EventRecord {
  const t = eventType(r.type_code);
  const rec: EventRecord = {
    jcode: r.jcode, id: Number(r.id), kind: r.kind, typeCode: r.type_code, typeName: { zh: t?.nameZh ?? r.type_code, en: t?.nameEn ?? r.type_code },
    classCode: r.type_code.slice(0, 2), source: r.source, stage: r.stage, priority: r.priority, description: r.description, address: r.address,
    lon: r.lon === null ? null : Number(r.lon), lat: r.lat === null ? null : Number(r.lat), planId: r.plan_id === null ? null : Number(r.plan_id),
    gridCode: r.grid_code, communityCode: r.community_code, townshipCode: r.township_code,
    reportedAt: iso(r.reported_at)!, updatedAt: iso(r.updated_at)!, deadlineAt: iso(r.deadline_at)!, yellowAt: iso(r.yellow_at)!, closedAt: iso(r.closed_at),
    onTime: r.on_time,
    light: lightAt({ reportedAt: new Date(r.reported_at), deadlineAt: new Date(r.deadline_at), yellowAt: new Date(r.yellow_at), closedAt: r.closed_at ? new Date(r.closed_at) : null }, now),
    dispatchedTo: r.dispatched_kind && r.dispatched_to ? { kind: r.dispatched_kind, name: r.dispatched_to } : null,
    handledBy: r.handled_by, duplicateOf: r.duplicate_of === null ? null : Number(r.duplicate_of), duplicates: (r.dups ?? []).map(Number),
    hotlineOrderNo: r.hotline_order_no, mediaUrl: r.media_url, photos: r.photos, resultPhotos: r.result_photos, mediation: r.mediation,
    rating: r.rating, followUp: r.follow_up, statusNotes: r.status_notes,
  };
  if (withReporter) rec.reporter = { name: r.reporter_name, phone: r.reporter_phone };
  return rec;
}

/** A type's settings in force: the jurisdiction's settings row where it has a value, else the code table's. */
function inForce(type: EventType, s: Selectable<DB['event_type_settings']> | undefined): TypeSettings {
  return {
    deadlineHours: s?.deadline_hours ?? type.deadlineHours,
    yellowShare: s?.yellow_share ?? DEFAULT_YELLOW_SHARE,
    resultPhotoRequired: s?.result_photo_required ?? type.resultPhotoRequired,
  };
}

/** The deadline, yellow share and photo rule of a type in a jurisdiction: its settings row, else the code table. */
export async function typeSettings(db: Kysely<DB>, jcode: string, type: EventType): Promise<TypeSettings> {
  return inForce(type, await db.selectFrom('event_type_settings').selectAll().where('jcode', '=', jcode).where('type_code', '=', type.code).executeTakeFirst());
}

/** Configure a type in a jurisdiction (null keeps the code table's value). */
export async function setTypeSettings(db: Kysely<DB>, jcode: string, typeCode: string, s: { deadlineHours?: number | null; yellowShare?: number | null; resultPhotoRequired?: boolean | null }): Promise<void> {
  if (!eventType(typeCode)) throw new WanggeError('bad_request', `no event type ${typeCode}`, { parameter: 'typeCode' });
  const values = { jcode, type_code: typeCode, deadline_hours: s.deadlineHours ?? null, yellow_share: s.yellowShare ?? null, result_photo_required: s.resultPhotoRequired ?? null };
  await db.insertInto('event_type_settings').values(values)
    .onConflict((oc) => oc.columns(['jcode', 'type_code']).doUpdateSet({ deadline_hours: values.deadline_hours, yellow_share: values.yellow_share, result_photo_required: values.result_photo_required }))
    .execute();
}

/** A type's settings in a jurisdiction: in force, and the jurisdiction's own values (null: the code table's). */
export interface TypeSettingsRow {
  typeCode: string;
  name: { zh: string; en: string };
  settings: TypeSettings;
  local: { deadlineHours: number | null; yellowShare: number | null; resultPhotoRequired: boolean | null };
}

/** Every type's settings in jurisdiction `jcode`, in code order (one read of its settings rows). */
export async function listTypeSettings(db: Kysely<DB>, jcode: string): Promise<TypeSettingsRow[]> {
  const rows = new Map((await db.selectFrom('event_type_settings').selectAll().where('jcode', '=', jcode).execute()).map((r) => [r.type_code, r]));
  return EVENT_TYPES.map((t) => {
    const s = rows.get(t.code);
    return {
      typeCode: t.code, name: { zh: t.nameZh, en: t.nameEn }, settings: inForce(t, s),
      local: { deadlineHours: s?.deadline_hours ?? null, yellowShare: s?.yellow_share ?? null, resultPhotoRequired: s?.result_photo_required ?? null },
    };
  });
}

/** The event type of a code, or a bad_request naming `parameter`. */
export function requireType(code: string, parameter = 'typeCode'): EventType {
  const t = eventType(String(code ?? '').trim());
  if (!t) throw new WanggeError('bad_request', `no event type ${JSON.stringify(String(code ?? '').slice(0, 20))}: see the code tables (GET /api/event-types, /open311/v2/services.json)`, { parameter });
  return t;
}

/** Where an event goes: by point when it has one, else by address. */
export async function placeEvent(db: Kysely<DB>, e: Pick<NewEvent, 'point' | 'address'>, jcode?: string): Promise<Placement> {
  if (e.point) return placeByPoint(db, e.point.lon, e.point.lat, e.point.crs ?? 'wgs84', jcode);
  if (e.address?.trim()) return placeByAddress(db, e.address, jcode);
  throw new WanggeError('bad_request', 'an event needs a position (lon/lat) or an address', { parameter: 'lat' });
}

/** The degrees that are at least `metres` at latitude `lat` (an index prefilter before the exact test). */
function degreesFor(metres: number, lat: number): number {
  return metres / (111_320 * Math.max(0.05, Math.cos((Math.abs(lat) * Math.PI) / 180)));
}

/** The open event of the same type within 50 m and 24 h that a new one repeats (the first of its chain), or null. */
export async function findDuplicate(db: Kysely<DB>, jcode: string, typeCode: string, lon: number, lat: number, at: Date): Promise<number | null> {
  const since = new Date(at.getTime() - DUPLICATE_HOURS * 3_600_000);
  const { rows } = await sql<{ root: number }>`SELECT coalesce(e.duplicate_of, e.id) AS root FROM events e
    WHERE e.jcode = ${jcode} AND e.type_code = ${typeCode} AND e.closed_at IS NULL AND e.geom IS NOT NULL
      AND e.reported_at >= ${since} AND e.reported_at <= ${at}
      AND ST_DWithin(e.geom, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326), ${degreesFor(DUPLICATE_METRES, lat)})
      AND ST_DWithin(e.geom::geography, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)::geography, ${DUPLICATE_METRES})
    ORDER BY e.reported_at, e.id LIMIT 1`.execute(db);
  return rows[0] ? Number(rows[0].root) : null;
}

/** A new event's row (routed, timed) without writing it; the hotline import writes many at once. */
export function eventRow(e: NewEvent, type: EventType, place: Placement, settings: TypeSettings, now: Date) {
  const reportedAt = e.reportedAt ?? now;
  const hours = settings.deadlineHours * (e.priority === 'urgent' ? URGENT_SHARE : 1);
  const deadlineAt = deadlineOf(reportedAt, hours);
  return {
    jcode: place.jcode, kind: type.kind, type_code: type.code, source: e.source, stage: 'reported' as const, priority: e.priority ?? 'normal',
    description: e.description.trim(), address: e.address?.trim() || null, plan_id: place.planId, grid_code: place.gridCode,
    community_code: place.communityCode, township_code: place.townshipCode, reporter_name: e.reporter?.name?.trim() || null,
    reporter_phone: e.reporter?.phone?.trim() || null, reported_by: e.reportedBy ?? null, reported_at: reportedAt, updated_at: now,
    deadline_at: deadlineAt, yellow_at: yellowAtOf(reportedAt, deadlineAt, settings.yellowShare), media_url: e.mediaUrl ?? null,
    hotline_order_no: e.hotlineOrderNo ?? null, lon: place.lon, lat: place.lat,
  };
}

export type EventRow = ReturnType<typeof eventRow>;

/** Insert one routed row, linking it to the event it repeats; returns its id. */
export async function insertEventRow(db: Kysely<DB>, row: EventRow, duplicateOf: number | null): Promise<number> {
  const { lon, lat, ...cols } = row;
  const ins = await db.insertInto('events')
    .values({ ...cols, duplicate_of: duplicateOf, geom: sql`ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)` })
    .returning('id').executeTakeFirstOrThrow();
  return Number(ins.id);
}

export interface Created { event: EventRecord; duplicateOf: number | null }

/**
 * Report an event: check its type and text, route it (point in any of the three CRSs, or address; `jcode` keeps
 * it to one jurisdiction), fix its deadline, link it to the open event it repeats, record the first transition.
 */
export async function createEvent(db: Kysely<DB>, e: NewEvent, now: Date, opts: { jcode?: string; actor?: { name: string; role: string } | null } = {}): Promise<Created> {
  const type = requireType(e.typeCode);
  if (!EVENT_SOURCES.includes(e.source)) throw new WanggeError('bad_request', `source is one of ${EVENT_SOURCES.join(', ')}`, { parameter: 'source' });
  const description = e.description?.trim() ?? '';
  if (description.length < 1 || description.length > 4000) throw new WanggeError('bad_request', 'description is 1 to 4000 characters', { parameter: 'description' });
  const place = await placeEvent(db, e, opts.jcode);
  const settings = await typeSettings(db, place.jcode, type);
  const row = eventRow({ ...e, description }, type, place, settings, now);
  const id = await db.transaction().execute(async (trx) => {
    const dup = await findDuplicate(trx, place.jcode, type.code, place.lon, place.lat, row.reported_at);
    const newId = await insertEventRow(trx, row, dup);
    await trx.insertInto('event_transitions').values({
      jcode: place.jcode, event_id: newId, seq: 1, action: 'report', from_stage: null, to_stage: 'reported', actor: opts.actor?.name ?? e.reportedBy ?? null,
      role: opts.actor?.role ?? null, at: now, note: null, data: JSON.stringify({ source: e.source, duplicateOf: dup }),
    }).execute();
    return newId;
  });
  const event = await getEventUnscoped(db, place.jcode, id, now);
  return { event: event!, duplicateOf: event!.duplicateOf };
}

const COLUMNS = sql`e.*, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat,
  (SELECT array_agg(d.id ORDER BY d.id) FROM events d WHERE d.jcode = e.jcode AND d.duplicate_of = e.id) AS dups`;

/** One event, whoever asks (Open311's public view and the service's own use); null when there is none. */
export async function getEventUnscoped(db: Kysely<DB>, jcode: string, id: number, now: Date, withReporter = false): Promise<EventRecord | null> {
  const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM events e WHERE e.jcode = ${jcode} AND e.id = ${id}`.execute(db);
  return rows[0] ? toRecord(rows[0], now, withReporter) : null;
}

/** One event as `actor` may see it (row-level security and the same predicate); null when there is none or it is out of scope. */
export async function getEvent(db: Kysely<DB>, actor: Actor, jcode: string, id: number, now: Date): Promise<EventRecord | null> {
  return withEventScope(db, actor, async (trx) => {
    const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM events e WHERE e.jcode = ${jcode} AND e.id = ${id} AND ${scopePredicate(actor, jcode)}`.execute(trx);
    return rows[0] ? toRecord(rows[0], now, true) : null;
  });
}

export interface EventFilter {
  grid?: string;
  light?: Light;
  stage?: Stage;
  typeCode?: string;
  classCode?: string;
  source?: EventSource;
  /** open (not closed or rejected) or closed */
  status?: 'open' | 'closed';
  from?: Date;
  to?: Date;
  /** WGS-84 minLon, minLat, maxLon, maxLat */
  bbox?: [number, number, number, number];
  /** events with these ids only */
  ids?: number[];
  limit?: number;
  offset?: number;
}

/** The SQL of a filter (alias `e`) at `now`. */
function filterSql(f: EventFilter, now: Date) {
  const parts = [sql`true`];
  if (f.grid !== undefined) parts.push(sql`e.grid_code = ${f.grid}`);
  if (f.light === 'red') parts.push(sql`e.closed_at IS NULL AND e.deadline_at < ${now}`);
  if (f.light === 'yellow') parts.push(sql`e.closed_at IS NULL AND e.deadline_at >= ${now} AND e.yellow_at <= ${now}`);
  if (f.light === 'green') parts.push(sql`e.closed_at IS NULL AND e.deadline_at >= ${now} AND e.yellow_at > ${now}`);
  if (f.stage !== undefined) parts.push(sql`e.stage = ${f.stage}`);
  if (f.typeCode !== undefined) parts.push(sql`e.type_code = ${f.typeCode}`);
  if (f.classCode !== undefined) parts.push(sql`left(e.type_code, 2) = ${f.classCode}`);
  if (f.source !== undefined) parts.push(sql`e.source = ${f.source}`);
  if (f.status === 'open') parts.push(sql`e.closed_at IS NULL`);
  if (f.status === 'closed') parts.push(sql`e.closed_at IS NOT NULL`);
  if (f.from !== undefined) parts.push(sql`e.reported_at >= ${f.from}`);
  if (f.to !== undefined) parts.push(sql`e.reported_at <= ${f.to}`);
  if (f.bbox !== undefined) parts.push(sql`e.geom && ST_MakeEnvelope(${f.bbox[0]}, ${f.bbox[1]}, ${f.bbox[2]}, ${f.bbox[3]}, 4326)`);
  if (f.ids !== undefined) parts.push(sql`e.id = ANY (${f.ids}::bigint[])`);
  return sql.join(parts, sql` AND `);
}

/**
 * Order of a list: open before closed, then by deadline (the most urgent, the red, on top). When the filter keeps
 * open events only (a light, or status open) the first key is left out, so the open-events index of a grid
 * (jcode, grid_code, deadline_at) hands the rows over in order and the LIMIT stops the scan early.
 */
function listOrder(f: EventFilter) {
  return f.light !== undefined || f.status === 'open' ? sql`e.deadline_at, e.id` : sql`(e.closed_at IS NULL) DESC, e.deadline_at, e.id`;
}

/** The most events a list counts (`totalExact` false beyond it). */
export const TOTAL_CAP = 10_000;

/** Events of `jcode` matching `f` as `actor` may see them, most urgent first; with the total matched (up to TOTAL_CAP). */
export async function listEvents(db: Kysely<DB>, actor: Actor, jcode: string, f: EventFilter, now: Date): Promise<{ total: number; totalExact: boolean; events: EventRecord[] }> {
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 1000);
  const offset = Math.max(f.offset ?? 0, 0);
  return withEventScope(db, actor, async (trx) => {
    const where = sql`e.jcode = ${jcode} AND ${scopePredicate(actor, jcode)} AND ${filterSql(f, now)}`;
    const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM events e WHERE ${where}
      ORDER BY ${listOrder(f)} LIMIT ${limit}::int OFFSET ${offset}::int`.execute(trx);
    // counting tens of thousands of red events of a busy grid costs more than the page: the count stops at TOTAL_CAP
    const counted = rows.length < limit && offset === 0 ? rows.length
      : Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM (SELECT 1 FROM events e WHERE ${where} LIMIT ${TOTAL_CAP + 1}::int) t`.execute(trx)).rows[0].n);
    return { total: Math.min(counted, TOTAL_CAP), totalExact: counted <= TOTAL_CAP, events: rows.map((r) => toRecord(r, now, false)) };
  });
}

/** Events matched by a filter across jurisdictions with no scope (Open311's public list: no personal data). */
export async function listPublicEvents(db: Kysely<DB>, f: EventFilter & { jcode?: string; typeCodes?: string[]; keys?: Array<{ jcode: string; id: number }> }, now: Date): Promise<EventRecord[]> {
  const limit = Math.min(Math.max(f.limit ?? 1000, 1), 1000);
  const extra = [sql`true`];
  if (f.jcode !== undefined) extra.push(sql`e.jcode = ${f.jcode}`);
  if (f.typeCodes !== undefined) extra.push(sql`e.type_code = ANY (${f.typeCodes}::text[])`);
  if (f.keys !== undefined) {
    extra.push(sql`(e.jcode, e.id) IN (SELECT k.j, k.i FROM unnest(${f.keys.map((k) => k.jcode)}::text[], ${f.keys.map((k) => k.id)}::bigint[]) AS k(j, i))`);
  }
  const { rows } = await sql<Row>`SELECT ${COLUMNS} FROM events e WHERE ${sql.join(extra, sql` AND `)} AND ${filterSql(f, now)}
    ORDER BY e.reported_at DESC, e.jcode, e.id LIMIT ${limit}::int`.execute(db);
  return rows.map((r) => toRecord(r, now, false));
}

export interface TransitionResult { event: EventRecord; action: Action; from: Stage; to: Stage }

/** Refusal of a transition: the workflow's code (forbidden, conflict, bad_request) with its reason. */
export class TransitionRefused extends WanggeError {}

/**
 * Apply `input` by `actor` to event (`jcode`, `id`) at `now`: the workflow decides (stage, role, jurisdiction,
 * grid); the row is locked, changed and its transition recorded in one transaction. A refusal is a
 * TransitionRefused with the workflow's code (forbidden, conflict, bad_request) and nothing is written.
 */
export async function transitionEvent(db: Kysely<DB>, actor: Actor, jcode: string, id: number, input: ActionInput, now: Date): Promise<TransitionResult> {
  const result = await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('events').selectAll().where('jcode', '=', jcode).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new WanggeError('not_found', `no event ${id} in ${jcode}`, { parameter: 'id' });
    const type = requireType(row.type_code);
    const settings = await typeSettings(trx, jcode, type);
    const decision = decide({
      jcode, gridCode: row.grid_code, stage: row.stage,
      dispatchedTo: row.dispatched_kind && row.dispatched_to ? { kind: row.dispatched_kind, name: row.dispatched_to } : null,
      handledBy: row.handled_by, resultPhotos: row.result_photos + (input.resultPhotos ?? 0),
      type: { mediation: type.mediation, resultPhotoRequired: settings.resultPhotoRequired },
    }, input, actor);
    if (!decision.ok) throw new TransitionRefused(decision.code, decision.reason, { parameter: 'action' });
    const closes = decision.to === 'closed' || decision.to === 'rejected';
    const set: Record<string, unknown> = { stage: decision.to, updated_at: now };
    if (closes) {
      set.closed_at = now;
      set.on_time = decision.to === 'closed' ? now.getTime() <= new Date(row.deadline_at).getTime() : null;
    }
    if (decision.dispatchedTo !== undefined) {
      set.dispatched_kind = decision.dispatchedTo?.kind ?? null;
      set.dispatched_to = decision.dispatchedTo?.name ?? null;
    }
    if (decision.handledBy !== undefined) set.handled_by = decision.handledBy;
    if (input.action === 'handle' && input.mediation) set.mediation = JSON.stringify(input.mediation);
    if (input.action === 'evaluate') {
      set.rating = input.rating ?? null;
      set.follow_up = input.followUp?.trim() || null;
    }
    const note = (input.reason ?? input.note)?.trim() || null;
    if (note) set.status_notes = note;
    await trx.updateTable('events').set(set).where('jcode', '=', jcode).where('id', '=', id).execute();
    const last = await trx.selectFrom('event_transitions').select((eb) => eb.fn.max('seq').as('seq')).where('jcode', '=', jcode).where('event_id', '=', id).executeTakeFirst();
    await trx.insertInto('event_transitions').values({
      jcode, event_id: id, seq: Number(last?.seq ?? 0) + 1, action: input.action, from_stage: row.stage, to_stage: decision.to,
      actor: actor.name, role: actor.role, at: now, note,
      data: JSON.stringify({ to: decision.dispatchedTo ?? undefined, mediation: input.mediation, rating: input.rating, followUp: input.followUp }),
    }).execute();
    return { from: row.stage as Stage, to: decision.to };
  });
  const event = await getEventUnscoped(db, jcode, id, now);
  return { event: event!, action: input.action, ...result };
}

export interface TransitionRecord { seq: number; action: string; from: string | null; to: string; actor: string | null; role: string | null; at: string; note: string | null; data: Record<string, unknown> }

/** The history of an event as `actor` may see it (empty when out of scope). */
export async function eventHistory(db: Kysely<DB>, actor: Actor, jcode: string, id: number): Promise<TransitionRecord[]> {
  return withEventScope(db, actor, async (trx) => {
    const rows = await trx.selectFrom('event_transitions').selectAll().where('jcode', '=', jcode).where('event_id', '=', id).orderBy('seq').execute();
    return rows.map((r) => ({ seq: r.seq, action: r.action, from: r.from_stage, to: r.to_stage, actor: r.actor, role: r.role, at: new Date(r.at).toISOString(), note: r.note, data: r.data }));
  });
}

export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;
const PHOTO_TYPES: Array<{ mime: string; magic: number[] }> = [
  { mime: 'image/jpeg', magic: [0xff, 0xd8, 0xff] }, { mime: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47] }, { mime: 'image/webp', magic: [0x52, 0x49, 0x46, 0x46] },
];

/** The image type of `bytes` (JPEG, PNG or WebP by their first bytes), or a bad_request. */
export function photoMime(bytes: Uint8Array): string {
  if (bytes.length > PHOTO_MAX_BYTES) throw new WanggeError('too_large', `a photo is at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB`, { parameter: 'photo' });
  const t = PHOTO_TYPES.find((p) => p.magic.every((b, i) => bytes[i] === b));
  if (!t) throw new WanggeError('bad_request', 'a photo is a JPEG, PNG or WebP image', { parameter: 'photo' });
  return t.mime;
}

/** Store a photo of an event (its report or its result); returns its number. */
export async function addPhoto(db: Kysely<DB>, jcode: string, id: number, kind: 'report' | 'result', bytes: Uint8Array, now: Date): Promise<number> {
  const mime = photoMime(bytes);
  return db.transaction().execute(async (trx) => {
    const ev = await trx.selectFrom('events').select(['id']).where('jcode', '=', jcode).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!ev) throw new WanggeError('not_found', `no event ${id} in ${jcode}`, { parameter: 'id' });
    const last = await trx.selectFrom('event_photos').select((eb) => eb.fn.max('n').as('n')).where('jcode', '=', jcode).where('event_id', '=', id).executeTakeFirst();
    const n = Number(last?.n ?? 0) + 1;
    await trx.insertInto('event_photos').values({ jcode, event_id: id, n, kind, mime, bytes: Buffer.from(bytes), at: now }).execute();
    await trx.updateTable('events').set(kind === 'report' ? { photos: sql`photos + 1` } : { result_photos: sql`result_photos + 1` })
      .where('jcode', '=', jcode).where('id', '=', id).execute();
    return n;
  });
}

/** A photo, whoever asks (callers check scope first); null when there is none. */
export async function readPhoto(db: Kysely<DB>, jcode: string, id: number, n: number): Promise<{ mime: string; bytes: Buffer; kind: string } | null> {
  const r = await db.selectFrom('event_photos').select(['mime', 'bytes', 'kind']).where('jcode', '=', jcode).where('event_id', '=', id).where('n', '=', n).executeTakeFirst();
  return r ? { mime: r.mime, bytes: Buffer.from(r.bytes), kind: r.kind } : null;
}

/** Whether `stage` is final (no light). */
export function isFinal(stage: Stage): boolean {
  return FINAL_STAGES.includes(stage);
}

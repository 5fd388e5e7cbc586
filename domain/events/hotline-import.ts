/**
 * 12345 hotline work orders from CSV (UTF-8 or GBK) or Excel (.xlsx, read with exceljs) into events of one
 * jurisdiction. Every row is checked first and each bad one reported with its row number (the header is row 1)
 * and why; a file with any bad row writes nothing. A good file is written in one transaction. The order number is
 * the key: orders already imported are skipped, so importing the same file again creates no duplicates.
 *
 * Columns (Chinese or English headers): 工单号 order_no · 事项编码 type_code · 诉求内容 description · 地址 address ·
 * 经度 lon · 纬度 lat · 坐标系 crs (wgs84|gcj02|bd09) · 来电人 caller · 联系电话 phone · 受理时间 received_at ·
 * 紧急程度 priority (一般|紧急|normal|urgent). A row needs coordinates or an address.
 */
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { WanggeError } from '../../data/errors.ts';
import { eventType } from './event-codes.ts';
import { eventRow, typeSettings, DUPLICATE_HOURS, type TypeSettings } from './event-repository.ts';
import { linkDuplicates, type DupCandidate } from './link-duplicates.ts';
import { placeByAddress, placePoints, pointCrs, toWgs84, type Placement } from './place-event.ts';

export const HOTLINE_MAX_ROWS = 200_000;

const HEADERS: Record<string, string[]> = {
  orderNo: ['工单号', '工单编号', 'order_no', 'orderno'],
  typeCode: ['事项编码', '类型编码', '事件类型编码', 'type_code', 'service_code'],
  description: ['诉求内容', '描述', '内容', 'description'],
  address: ['地址', '事发地址', 'address'],
  lon: ['经度', 'lon', 'lng', 'long', 'longitude'],
  lat: ['纬度', 'lat', 'latitude'],
  crs: ['坐标系', 'crs'],
  caller: ['来电人', '联系人', 'caller', 'name'],
  phone: ['联系电话', '电话', 'phone'],
  receivedAt: ['受理时间', '来电时间', 'received_at', 'time'],
  priority: ['紧急程度', 'priority'],
};
type Field = keyof typeof HEADERS;

export interface RowError { row: number; orderNo: string | null; field: string; message: string }

export interface HotlineReport {
  ok: boolean;
  rows: number;
  inserted: number;
  /** orders imported before (same jurisdiction and order number) */
  skipped: number;
  /** new events linked to an open event they repeat */
  duplicates: number;
  errors: RowError[];
  ms: number;
  /** milliseconds by phase: read (the file's cells), check (rows), route (grids by point and address), duplicates (ids and links), write (events, first transitions) */
  phases: Record<string, number>;
}

type Cells = Array<{ row: number; values: string[] }>;

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o = v as unknown as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text: string }>).map((t) => t.text).join('');
    if ('result' in o) return cellText(o.result as ExcelJS.CellValue);
    if ('text' in o) return String(o.text);
    if ('error' in o) return '';
  }
  return String(v);
}

async function readXlsx(bytes: Uint8Array): Promise<Cells> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (e) {
    throw new WanggeError('bad_file', `not a readable .xlsx file (${String((e as Error).message).slice(0, 120)})`, { parameter: 'file' });
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new WanggeError('bad_file', 'the workbook has no sheet', { parameter: 'file' });
  const out: Cells = [];
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    const vals = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
    out.push({ row: n, values: vals });
  });
  return out;
}

function readCsv(bytes: Uint8Array): Cells {
  const buf = Buffer.from(bytes);
  let text = buf.toString('utf8');
  // Excel in China saves CSV as GBK: not valid UTF-8
  if (text.includes('\uFFFD')) text = iconv.decode(buf, 'gbk');
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][];
  } catch (e) {
    throw new WanggeError('bad_file', `not a readable CSV file (${String((e as Error).message).slice(0, 160)})`, { parameter: 'file' });
  }
  return records.map((values, i) => ({ row: i + 1, values })).filter((r) => r.values.some((v) => v !== ''));
}

/** The cells of a CSV or .xlsx file (by its first bytes: a zip is .xlsx). */
export async function readHotlineCells(bytes: Uint8Array): Promise<Cells> {
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? readXlsx(bytes) : readCsv(bytes);
}

function columnsOf(header: string[]): { cols: Partial<Record<Field, number>>; missing: string[] } {
  const norm = header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const cols: Partial<Record<Field, number>> = {};
  for (const [field, names] of Object.entries(HEADERS) as Array<[Field, string[]]>) {
    const k = norm.findIndex((h) => names.includes(h));
    if (k >= 0) cols[field] = k;
  }
  const missing = (['orderNo', 'typeCode'] as Field[]).filter((f) => cols[f] === undefined).map((f) => HEADERS[f][0]);
  return { cols, missing };
}

function parseTime(s: string): Date | null {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', se = '0', frac = '0', tz] = m;
  // local times of the hotline are China Standard Time unless the value says otherwise
  const zone = tz ? (tz === 'Z' ? 'Z' : tz.length === 5 ? `${tz.slice(0, 3)}:${tz.slice(3)}` : tz) : '+08:00';
  const t = new Date(`${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}T${h.padStart(2, '0')}:${mi}:${se.padStart(2, '0')}.${frac.padEnd(3, '0')}${zone}`);
  return Number.isNaN(t.getTime()) ? null : t;
}

interface Parsed {
  row: number; orderNo: string; typeCode: string; description: string; address: string | null; point: [number, number] | null;
  caller: string | null; phone: string | null; receivedAt: Date; priority: 'normal' | 'urgent';
}

/** rows per INSERT statement: each column travels as one array parameter */
const WRITE_CHUNK = 20_000;

type EventRowOf = ReturnType<typeof eventRow>;

/**
 * Insert routed rows with their ids taken beforehand and their duplicate links, and their first transition, in
 * two statements per chunk: every column is one array parameter unnested server-side (no per-row statements, no
 * JSON to parse, points made from two float arrays), and nothing is updated afterwards.
 */
async function insertEvents(db: Kysely<DB>, jcode: string, rows: Array<{ id: number; row: EventRowOf; duplicateOf: number | null }>, now: Date, actor: string): Promise<void> {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    const c = rows.slice(i, i + WRITE_CHUNK);
    const col = <T>(f: (r: EventRowOf) => T): T[] => c.map((x) => f(x.row));
    const ids = c.map((x) => x.id);
    const iso = (d: Date) => d.toISOString();
    await sql`INSERT INTO events (id, jcode, kind, type_code, source, stage, priority, description, address, plan_id, grid_code, community_code,
        township_code, reporter_name, reporter_phone, reported_by, reported_at, updated_at, deadline_at, yellow_at, hotline_order_no, geom, duplicate_of)
      SELECT u.id, ${jcode}, u.kind, u.type_code, 'hotline', 'reported', u.priority, u.description, u.address, u.plan_id, u.grid_code, u.community_code,
        u.township_code, u.reporter_name, u.reporter_phone, ${actor}, u.reported_at, ${now}, u.deadline_at, u.yellow_at, u.order_no,
        ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), u.duplicate_of
      FROM unnest(${ids}::bigint[], ${col((r) => r.kind)}::text[], ${col((r) => r.type_code)}::text[], ${col((r) => r.priority)}::text[],
        ${col((r) => r.description)}::text[], ${col((r) => r.address)}::text[], ${col((r) => r.plan_id)}::bigint[], ${col((r) => r.grid_code)}::text[],
        ${col((r) => r.community_code)}::text[], ${col((r) => r.township_code)}::text[], ${col((r) => r.reporter_name)}::text[],
        ${col((r) => r.reporter_phone)}::text[], ${col((r) => iso(r.reported_at))}::timestamptz[], ${col((r) => iso(r.deadline_at))}::timestamptz[],
        ${col((r) => iso(r.yellow_at))}::timestamptz[], ${col((r) => r.hotline_order_no)}::text[], ${col((r) => r.lon)}::float8[], ${col((r) => r.lat)}::float8[],
        ${c.map((x) => x.duplicateOf)}::bigint[])
        AS u(id, kind, type_code, priority, description, address, plan_id, grid_code, community_code, township_code, reporter_name, reporter_phone,
          reported_at, deadline_at, yellow_at, order_no, lon, lat, duplicate_of)`.execute(db);
    await sql`INSERT INTO event_transitions (jcode, event_id, seq, action, from_stage, to_stage, actor, role, at, data)
      SELECT ${jcode}, u.id, 1, 'report', NULL, 'reported', ${actor}, 'hotline', ${now}, '{"source":"hotline"}'::jsonb
      FROM unnest(${ids}::bigint[]) AS u(id)`.execute(db);
  }
}

/**
 * Import a hotline file into jurisdiction `jcode` at `now` as `actor`; `onProgress` hears the phase.
 * @example await importHotline(db, '370199000000', bytes, new Date(), 'commander1') // { ok: true, inserted: 812, skipped: 0, errors: [] }
 */
export async function importHotline(db: Kysely<DB>, jcode: string, bytes: Uint8Array, now: Date, actor: string): Promise<HotlineReport> {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let mark = t0;
  const lap = (phase: string) => { const t = performance.now(); phases[phase] = Math.round(t - mark); mark = t; };
  const cells = await readHotlineCells(bytes);
  lap('read');
  if (cells.length < 1) throw new WanggeError('bad_file', 'the file is empty: a header row and one row per order', { parameter: 'file' });
  if (cells.length - 1 > HOTLINE_MAX_ROWS) throw new WanggeError('too_large', `at most ${HOTLINE_MAX_ROWS} orders per file`, { parameter: 'file' });
  const { cols, missing } = columnsOf(cells[0].values);
  if (missing.length) throw new WanggeError('bad_file', `the header row (row ${cells[0].row}) lacks the column ${missing.join(', ')}`, { parameter: 'file', line: cells[0].row });
  const errors: RowError[] = [];
  const parsed: Parsed[] = [];
  const seen = new Map<string, number>();
  const get = (vals: string[], f: Field) => (cols[f] === undefined ? '' : (vals[cols[f]!] ?? '').trim());
  for (const { row, values } of cells.slice(1)) {
    const orderNo = get(values, 'orderNo');
    const fail = (field: string, message: string) => errors.push({ row, orderNo: orderNo || null, field, message });
    const before = errors.length;
    if (!orderNo) fail('order_no', 'no order number');
    else if (orderNo.length > 64) fail('order_no', 'the order number is longer than 64 characters');
    else if (seen.has(orderNo)) fail('order_no', `order ${orderNo} is also in row ${seen.get(orderNo)}`);
    else seen.set(orderNo, row);
    const typeCode = get(values, 'typeCode');
    if (!eventType(typeCode)) fail('type_code', `no event type ${JSON.stringify(typeCode.slice(0, 20))}`);
    const description = get(values, 'description') || (eventType(typeCode)?.nameZh ?? '');
    if (description.length > 4000) fail('description', 'longer than 4000 characters');
    const address = get(values, 'address') || null;
    const lonText = get(values, 'lon');
    const latText = get(values, 'lat');
    let point: [number, number] | null = null;
    if (lonText || latText) {
      const crs = pointCrs(get(values, 'crs'));
      if (!crs) fail('crs', `the coordinate system ${JSON.stringify(get(values, 'crs').slice(0, 20))} is not wgs84, gcj02 or bd09`);
      else {
        try {
          point = toWgs84(Number(lonText === '' ? NaN : lonText), Number(latText === '' ? NaN : latText), crs);
        } catch (e) {
          fail('lon', (e as Error).message);
        }
      }
    } else if (!address) fail('address', 'neither coordinates nor an address');
    const timeText = get(values, 'receivedAt');
    const receivedAt = timeText ? parseTime(timeText) : now;
    if (!receivedAt) fail('received_at', `${JSON.stringify(timeText.slice(0, 30))} is not a time (YYYY-MM-DD HH:MM[:SS])`);
    else if (receivedAt.getTime() > now.getTime() + 3_600_000) fail('received_at', 'received in the future');
    const pr = get(values, 'priority').toLowerCase();
    if (pr && !['一般', '紧急', 'normal', 'urgent'].includes(pr)) fail('priority', `${JSON.stringify(pr.slice(0, 10))} is not 一般/紧急 (normal/urgent)`);
    if (errors.length === before) {
      parsed.push({
        row, orderNo, typeCode, description, address, point, caller: get(values, 'caller') || null, phone: get(values, 'phone') || null,
        receivedAt: receivedAt!, priority: pr === '紧急' || pr === 'urgent' ? 'urgent' : 'normal',
      });
    }
  }
  lap('check');
  const rows = cells.length - 1;
  // routing and writing in one transaction, without JIT: each statement takes up to 200,000 rows and the planner's
  // estimates over them are large enough to make PostgreSQL compile every one, which costs more than it saves
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL jit = off`.execute(trx);
    // orders imported before are not routed again (a re-import costs the reading of the file only)
    const known = new Set((await trx.selectFrom('events').select('hotline_order_no').where('jcode', '=', jcode)
      .where(sql<boolean>`hotline_order_no = ANY (${parsed.map((p) => p.orderNo)}::text[])`).execute()).map((r) => r.hotline_order_no));
    // routing: every point in one statement, each address once
    const withPoint = parsed.filter((p) => p.point && !known.has(p.orderNo));
    const placed = await placePoints(trx, withPoint.map((p) => p.point!), jcode);
    const where = new Map<number, Placement>();
    withPoint.forEach((p, k) => {
      const found = placed[k];
      if (found && 'gridCode' in found) where.set(p.row, found);
      else errors.push({ row: p.row, orderNo: p.orderNo, field: 'lon', message: `the point ${p.point![0].toFixed(6)}, ${p.point![1].toFixed(6)} (WGS-84) is outside every grid of ${jcode}` });
    });
    const byAddress = new Map<string, Placement | string>();
    for (const p of parsed.filter((x) => !x.point && !known.has(x.orderNo))) {
      let found = byAddress.get(p.address!);
      if (found === undefined) {
        try {
          found = await placeByAddress(trx, p.address!, jcode);
        } catch (e) {
          found = (e as Error).message;
        }
        byAddress.set(p.address!, found);
      }
      if (typeof found === 'string') errors.push({ row: p.row, orderNo: p.orderNo, field: 'address', message: found });
      else where.set(p.row, found);
    }
    errors.sort((a, b) => a.row - b.row);
    lap('route');
    // a file with any bad row writes nothing
    if (errors.length) return { ok: false, rows, inserted: 0, skipped: 0, duplicates: 0, errors, ms: Math.round(performance.now() - t0), phases };

    const fresh = parsed.filter((p) => !known.has(p.orderNo));
    const settings = new Map<string, TypeSettings>();
    for (const code of new Set(fresh.map((p) => p.typeCode))) settings.set(code, await typeSettings(trx, jcode, eventType(code)!));
    const records = fresh.map((p) => eventRow({
      typeCode: p.typeCode, source: 'hotline', description: p.description, priority: p.priority, address: p.address ?? undefined,
      reporter: { name: p.caller, phone: p.phone }, reportedBy: actor, hotlineOrderNo: p.orderNo, reportedAt: p.receivedAt,
    }, eventType(p.typeCode)!, where.get(p.row)!, settings.get(p.typeCode)!, now));
    // ids first (from the events' own identity sequence), so that the duplicate links are known before the rows are
    // written and every row is written once
    const ids = records.length === 0 ? [] : (await sql<{ id: string }>`SELECT nextval(pg_get_serial_sequence('events', 'id')) AS id
      FROM generate_series(1, ${records.length}::int) ORDER BY 1`.execute(trx)).rows.map((r) => Number(r.id));
    // each new order repeating an open event of its type within 50 m and 24 h before it is linked to that event (a
    // stored one or another new one): the stored candidates are read once and matched in memory (link-duplicates.ts)
    let links = new Map<number, number>();
    if (records.length) {
      const times = records.map((r) => r.reported_at.getTime());
      const from = new Date(times.reduce((a, b) => Math.min(a, b)) - DUPLICATE_HOURS * 3_600_000);
      const to = new Date(times.reduce((a, b) => Math.max(a, b)));
      type P = { id: number; type_code: string; at: Date; lon: number; lat: number; duplicate_of: number | null };
      const stored = (await sql<P>`SELECT e.id, e.type_code, e.reported_at AS at, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, e.duplicate_of FROM events e
        WHERE e.jcode = ${jcode} AND e.closed_at IS NULL AND e.geom IS NOT NULL AND e.type_code = ANY (${[...new Set(fresh.map((p) => p.typeCode))]}::text[])
          AND e.reported_at >= ${from} AND e.reported_at <= ${to}`.execute(trx)).rows;
      links = linkDuplicates(
        records.map((r, k): DupCandidate => ({ id: ids[k], typeCode: r.type_code, at: r.reported_at.getTime(), lon: r.lon, lat: r.lat, root: null })),
        stored.map((r): DupCandidate => ({ id: Number(r.id), typeCode: r.type_code, at: new Date(r.at).getTime(), lon: Number(r.lon), lat: Number(r.lat), root: r.duplicate_of === null ? null : Number(r.duplicate_of) })),
      );
    }
    lap('duplicates');
    await insertEvents(trx, jcode, records.map((row, k) => ({ id: ids[k], row, duplicateOf: links.get(ids[k]) ?? null })), now, actor);
    lap('write');
    const linked = links.size;
    return {
      ok: true, rows, inserted: fresh.length, skipped: parsed.length - fresh.length, duplicates: linked, errors: [],
      ms: Math.round(performance.now() - t0), phases,
    };
  });
}

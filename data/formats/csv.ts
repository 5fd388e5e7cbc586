/**
 * CSV of points: a longitude and a latitude column (lon, lng, long, longitude, 经度, x; lat, latitude, 纬度,
 * y; case-insensitive), every other column an attribute. Comma, semicolon or tab separated; UTF-8 (BOM
 * allowed) or --encoding gbk. Errors name the file and the 1-based line.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { WanggeError } from '../errors.ts';
import type { SourceFeature } from '../importers/layer-records.ts';
import { decodeText, normalizeEncoding } from './text-encoding.ts';

export const LON_COLUMNS = ['lon', 'lng', 'long', 'longitude', '经度', 'x', 'point_x'];
export const LAT_COLUMNS = ['lat', 'latitude', '纬度', 'y', 'point_y'];

function findColumn(header: string[], names: string[]): string | null {
  for (const n of names) {
    const h = header.find((c) => c.trim().toLowerCase() === n);
    if (h !== undefined) return h;
  }
  return null;
}

/** Read a CSV file into point features. */
export function readCsv(file: string, opts: { encoding?: string } = {}): SourceFeature[] {
  const label = path.basename(file);
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const declared = opts.encoding !== undefined;
  const text = decodeText(buf, declared ? normalizeEncoding(opts.encoding!) : 'utf-8', { file: label }, declared, true);
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true, info: true, delimiter: [',', ';', '\t'] }) as any;
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new WanggeError('bad_file', `not valid CSV: ${err.message}`, { file: label, line: err.lines });
  }
  if (rows.length === 0) throw new WanggeError('bad_file', 'the CSV holds no rows', { file: label });
  const header = Object.keys(rows[0].record);
  const lonCol = findColumn(header, LON_COLUMNS);
  const latCol = findColumn(header, LAT_COLUMNS);
  if (!lonCol || !latCol) {
    throw new WanggeError('bad_file', `no ${lonCol ? 'latitude' : 'longitude'} column (columns: ${header.join(', ')}; expected ${(lonCol ? LAT_COLUMNS : LON_COLUMNS).join('/')})`, { file: label, line: 1 });
  }
  return rows.map(({ record, info }) => {
    const where = { file: label, line: info.lines };
    const xs = record[lonCol];
    const ys = record[latCol];
    const x = Number(xs);
    const y = Number(ys);
    if (xs === '' || ys === '' || xs === undefined || ys === undefined || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new WanggeError('bad_feature', `coordinates ${JSON.stringify(xs ?? '')}, ${JSON.stringify(ys ?? '')} are not numbers`, { ...where, field: `${lonCol}/${latCol}` });
    }
    const properties: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) if (k !== lonCol && k !== latCol) properties[k] = v;
    return { geometry: { type: 'Point', coordinates: [x, y] }, properties, where };
  });
}

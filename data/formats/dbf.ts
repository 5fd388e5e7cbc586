/**
 * dBase III (.dbf) attribute tables of Shapefiles, read and written.
 *
 * Reader: the records come from `dbffile` (a maintained dBase reader: header, field descriptors, deleted
 * flags, numbers, dates, logicals). Text is taken from it byte for byte (read as ISO-8859-1, which maps each
 * byte to one character) and decoded here with text-encoding.ts in the encoding resolved as: --encoding,
 * else the .cpg file, else the language driver byte of the header (0x4D / 0x7A = CP936), else UTF-8, so that
 * wrong encodings are refused naming the record and field instead of stored as mojibake. A number field that
 * holds no number is refused the same way.
 *
 * Writer (a plan's grids): CODE C(40), HOUSEHOLDS N(10,0), COMMUNITY C(40), REASON C(20); text in UTF-8 as
 * the shapefile's .cpg says, cut at a character boundary.
 */
import { readFileSync } from 'node:fs';
import { DBFFile, DELETED } from 'dbffile';
import { WanggeError, type ErrorWhere } from '../errors.ts';
import type { GridFeatureOut } from './grid-feature.ts';
import { decodeText } from './text-encoding.ts';

export interface DbfField { name: string; type: string; length: number; decimals: number }
export interface DbfTable { fields: DbfField[]; records: (Record<string, unknown> | null)[]; languageDriver: number }

/** CP936 language driver ids (ESRI writes 0x4D; some tools 0x7A). */
export const GBK_LANGUAGE_DRIVERS = new Set([0x4d, 0x7a]);

/** The encoding the header's language driver byte names, or null when it names none Wangge knows. */
export function encodingFromLanguageDriver(ldid: number): string | null {
  if (GBK_LANGUAGE_DRIVERS.has(ldid)) return 'gbk';
  if (ldid === 0x78) return 'big5';
  return null;
}

/** The language driver byte of a .dbf header (0 when there is none). */
export function dbfLanguageDriver(buf: Uint8Array): number {
  return buf.length > 29 ? buf[29] : 0;
}

/** dbffile gives text as ISO-8859-1: one character per byte, so the bytes come back unchanged. */
const bytesOf = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The bytes without trailing NULs (some writers pad text with them instead of spaces). */
function withoutTrailingNuls(b: Buffer): Buffer {
  let e = b.length;
  while (e > 0 && b[e - 1] === 0) e--;
  return b.subarray(0, e);
}

function textValue(raw: string, encoding: string, where: ErrorWhere, declared: boolean): string | null {
  const s = decodeText(withoutTrailingNuls(bytesOf(raw)), encoding, where, declared).trim();
  return s === '' ? null : s;
}

/**
 * Read the .dbf at `file`; `records[i]` is null for a record marked deleted, so record i stays shape i.
 * `label` names the file in errors.
 */
export async function readDbf(file: string, label: string, encoding: string, declared: boolean): Promise<DbfTable> {
  const head = readFileSync(file).subarray(0, 32);
  if (head.length < 32) throw new WanggeError('bad_file', 'not a dBase file (too short)', { file: label });
  let table: DBFFile;
  let rows: Awaited<ReturnType<DBFFile['readRecords']>>;
  try {
    table = await DBFFile.open(file, { encoding: 'latin1', readMode: 'loose', includeDeletedRecords: true });
    rows = await table.readRecords();
  } catch (e) {
    throw new WanggeError('bad_file', `not a dBase file or damaged (${(e as Error).message})`, { file: label });
  }
  if (rows.length < table.recordCount) {
    throw new WanggeError('bad_file', `truncated: the header announces ${table.recordCount} records, the file holds ${rows.length}`, { file: label });
  }
  const fields = table.fields.map((f, i): DbfField => ({
    name: decodeText(bytesOf(f.name), encoding, { file: label, field: `#${i + 1}` }, declared).trim(),
    type: f.type, length: f.size, decimals: f.decimalPlaces ?? 0,
  }));
  const records = rows.map((row, i): Record<string, unknown> | null => {
    if (row[DELETED]) return null;
    const rec: Record<string, unknown> = {};
    table.fields.forEach((f, k) => {
      const name = fields[k].name;
      if (!(f.name in row)) return; // a field type dbffile does not read
      const v = row[f.name];
      const where = { file: label, featureIndex: i, field: name };
      if (typeof v === 'string') rec[name] = textValue(v, encoding, where, declared);
      else if (typeof v === 'number' && Number.isNaN(v)) {
        throw new WanggeError('bad_feature', 'number field holds no number', where);
      } else if (v instanceof Date) rec[name] = Number.isNaN(v.getTime()) ? null : v.toISOString().slice(0, 10);
      else rec[name] = v ?? null;
    });
    return rec;
  });
  return { fields, records, languageDriver: dbfLanguageDriver(head) };
}

// ---- writer ----

export const GRID_DBF_FIELDS = [
  { name: 'CODE', type: 'C', width: 40, get: (p: GridFeatureOut['properties']) => p.code },
  { name: 'HOUSEHOLDS', type: 'N', width: 10, get: (p: GridFeatureOut['properties']) => String(Math.round(p.households)) },
  { name: 'COMMUNITY', type: 'C', width: 40, get: (p: GridFeatureOut['properties']) => p.community ?? '' },
  { name: 'REASON', type: 'C', width: 20, get: (p: GridFeatureOut['properties']) => p.reason ?? '' },
] as const;

/** UTF-8 bytes of `s`, cut at a character boundary to at most `width` bytes. */
function utf8Within(s: string, width: number): Buffer {
  let b = Buffer.from(s, 'utf8');
  if (b.length <= width) return b;
  let end = width;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  b = b.subarray(0, end);
  return b;
}

/** The dBASE III table of the grids' attributes. */
export function writeDbf(features: GridFeatureOut[], now = new Date()): Buffer {
  const headerLength = 32 + 32 * GRID_DBF_FIELDS.length + 1;
  const recordLength = 1 + GRID_DBF_FIELDS.reduce((n, f) => n + f.width, 0);
  const buf = Buffer.alloc(headerLength + recordLength * features.length + 1, 0x20);
  buf.fill(0, 0, headerLength);
  buf.writeUInt8(0x03, 0);
  buf.writeUInt8(now.getUTCFullYear() - 1900, 1);
  buf.writeUInt8(now.getUTCMonth() + 1, 2);
  buf.writeUInt8(now.getUTCDate(), 3);
  buf.writeUInt32LE(features.length, 4);
  buf.writeUInt16LE(headerLength, 8);
  buf.writeUInt16LE(recordLength, 10);
  GRID_DBF_FIELDS.forEach((f, i) => {
    const at = 32 + 32 * i;
    buf.write(f.name, at, 'ascii');
    buf.write(f.type, at + 11, 'ascii');
    buf.writeUInt8(f.width, at + 16);
    buf.writeUInt8(0, at + 17);
  });
  buf.writeUInt8(0x0d, headerLength - 1);
  features.forEach((feat, r) => {
    let at = headerLength + r * recordLength + 1; // deletion flag ' ' already there
    for (const f of GRID_DBF_FIELDS) {
      const v = utf8Within(f.get(feat.properties), f.width);
      v.copy(buf, f.type === 'N' ? at + f.width - v.length : at);
      at += f.width;
    }
  });
  buf.writeUInt8(0x1a, buf.length - 1);
  return buf;
}

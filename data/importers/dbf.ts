/**
 * A dBase III/IV (.dbf) attribute table reader for Shapefiles. Text fields are decoded with text-encoding.ts
 * in the encoding resolved as: --encoding, else the .cpg file, else the language driver byte of the header
 * (0x4D / 0x7A = CP936), else UTF-8. Wrong encodings are refused naming the record and field.
 */
import { WanggeError } from '../errors.ts';
import { decodeText } from './text-encoding.ts';

export interface DbfField { name: string; type: string; length: number; decimals: number; offset: number }
export interface DbfTable { fields: DbfField[]; records: (Record<string, unknown> | null)[]; languageDriver: number }

/** CP936 language driver ids (ESRI writes 0x4D; some tools 0x7A). */
export const GBK_LANGUAGE_DRIVERS = new Set([0x4d, 0x7a]);

/** The encoding the header's language driver byte names, or null when it names none Wangge knows. */
export function encodingFromLanguageDriver(ldid: number): string | null {
  if (GBK_LANGUAGE_DRIVERS.has(ldid)) return 'gbk';
  if (ldid === 0x78) return 'big5';
  return null;
}

/** Read the header only (for the language driver). */
export function dbfLanguageDriver(buf: Buffer): number {
  return buf.length > 29 ? buf[29] : 0;
}

/**
 * Parse a .dbf buffer; `records[i]` is null for a record marked deleted. `file` names the file in errors.
 */
export function readDbf(buf: Buffer, file: string, encoding: string, declared: boolean): DbfTable {
  if (buf.length < 33) throw new WanggeError('bad_file', 'not a dBase file (too short)', { file });
  const n = buf.readUInt32LE(4);
  const headerLen = buf.readUInt16LE(8);
  const recLen = buf.readUInt16LE(10);
  if (headerLen < 33 || recLen < 1 || headerLen + n * recLen > buf.length + 1) {
    throw new WanggeError('bad_file', `not a dBase file or truncated (header ${headerLen} B, ${n} records of ${recLen} B, file ${buf.length} B)`, { file });
  }
  const fields: DbfField[] = [];
  let offset = 1;
  for (let p = 32; p + 32 <= headerLen && buf[p] !== 0x0d; p += 32) {
    const raw = buf.subarray(p, p + 11);
    const end = raw.indexOf(0);
    const name = decodeText(raw.subarray(0, end < 0 ? 11 : end), encoding, { file, field: `#${fields.length + 1}` }, declared).trim();
    const f: DbfField = { name, type: String.fromCharCode(buf[p + 11]), length: buf[p + 16], decimals: buf[p + 17], offset };
    offset += f.length;
    fields.push(f);
  }
  const records: (Record<string, unknown> | null)[] = [];
  for (let i = 0; i < n; i++) {
    const start = headerLen + i * recLen;
    if (buf[start] === 0x2a) { records.push(null); continue; }
    const rec: Record<string, unknown> = {};
    for (const f of fields) {
      const bytes = buf.subarray(start + f.offset, start + f.offset + f.length);
      const where = { file, featureIndex: i, field: f.name };
      switch (f.type) {
        case 'C': {
          let e = bytes.length;
          while (e > 0 && (bytes[e - 1] === 0x20 || bytes[e - 1] === 0)) e--;
          const s = decodeText(bytes.subarray(0, e), encoding, where, declared).trim();
          rec[f.name] = s === '' ? null : s;
          break;
        }
        case 'N': case 'F': {
          const s = bytes.toString('latin1').trim();
          if (s === '' || /^\*+$/.test(s)) { rec[f.name] = null; break; }
          const v = Number(s);
          if (!Number.isFinite(v)) throw new WanggeError('bad_feature', `number field holds ${JSON.stringify(s)}`, where);
          rec[f.name] = v;
          break;
        }
        case 'L': {
          const c = bytes.toString('latin1').trim().toUpperCase();
          rec[f.name] = c === 'T' || c === 'Y' ? true : c === 'F' || c === 'N' ? false : null;
          break;
        }
        case 'D': {
          const s = bytes.toString('latin1').trim();
          rec[f.name] = /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null;
          break;
        }
        default:
          rec[f.name] = decodeText(bytes, encoding, where, declared).trim() || null;
      }
    }
    records.push(rec);
  }
  return { fields, records, languageDriver: dbfLanguageDriver(buf) };
}

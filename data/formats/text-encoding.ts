/**
 * Decoding attribute text (Shapefile .dbf, CSV) in the encoding the data were written in: UTF-8 by default,
 * GBK/CP936 (also GB18030, Big5, Latin-1 …) through iconv-lite. Wrong encodings are refused rather than
 * stored as mojibake:
 * - read as UTF-8, bytes that are not valid UTF-8 (typically GBK text) → refused with a hint to declare
 *   `--encoding gbk` (or a .cpg file);
 * - declared GBK, bytes that are valid multi-byte UTF-8 → refused with a hint to declare UTF-8;
 * - any decoding that yields U+FFFD replacement characters → refused.
 */
import iconv from 'iconv-lite';
import { WanggeError, type ErrorWhere } from '../errors.ts';

/** A canonical encoding name for a user or .cpg value ("936", "CP936", "ANSI 936", "GB2312", "utf8" …). */
export function normalizeEncoding(value: string, where: ErrorWhere = {}): string {
  const v = value.trim().toLowerCase().replace(/^ansi\s*/, '').replace(/[\s_]/g, '');
  if (v === '' || v === 'utf8' || v === 'utf-8' || v === '65001') return 'utf-8';
  if (['gbk', 'cp936', '936', 'gb2312', 'windows-936', 'ms936', 'euc-cn', 'gb-2312'].includes(v)) return 'gbk';
  if (v === 'gb18030' || v === '54936') return 'gb18030';
  if (v === 'big5' || v === 'cp950' || v === '950') return 'big5';
  if (v === 'latin1' || v === 'iso-8859-1' || v === 'iso88591' || v === '1252' || v === 'cp1252' || v === 'windows-1252') return 'win1252';
  if (iconv.encodingExists(v)) return v;
  throw new WanggeError('bad_request', `unknown text encoding ${JSON.stringify(value)} (use utf-8, gbk, gb18030, big5 …)`, { ...where, parameter: where.parameter ?? 'encoding' });
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decode `bytes` in `encoding`, refusing the wrong-encoding cases above. `declared` says whether the user
 * (or a .cpg) named the encoding; the hint differs.
 */
export function decodeText(bytes: Uint8Array, encoding: string, where: ErrorWhere, declared: boolean, multiline = false): string {
  let firstHigh = -1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) { firstHigh = i; break; }
  if (firstHigh < 0) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // in a whole file, name the line of the first non-ASCII byte
  const at: ErrorWhere = multiline ? { ...where, line: 1 + bytes.subarray(0, firstHigh).filter((b) => b === 0x0a).length } : where;
  if (encoding === 'utf-8') {
    if (!isValidUtf8(bytes)) {
      const gbk = iconv.decode(Buffer.from(bytes.subarray(firstHigh, firstHigh + 60)), 'gbk');
      const looksGbk = !gbk.includes('\uFFFD') && /[\u4e00-\u9fff]/.test(gbk);
      throw new WanggeError('bad_file',
        `text is not valid UTF-8${looksGbk ? ` (it reads as GBK: "${gbk.split(/[\n,;\t]/)[0].slice(0, 20)}")` : ''}; ${declared ? 'the declared encoding is wrong: ' : ''}declare the encoding with --encoding gbk${declared ? '' : ' or a .cpg file'}`,
        at);
    }
    const s = utf8Fatal.decode(bytes);
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  }
  if ((encoding === 'gbk' || encoding === 'gb18030') && isValidUtf8(bytes)) {
    // Chinese text in GBK is almost never also valid multi-byte UTF-8; UTF-8 read as GBK becomes mojibake.
    throw new WanggeError('bad_file', `text is UTF-8 (reads as "${utf8Fatal.decode(bytes.subarray(firstHigh)).split(/[\n,;\t]/)[0].slice(0, 20)}") but the encoding was declared ${encoding}; use --encoding utf-8`, at);
  }
  const s = iconv.decode(Buffer.from(bytes), encoding);
  if (s.includes('\uFFFD')) throw new WanggeError('bad_file', `text cannot be decoded as ${encoding} (replacement characters); declare the right --encoding`, at);
  return s;
}

/**
 * Which format a path holds: from --format, else the extension, else the first bytes.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { WanggeError } from '../errors.ts';

export const FORMATS = ['geojson', 'osm', 'pbf', 'csv', 'shapefile', 'gpkg', 'problem'] as const;
export type Format = (typeof FORMATS)[number];

const FORMAT_ALIASES: Record<string, Format> = {
  geojson: 'geojson', json: 'geojson', osm: 'osm', xml: 'osm', 'osm-xml': 'osm', pbf: 'pbf', 'osm-pbf': 'pbf', csv: 'csv',
  shapefile: 'shapefile', shp: 'shapefile', gpkg: 'gpkg', geopackage: 'gpkg', problem: 'problem', dir: 'problem',
};

/** A canonical format name, or WanggeError bad_request listing the accepted ones. */
export function parseFormat(value: string): Format {
  const f = FORMAT_ALIASES[value.trim().toLowerCase()];
  if (!f) throw new WanggeError('bad_request', `unknown format ${JSON.stringify(value)} (use ${FORMATS.join(', ')})`, { parameter: 'format' });
  return f;
}

function head(file: string, n = 64): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The format of `file` (a file or a problem directory). */
export function detectFormat(file: string, given?: string): Format {
  if (!existsSync(file)) throw new WanggeError('bad_file', 'no such file or directory', { file });
  if (given) return parseFormat(given);
  if (statSync(file).isDirectory()) return 'problem';
  const name = path.basename(file).toLowerCase().replace(/\.gz$/, '');
  if (/\.(geo)?json$/.test(name)) return 'geojson';
  if (/\.osm\.pbf$|\.pbf$/.test(name)) return 'pbf';
  if (/\.osm$|\.osm\.xml$|\.osc$/.test(name)) return 'osm';
  if (/\.(csv|tsv)$/.test(name)) return 'csv';
  if (/\.shp$/.test(name)) return 'shapefile';
  if (/\.gpkg$/.test(name)) return 'gpkg';
  let b = head(file, 4096);
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b, { finishFlush: 2 /* Z_SYNC_FLUSH: a truncated head is fine */ });
    } catch {
      throw new WanggeError('bad_file', 'gzip data that cannot be decompressed', { file: path.basename(file) });
    }
  }
  const text = b.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (b.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000') return 'gpkg';
  if (b.length >= 4 && b.readUInt32BE(0) === 9994) return 'shapefile';
  if (b.includes(Buffer.from('OSMHeader'))) return 'pbf';
  if (text.startsWith('{') || text.startsWith('[')) return 'geojson';
  if (text.startsWith('<')) return 'osm';
  if (/^[^\n]*[,;\t][^\n]*\n/.test(text)) return 'csv';
  throw new WanggeError('bad_request', `cannot tell the format of this file: give --format ${FORMATS.join('|')}`, { file: path.basename(file), parameter: 'format' });
}

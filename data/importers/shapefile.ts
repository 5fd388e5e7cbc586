/**
 * ESRI Shapefile: geometry from the .shp (the `shapefile` package), attributes from the .dbf (dbf.ts, with
 * GBK/CP936 support), the CRS from --crs or the .prj (crs-from-wkt.ts; an unrecognised .prj needs --crs).
 * Feature index = record number − 1.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import shapefile from 'shapefile';
import { WanggeError } from '../errors.ts';
import { crsFromWkt } from '../crs/crs-from-wkt.ts';
import { parseCrs, type Crs } from '../crs/parse-crs.ts';
import { encodingFromLanguageDriver, readDbf } from './dbf.ts';
import type { SourceFeature } from './layer-records.ts';
import { normalizeEncoding } from './text-encoding.ts';

function sibling(shp: string, ext: string): string | null {
  const base = shp.replace(/\.shp$/i, '');
  for (const e of [ext, ext.toUpperCase()]) if (existsSync(`${base}${e}`)) return `${base}${e}`;
  return null;
}

export interface ShapefileRead { features: SourceFeature[]; crs: Crs; encoding: string }

/** Read a shapefile's features and attributes; `crs`/`encoding` override the .prj/.cpg. */
export async function readShapefile(file: string, opts: { crs?: string; encoding?: string } = {}): Promise<ShapefileRead> {
  const label = path.basename(file);
  const dbfPath = sibling(file, '.dbf');
  if (!dbfPath) throw new WanggeError('bad_file', 'the .dbf attribute file beside the .shp is missing', { file: label });
  const dbfBuf = readFileSync(dbfPath);
  let encoding: string;
  let declared = true;
  if (opts.encoding) encoding = normalizeEncoding(opts.encoding);
  else {
    const cpg = sibling(file, '.cpg');
    const fromCpg = cpg ? readFileSync(cpg, 'latin1').trim() : '';
    const ld = encodingFromLanguageDriver(dbfBuf.length > 29 ? dbfBuf[29] : 0);
    if (fromCpg) encoding = normalizeEncoding(fromCpg, { file: path.basename(cpg!) });
    else if (ld) encoding = ld;
    else { encoding = 'utf-8'; declared = false; }
  }
  let crs: Crs;
  if (opts.crs) crs = parseCrs(opts.crs);
  else {
    const prj = sibling(file, '.prj');
    if (!prj) crs = parseCrs('wgs84');
    else {
      const wkt = readFileSync(prj, 'utf8');
      const found = crsFromWkt(wkt);
      if (!found) throw new WanggeError('bad_crs', `the .prj describes a coordinate system Wangge does not recognise (${wkt.slice(0, 80)}…); declare it with --crs`, { file: path.basename(prj) });
      crs = found;
    }
  }
  const table = readDbf(dbfBuf, path.basename(dbfPath), encoding, declared);
  let source;
  try {
    source = await shapefile.openShp(new Uint8Array(readFileSync(file)));
  } catch (e) {
    throw new WanggeError('bad_file', `not a readable shapefile (${(e as Error).message})`, { file: label });
  }
  const features: SourceFeature[] = [];
  for (let i = 0; ; i++) {
    let r;
    try {
      r = await source.read();
    } catch (e) {
      throw new WanggeError('bad_file', `shape record ${i + 1} cannot be read (${(e as Error).message})`, { file: label, featureIndex: i });
    }
    if (r.done) break;
    if (i >= table.records.length) throw new WanggeError('bad_file', `the .shp holds more shapes than the .dbf has records (${table.records.length})`, { file: label, featureIndex: i });
    const props = table.records[i];
    if (props === null) continue; // deleted in the .dbf
    features.push({ geometry: r.value, properties: props, where: { file: label, featureIndex: i } });
  }
  return { features, crs, encoding };
}

/**
 * GeoJSON (.geojson, .json, also gzipped): a FeatureCollection, a single Feature or a bare geometry,
 * validated feature by feature (geojson-read.ts). The CRS is --crs, else the legacy `crs` member
 * ("urn:ogc:def:crs:EPSG::4547"), else WGS-84 as RFC 7946 says.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { WanggeError } from '../errors.ts';
import { parseCrs, type Crs } from '../crs/parse-crs.ts';
import { checkFeature, readJson } from './geojson-read.ts';
import type { SourceFeature } from '../importers/layer-records.ts';

const GEOMETRY_TYPES = ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon'] as const;

export interface GeoJsonRead { features: SourceFeature[]; crs: Crs }

/** Read and validate a GeoJSON file. */
export function readGeoJson(file: string, opts: { crs?: string } = {}): GeoJsonRead {
  const label = path.basename(file);
  let j: any;
  try {
    j = readJson(file);
  } catch (e) {
    if (!(e instanceof WanggeError)) throw e;
    // name the file as the user knows it, and the line of a JSON syntax error
    const pos = /at position (\d+)/.exec(e.message);
    let line: number | undefined;
    if (pos) {
      try {
        const text = readFileSync(file);
        const plain = text[0] === 0x1f && text[1] === 0x8b ? gunzipSync(text) : text;
        line = plain.subarray(0, Number(pos[1])).toString('utf8').split('\n').length;
      } catch {
        line = undefined;
      }
    }
    throw new WanggeError(e.code, e.message, { ...e.where, file: label, line }, { cause: e });
  }
  let list: any[];
  if (j && j.type === 'FeatureCollection' && Array.isArray(j.features)) list = j.features;
  else if (j && j.type === 'Feature') list = [j];
  else if (j && (GEOMETRY_TYPES as readonly string[]).includes(j.type)) list = [{ type: 'Feature', geometry: j, properties: {} }];
  else throw new WanggeError('bad_file', 'not GeoJSON (expected a FeatureCollection, a Feature or a geometry)', { file: label });
  let crs: Crs;
  if (opts.crs) crs = parseCrs(opts.crs);
  else if (j.crs?.properties?.name) {
    try {
      crs = parseCrs(String(j.crs.properties.name));
    } catch (e) {
      throw new WanggeError('bad_crs', `the file's crs member ${JSON.stringify(j.crs.properties.name)} is not one Wangge knows; declare it with --crs`, { file: label }, { cause: e });
    }
  } else crs = parseCrs('wgs84');
  const features = list.map((f: any, i: number): SourceFeature => {
    // positions are checked against the declared CRS when they are converted
    checkFeature(f, i, GEOMETRY_TYPES, label, false);
    return { geometry: f.geometry, properties: f.properties ?? {}, where: { file: label, featureIndex: i } };
  });
  return { features, crs };
}

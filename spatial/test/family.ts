/**
 * Judging a partition of a test world the way the acceptance does, from the problem files and the
 * grids alone: the independent scorer's headline, plus what it does not measure — empty grids, sliver grids
 * (under 1,000 m²), and out-of-range grids without a certificate, each certificate re-checked against the
 * problem files where that can be done without the engine ('indivisible': a point above max inside the grid;
 * 'unit': a unit above max inside it; 'arithmetic': the stated component total admits no k).
 * Shared by the family benchmark (scripts/bench-family.ts) and the property test.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import type { ScoreHeadline } from './scorer.ts';
import { admissible } from '../rules/bounds.ts';

export const CERTIFIED = new Set(['dedicated', 'unit', 'indivisible', 'arithmetic', 'proven']);
export const SLIVER_M2 = 1000;

export interface GridProps { code: string; households: number; community?: string | null; reason?: string; component?: string; component_households?: number; bound?: number; solver?: string }

export interface WorldVerdict {
  grids: number;
  outOfRange: number;
  /** out-of-range grids with a certificate reason that checks out */
  certified: number;
  /** out-of-range grids without one (or whose certificate fails its check) */
  uncertified: number;
  /** uncertified allowed: max(1, 2% of the grids) */
  allowance: number;
  empty: number;
  /** empty grids that may be: a dedicated unit without residents, or a community part without households */
  emptyAllowed: number;
  slivers: number;
  /** slivers that are a whole community part of their own (the grid is its certified component: the problem forces them) */
  sliversWhole: number;
  /** certificates that failed their check from the problem files, with why */
  badCertificates: string[];
  reasons: Record<string, number>;
}

function readFc<G extends GeoJSON.Geometry>(file: string): FeatureCollection<G> {
  const f = existsSync(file) ? file : `${file}.gz`;
  return JSON.parse(readFileSync(f, 'utf8')) as FeatureCollection<G>;
}

/** Judge `grids` (the solution) against the problem directory. */
export function judgeWorld(problemDir: string, grids: FeatureCollection<Polygon | MultiPolygon, GridProps>): WorldVerdict {
  const params = existsSync(path.join(problemDir, 'params.json')) ? JSON.parse(readFileSync(path.join(problemDir, 'params.json'), 'utf8')) : {};
  const min: number = params.min ?? 400, max: number = params.max ?? 600;
  const points = readFc<Point>(path.join(problemDir, 'households.geojson')).features;
  const units = existsSync(path.join(problemDir, 'units.geojson')) ? readFc<Polygon | MultiPolygon>(path.join(problemDir, 'units.geojson')).features : [];
  const bigPoints = points.filter((p) => Number(p.properties?.households) > max);
  const unitHh = new Map<Feature<Polygon | MultiPolygon>, number>();
  for (const u of units) {
    const bb = turf.bbox(u);
    let h = 0;
    for (const p of points) {
      const [x, y] = p.geometry.coordinates;
      if (x < bb[0] || x > bb[2] || y < bb[1] || y > bb[3]) continue;
      if (turf.booleanPointInPolygon(p, u)) h += Number(p.properties?.households) || 0;
    }
    unitHh.set(u, h);
  }
  const bigUnits = units.filter((u) => (unitHh.get(u) ?? 0) > max);

  const v: WorldVerdict = { grids: grids.features.length, outOfRange: 0, certified: 0, uncertified: 0, allowance: Math.max(1, Math.floor(0.02 * grids.features.length)),
    empty: 0, emptyAllowed: 0, slivers: 0, sliversWhole: 0, badCertificates: [], reasons: {} };
  for (const g of grids.features) {
    const p = g.properties;
    const area = turf.area(g);
    if (area < SLIVER_M2) {
      v.slivers++;
      if (p.reason === 'arithmetic' && p.component_households === p.households) v.sliversWhole++;
    }
    if (p.households === 0) {
      v.empty++;
      // allowed: a dedicated unit without residents (a school), or a community part without households
      if (p.reason === 'dedicated' || (p.reason === 'arithmetic' && p.component_households === 0)) v.emptyAllowed++;
    }
    if (p.reason) v.reasons[p.reason] = (v.reasons[p.reason] ?? 0) + 1;
    const out = p.households < min || p.households > max;
    if (!out) continue;
    v.outOfRange++;
    const why = checkCertificate(g, p, { min, max, bigPoints, bigUnits });
    if (why === null) v.certified++;
    else { v.uncertified++; if (p.reason && CERTIFIED.has(p.reason)) v.badCertificates.push(`${p.code} ${p.reason}: ${why}`); }
  }
  return v;
}

/** null when the certificate holds, else why not. */
function checkCertificate(g: Feature<Polygon | MultiPolygon>, p: GridProps, ctx: { min: number; max: number; bigPoints: Feature<Point>[]; bigUnits: Feature<Polygon | MultiPolygon>[] }): string | null {
  switch (p.reason) {
    case 'dedicated': return null;
    case 'indivisible':
      return ctx.bigPoints.some((pt) => turf.booleanPointInPolygon(pt, g)) ? null : `no address point above ${ctx.max} inside`;
    case 'unit':
      return ctx.bigUnits.some((u) => turf.booleanPointInPolygon(turf.pointOnFeature(u), g)) ? null : `no unit above ${ctx.max} inside`;
    case 'arithmetic':
      return typeof p.component_households === 'number' && !admissible(p.component_households, ctx) ? null : `component total ${p.component_households} is admissible`;
    case 'proven':
      return p.solver && typeof p.bound === 'number' && p.bound >= 1 ? null : 'no solver or bound stated';
    default: return p.reason ? `reason ${p.reason} is no certificate` : 'no reason';
  }
}

/** One line of figures for a world: scorer headline and verdict. */
export function verdictRow(name: string, h: ScoreHeadline, v: WorldVerdict, seconds: number): string {
  const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined ? '-' : x.toFixed(d));
  return [name.padEnd(28), String(v.grids).padStart(6), f(h.in_range).padStart(7), String(v.outOfRange).padStart(5), String(v.certified).padStart(5),
    `${v.uncertified}/${v.allowance}`.padStart(7), String(v.empty - v.emptyAllowed).padStart(5), String(v.slivers - v.sliversWhole).padStart(5), String(h.hard_ok).padStart(6),
    String(h.nesting_violations ?? '-').padStart(5), String(h.non_contiguous).padStart(5), String(h.units_split ?? '-').padStart(5),
    f(h.street_alignment_excused).padStart(7), f(h.compactness_mean).padStart(7), seconds.toFixed(1).padStart(7)].join(' ');
}

export const VERDICT_HEADER = ['world'.padEnd(28), 'grids'.padStart(6), 'inrange'.padStart(7), 'out'.padStart(5), 'cert'.padStart(5), 'uncert'.padStart(7),
  'empty'.padStart(5), 'slivr'.padStart(5), 'hardok'.padStart(6), 'nest'.padStart(5), 'multi'.padStart(5), 'usplt'.padStart(5), 'align'.padStart(7),
  'compact'.padStart(7), 'part(s)'.padStart(7)].join(' ');

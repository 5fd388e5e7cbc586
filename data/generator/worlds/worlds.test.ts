import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as turf from '@turf/turf';
import {
  REAL_SOURCES, WORLD_KINDS, describeWorld, generateWorld, realDataAvailable, worldFamily, writeWorld, type World, type WorldKind,
} from './index.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-worlds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const STREET_KINDS = new Set(['motorway', 'primary', 'secondary', 'tertiary', 'residential', 'service', 'path', 'river', 'rail']);
const hasReal = realDataAvailable();

function boundaryOf(w: World) {
  return w.boundary.features[0] as unknown as GeoJSON.Feature<GeoJSON.Polygon>;
}

/** The first world (seed from `from` upward) with at least `n` communities (and the given outline). */
function worldWithCommunities(kind: WorldKind, households: number, n: number, from = 1, outline?: World['meta']['outline']): World {
  for (let seed = from; seed < from + 200; seed++) {
    const w = generateWorld(seed, { kind, households });
    if ((w.communities?.features.length ?? 0) >= n && (!outline || w.meta.outline === outline)) return w;
  }
  throw new Error(`no ${kind} world with ${n} communities`);
}

/** Households of the points inside each polygon (turf point-in-polygon). */
function recount(w: World, polys: GeoJSON.Feature<GeoJSON.Polygon | GeoJSON.MultiPolygon>[]): number[] {
  const out = polys.map(() => 0);
  for (const f of w.households.features) {
    const p = f.geometry.coordinates;
    const k = polys.findIndex((q) => turf.booleanPointInPolygon(p, q));
    if (k >= 0) out[k] += f.properties.households;
  }
  return out;
}

describe('generateWorld', () => {
  it('is deterministic: the same seed gives the same world and the same files, another seed differs', () => {
    const a = generateWorld(11, { kind: 'organic', households: 4000 });
    const b = generateWorld(11, { kind: 'organic', households: 4000 });
    const c = generateWorld(12, { kind: 'organic', households: 4000 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    writeWorld(a, path.join(tmp, 'a'));
    writeWorld(b, path.join(tmp, 'b'));
    const files = readdirSync(path.join(tmp, 'a')).sort();
    expect(files).toEqual(readdirSync(path.join(tmp, 'b')).sort());
    for (const f of files) expect(readFileSync(path.join(tmp, 'a', f))).toEqual(readFileSync(path.join(tmp, 'b', f)));
  });

  it('draws the kind and the household total from the seed when not given', () => {
    const totals = new Set<number>(), kinds = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const w = generateWorld(seed, { households: 1000 });
      kinds.add(w.kind);
      expect(w.kind).not.toBe('real-streets');
    }
    for (let seed = 0; seed < 4; seed++) totals.add(generateWorld(seed, { kind: 'grid-city' }).meta.households);
    expect(kinds.size).toBeGreaterThan(2);
    for (const t of totals) expect(t).toBeGreaterThanOrEqual(3000);
    for (const t of totals) expect(t).toBeLessThanOrEqual(80_000);
    expect(totals.size).toBe(4);
  });

  it('rejects bad input', () => {
    expect(() => generateWorld(1.5)).toThrow(/seed/);
    expect(() => generateWorld(1, { households: 10 })).toThrow(/households/);
    expect(() => generateWorld(1, { kind: 'moon' as WorldKind })).toThrow(/kind/);
  });

  for (const kind of WORLD_KINDS) {
    it.skipIf(kind === 'real-streets' && !hasReal)(`${kind}: every layer is well formed and the totals add up`, () => {
      const w = generateWorld(7, { kind, households: 3500 });
      expect(w.kind).toBe(kind);
      expect(w.params).toEqual({ min: 400, max: 600 });
      expect(w.boundary.features).toHaveLength(1);
      expect(w.boundary.features[0].geometry.type).toBe('Polygon');
      expect(w.boundary.features[0].properties.code).toMatch(/^\d{12}$/);
      expect(turf.booleanValid(boundaryOf(w))).toBe(true);
      expect(w.streets.features.length).toBeGreaterThan(5);
      for (const s of w.streets.features) {
        expect(s.geometry.type).toBe('LineString');
        expect(STREET_KINDS.has(s.properties.kind)).toBe(true);
        expect(s.geometry.coordinates.length).toBeGreaterThanOrEqual(2);
      }
      let inside = 0;
      w.households.features.forEach((f, i) => {
        expect(Number.isInteger(f.properties.households) && f.properties.households >= 1).toBe(true);
        expect(f.properties.id).toBe(i);
        if (i < w.meta.points) inside += f.properties.households;
      });
      expect(inside).toBe(3500);
      expect(w.meta.households).toBe(3500);
      const d = describeWorld(w);
      expect(d.households).toBe(3500);
      expect(d.points + d.pointsOutside).toBe(w.households.features.length);
      if (kind === 'real-streets') expect(REAL_SOURCES).toContain(w.meta.source);
      if (kind === 'village') expect(w.streets.features.some((s) => s.properties.kind === 'river')).toBe(true);
    });
  }

  it('streets extend past the boundary and all coordinates are rounded to 1e-7', () => {
    const w = generateWorld(3, { kind: 'grid-city', households: 5000 });
    const bnd = boundaryOf(w);
    const beyond = w.streets.features.filter((s) => s.geometry.coordinates.some((p) => !turf.booleanPointInPolygon(p, bnd)));
    expect(beyond.length).toBeGreaterThan(0);
    const rounded = (v: number) => Math.abs(v * 1e7 - Math.round(v * 1e7)) < 1e-6;
    for (const s of w.streets.features) for (const p of s.geometry.coordinates) expect(rounded(p[0]) && rounded(p[1])).toBe(true);
    for (const f of w.households.features) expect(rounded(f.geometry.coordinates[0]) && rounded(f.geometry.coordinates[1])).toBe(true);
  });

  it('points listed as outside lie outside the boundary, every other point inside', () => {
    let checked = 0;
    for (const [seed, kind] of [[21, 'village'], [22, 'mixed'], [23, 'grid-city']] as const) {
      const w = generateWorld(seed, { kind, households: 6000 });
      const bnd = boundaryOf(w);
      const outside = new Set(w.meta.outsideIds);
      let outHH = 0;
      for (const f of w.households.features) {
        const isOut = outside.has(f.properties.id);
        expect(turf.booleanPointInPolygon(f.geometry.coordinates, bnd)).toBe(!isOut);
        if (isOut) outHH += f.properties.households;
      }
      expect(outHH).toBe(w.meta.householdsOutside);
      expect(outside.size).toBeLessThanOrEqual(Math.ceil(0.02 * w.meta.points) + 1);
      checked += outside.size;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it.each(['shaped', 'rectangle'] as const)('communities tile a %s boundary: valid, no overlap, no gap, totals match a recount', (outline) => {
    const w = worldWithCommunities('grid-city', 9000, 3, 1, outline);
    const bnd = boundaryOf(w);
    if (outline === 'rectangle') {
      const ring = bnd.geometry.coordinates[0];
      const [w, s, e, n] = turf.bbox(bnd);
      for (const p of ring) expect(p[0] === w || p[0] === e || p[1] === s || p[1] === n).toBe(true);
    }
    const com = w.communities!.features as unknown as GeoJSON.Feature<GeoJSON.Polygon | GeoJSON.MultiPolygon>[];
    for (const c of com) expect(turf.booleanValid(c)).toBe(true);
    const area = turf.area(bnd);
    const sum = com.reduce((s, c) => s + turf.area(c), 0);
    expect(Math.abs(sum - area) / area).toBeLessThan(1e-6);
    for (let i = 0; i < com.length; i++) {
      for (let j = i + 1; j < com.length; j++) {
        const x = turf.intersect(turf.featureCollection([com[i], com[j]]));
        expect(x ? turf.area(x) : 0).toBeLessThan(1);
      }
    }
    const union = turf.union(turf.featureCollection(com));
    const gap = turf.difference(turf.featureCollection([bnd, union!]));
    expect(gap ? turf.area(gap) : 0).toBeLessThan(1);
    expect(recount(w, com)).toEqual(w.meta.communities!.totals.map((t) => t.households));
    const codes = com.map((c) => c.properties!.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^\d{12}$/);
  });

  it('community outlines do not simply follow the streets', () => {
    const w = worldWithCommunities('organic', 8000, 3);
    const streets = turf.featureCollection(w.streets.features as unknown as GeoJSON.Feature<GeoJSON.LineString>[]);
    let far = 0, total = 0;
    for (const c of w.communities!.features as unknown as GeoJSON.Feature<GeoJSON.Polygon>[]) {
      for (const ring of turf.getCoords(c) as number[][][]) {
        for (const p of ring.filter((_, i) => i % 6 === 0)) {
          const d = Math.min(...streets.features.map((s) => turf.pointToLineDistance(p, s, { units: 'meters' })));
          total++;
          if (d > 3) far++;
        }
      }
    }
    expect(far / total).toBeGreaterThan(0.2);
  });

  it('units are valid polygons inside the boundary with whole-number totals; some hold nobody, some over 600', () => {
    const seen = { zero: 0, over600: 0, dedicated: 0 };
    for (let seed = 31; seed <= 40; seed++) {
      const w = generateWorld(seed, { kind: 'grid-city', households: 30_000 });
      if (!w.units) continue;
      const bnd = boundaryOf(w);
      const units = w.units.features as unknown as GeoJSON.Feature<GeoJSON.Polygon>[];
      for (const u of units) {
        expect(turf.booleanValid(u)).toBe(true);
        const out = turf.difference(turf.featureCollection([u, bnd]));
        expect(out ? turf.area(out) : 0).toBeLessThan(0.01);
        expect(typeof u.properties!.dedicated).toBe('boolean');
        expect(['school', 'enterprise', 'compound', 'hospital']).toContain(u.properties!.kind);
      }
      const totals = w.meta.units!.totals;
      expect(recount(w, units)).toEqual(totals.map((t) => t.households));
      seen.zero += totals.filter((t) => t.households === 0).length;
      seen.over600 += totals.filter((t) => t.households > 600).length;
      seen.dedicated += totals.filter((t) => t.dedicated).length;
    }
    expect(seen.zero).toBeGreaterThan(0);
    expect(seen.over600).toBeGreaterThan(0);
    expect(seen.dedicated).toBeGreaterThan(0);
  });

  it('writes a problem directory (communities and units only when present)', () => {
    const w = worldWithCommunities('village', 3000, 1);
    const dir = path.join(tmp, 'village');
    const files = writeWorld(w, dir);
    expect(files).toEqual(expect.arrayContaining(['boundary.geojson', 'streets.geojson', 'households.geojson', 'params.json', 'communities.geojson']));
    const hh = JSON.parse(readFileSync(path.join(dir, 'households.geojson'), 'utf8'));
    expect(hh.type).toBe('FeatureCollection');
    expect(hh.features).toHaveLength(w.households.features.length);
    expect(JSON.parse(readFileSync(path.join(dir, 'params.json'), 'utf8'))).toEqual({ min: 400, max: 600 });
    const bare = { ...w, communities: undefined, units: undefined };
    expect(writeWorld(bare, dir)).not.toContain('communities.geojson');
    expect(readdirSync(dir)).not.toContain('communities.geojson');
    expect(readdirSync(dir)).not.toContain('units.geojson');
  });

  it('generates a 300,000-household town', async ({ annotate }) => {
    const t0 = performance.now();
    const w = generateWorld(5, { kind: 'grid-city', households: 300_000 });
    const ms = performance.now() - t0;
    expect(w.meta.households).toBe(300_000);
    await annotate(`300k grid-city: ${Math.round(ms)} ms, ${w.meta.points} points, ${w.streets.features.length} streets`);
  });
});

describe('worldFamily', () => {
  it('is deterministic, covers every kind and gives distinct seeds', () => {
    const a = worldFamily(99, 12), b = worldFamily(99, 12);
    expect(a).toEqual(b);
    expect(new Set(a.map((s) => s.kind))).toEqual(new Set(WORLD_KINDS));
    expect(new Set(a.map((s) => s.seed)).size).toBe(12);
    expect(new Set(worldFamily(99, 6).map((s) => s.kind)).size).toBe(6);
    expect(worldFamily(99, 3, { kinds: ['village'], households: 500 }).every((s) => s.kind === 'village' && s.households === 500)).toBe(true);
  });
});

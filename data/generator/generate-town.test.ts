import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateTown } from './generate-town.ts';
import { writeProblemDir } from './write-problem-dir.ts';
import { householdsOfBuilding, iterateHouseholds } from './residents.ts';
import { isValidIdNumber, idCheckChar, FICTITIOUS_AREA_CODE } from './id-number.ts';
import { readProblemDir } from '../importers/problem-dir.ts';
import type { Town } from './town-types.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function allFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]).sort();
}

/** Ring point-in-polygon on lon/lat (even-odd over all rings of a MultiPolygon). */
function inside(p: number[], mp: number[][][][]): boolean {
  let c = false;
  for (const poly of mp) for (const ring of poly) {
    for (let a = 0, b = ring.length - 1; a < ring.length; b = a++) {
      const [xa, ya] = ring[a], [xb, yb] = ring[b];
      if (ya > p[1] !== yb > p[1] && p[0] < ((xb - xa) * (p[1] - ya)) / (yb - ya) + xa) c = !c;
    }
  }
  return c;
}

describe('generateTown', () => {
  const t20 = generateTown({ households: 20_000, seed: 7 });

  it('is deterministic: same seed gives byte-identical problem files, another seed differs', () => {
    const a = path.join(tmp, 'a'), b = path.join(tmp, 'b'), c = path.join(tmp, 'c');
    writeProblemDir(generateTown({ households: 5_000, seed: 11 }), a);
    writeProblemDir(generateTown({ households: 5_000, seed: 11 }), b);
    writeProblemDir(generateTown({ households: 5_000, seed: 12 }), c);
    const files = allFiles(a);
    expect(files).toEqual(expect.arrayContaining(['boundary.geojson', 'streets.geojson', 'households.geojson', 'communities.geojson',
      'units.geojson', 'params.json', 'hazards.geojson', 'cameras.geojson', 'tracks.geojson', 'residents.ndjson',
      path.join('overlays', 'party_building.geojson'), path.join('overlays', 'security.geojson'), path.join('overlays', 'economic.geojson')]));
    expect(allFiles(b)).toEqual(files);
    for (const f of files) expect(readFileSync(path.join(b, f)).equals(readFileSync(path.join(a, f))), f).toBe(true);
    expect(readFileSync(path.join(c, 'households.geojson')).equals(readFileSync(path.join(a, 'households.geojson')))).toBe(false);
    expect(readFileSync(path.join(c, 'streets.geojson')).equals(readFileSync(path.join(a, 'streets.geojson')))).toBe(false);
  });

  it('writes a problem directory that readProblemDir accepts', () => {
    const d = path.join(tmp, 'read20k');
    writeProblemDir(t20, d, { residents: false });
    const p = readProblemDir(d);
    expect(p.boundary.features).toHaveLength(1);
    expect(p.households.features.reduce((s, f) => s + f.properties.households, 0)).toBe(t20.households);
    expect(p.communities?.features.length).toBe(t20.communities.length);
    expect(p.units?.features.length).toBe(t20.units.length);
    expect(p.streets.features.length).toBe(t20.streets.length);
    expect(p.params).toEqual({ min: 400, max: 600 });
  });

  it.each([5_000, 60_000, 300_000])('matches the requested households (%i)', (h) => {
    const t = generateTown({ households: h, seed: 3 });
    expect(Math.abs(t.households - h)).toBeLessThanOrEqual(h * 0.001);
    expect(t.buildings.reduce((s, b) => s + b.households, 0)).toBe(t.households);
    expect(t.blocks.reduce((s, b) => s + b.households, 0)).toBe(t.households);
    // partitionable: most blocks hold 50-450, some are oversized and split between several buildings
    const mid = t.blocks.filter((b) => b.households >= 20 && b.households <= 450).length;
    expect(mid / t.blocks.length).toBeGreaterThan(0.85);
    expect(t.blocks.filter((b) => b.households > 600).length).toBeGreaterThanOrEqual(2);
    const overBlocks = t.blocks.filter((b) => b.households > 600);
    expect(overBlocks.some((b) => t.buildings.filter((x) => x.block === b.id).length > 1)).toBe(true);
    expect(t.units.filter((u) => !u.dedicated).length).toBeGreaterThanOrEqual(2);
    // exceptions (isolated villages, dedicated units, towers above max) scale with the town: about 2% of grids,
    // none in a 5,000-household town of ten grids
    const villages = t.communities.filter((c) => c.households < 400).length;
    const dedicated = t.units.filter((u) => u.dedicated).length;
    const towers = t.buildings.filter((b) => b.households > 600).length;
    expect(villages + dedicated + towers).toBeLessThanOrEqual(Math.max(0, Math.ceil((h / 500) * 0.025)));
    if (h >= 60_000) {
      expect(villages).toBeGreaterThanOrEqual(1);
      expect(dedicated).toBeGreaterThanOrEqual(1);
      expect(towers).toBeGreaterThanOrEqual(1);
    }
  });

  // the time of the largest scale is a benchmark (`npx tsx scripts/bench-import.ts 1500000`), not a test

  it('nests codes: county → township (9-digit prefix) → community (12 digits), all unique', () => {
    expect(t20.code).toMatch(/^\d{12}$/);
    const ts = new Set(t20.townships.map((t) => t.code));
    expect(ts.size).toBe(t20.townships.length);
    for (const t of t20.townships) {
      expect(t.code).toMatch(/^\d{12}$/);
      expect(t.code.slice(0, 6)).toBe(t20.code.slice(0, 6));
      expect(t.code.endsWith('000')).toBe(true);
      expect(t.name).toMatch(/(街道|镇)$/);
    }
    const cs = new Set(t20.communities.map((c) => c.code));
    expect(cs.size).toBe(t20.communities.length);
    for (const c of t20.communities) {
      expect(c.code).toMatch(/^\d{12}$/);
      expect(ts.has(c.townshipCode)).toBe(true);
      expect(c.code.slice(0, 9)).toBe(c.townshipCode.slice(0, 9));
      expect(c.name).toMatch(/(社区|村)$/);
    }
    expect(t20.townships.reduce((s, t) => s + t.households, 0)).toBe(t20.households);
    expect(t20.communities.reduce((s, c) => s + c.households, 0)).toBe(t20.households);
  });

  it('places every building inside the boundary and inside exactly one community (its own)', () => {
    for (const b of t20.buildings) {
      expect(inside(b.position, t20.boundary.coordinates)).toBe(true);
      const hits = t20.communities.filter((c) => inside(b.position, c.geom.coordinates));
      expect(hits.map((c) => c.code)).toEqual([b.communityCode]);
    }
  });

  it('nodes streets exactly: every street end is a vertex of another line, except the far end of dead ends', () => {
    const key = (p: number[]) => `${p[0]},${p[1]}`;
    const owners = new Map<string, Set<number>>();
    t20.streets.forEach((s, k) => s.coordinates.forEach((p) => {
      const kk = key(p);
      if (!owners.has(kk)) owners.set(kk, new Set());
      owners.get(kk)!.add(k);
    }));
    const kinds = new Set(t20.streets.map((s) => s.kind));
    for (const k of ['primary', 'secondary', 'tertiary', 'residential', 'river']) expect(kinds.has(k as never), k).toBe(true);
    let deadEnds = 0;
    t20.streets.forEach((s, k) => {
      expect(s.coordinates.length).toBeGreaterThanOrEqual(2);
      for (let q = 1; q < s.coordinates.length; q++) expect(key(s.coordinates[q])).not.toBe(key(s.coordinates[q - 1]));
      if (s.kind === 'river' || s.kind === 'rail') return;
      const ends = s.deadEnd ? [s.coordinates[0]] : [s.coordinates[0], s.coordinates[s.coordinates.length - 1]];
      for (const e of ends) expect([...owners.get(key(e))!].some((o) => o !== k), `street ${k} end ${key(e)}`).toBe(true);
      if (s.deadEnd) {
        deadEnds++;
        expect(owners.get(key(s.coordinates[s.coordinates.length - 1]))!.size).toBe(1);
      }
    });
    expect(deadEnds).toBeGreaterThan(3);
    // the river is noded with the streets it crosses: it shares vertices with several of them
    const riverIdx = t20.streets.findIndex((s) => s.kind === 'river');
    const shared = t20.streets[riverIdx].coordinates.filter((p) => owners.get(key(p))!.size > 1).length;
    expect(shared).toBeGreaterThan(3);
  });

  it('derives residents with valid fictitious ID numbers, phones and tags, deterministically', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    let n = 0, hh = 0;
    const tags = new Set<string>();
    for (const { household } of iterateHouseholds(t20)) {
      hh++;
      expect(household.members).toBe(household.residents.length);
      for (const r of household.residents) {
        n++;
        expect(isValidIdNumber(r.idNumber), r.idNumber).toBe(true);
        expect(r.idNumber.startsWith(FICTITIOUS_AREA_CODE)).toBe(true);
        expect(r.idNumber.slice(6, 14)).toBe(r.birthDate.replace(/-/g, ''));
        expect(Number(r.idNumber[16]) % 2).toBe(r.sex === 'M' ? 1 : 0);
        if (r.phone !== null) expect(r.phone).toMatch(/^1[358]\d{9}$/);
        expect(r.name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
        r.tags.forEach((t) => tags.add(t));
      }
    }
    expect(hh).toBe(t20.households);
    expect(n).toBeGreaterThan(hh * 2);
    for (const t of ['elderly_alone', 'veteran', 'disabled', 'special_care']) expect(tags.has(t), t).toBe(true);
    const b = t20.buildings[5];
    expect(JSON.stringify(householdsOfBuilding(t20, b))).toBe(JSON.stringify(householdsOfBuilding(generateTown({ households: 20_000, seed: 7 }), b)));
  });

  it('has hazards, cameras, three days of patrol tracks and three overlapping overlay layers', () => {
    expect(t20.hazards.length).toBeGreaterThan(10);
    expect(t20.hazards.some((h) => h.geom.type === 'Polygon')).toBe(true);
    for (const h of t20.hazards) expect(h.severity >= 1 && h.severity <= 5).toBe(true);
    expect(new Set(t20.hazards.map((h) => h.kind)).size).toBe(5);
    expect(t20.cameras.length).toBeGreaterThan(10);
    expect(new Set(t20.tracks.map((t) => t.day)).size).toBe(3);
    // rounds of each old grid's worker: about two a day per old grid (security zones are the old grids as drawn)
    const zones = t20.overlays.find((o) => o.layer === 'security')!.zones.length;
    for (const day of new Set(t20.tracks.map((t) => t.day))) {
      const n = t20.tracks.filter((t) => t.day === day).length;
      expect(n).toBeGreaterThan(1.3 * zones);
      expect(n).toBeLessThan(2.5 * zones);
    }
    // a round lasts 20–45 minutes walking (plus short stops), not a whole morning across the town
    for (const t of t20.tracks) expect(t.times[t.times.length - 1]).toBeLessThan(2700 + 3000);
    for (const t of t20.tracks) {
      expect(t.times).toHaveLength(t.coordinates.length);
      for (let k = 1; k < t.times.length; k++) expect(t.times[k]).toBeGreaterThanOrEqual(t.times[k - 1]);
    }
    expect(t20.overlays.map((o) => o.layer)).toEqual(['party_building', 'security', 'economic']);
    for (const o of t20.overlays) {
      expect(o.zones.length).toBeGreaterThan(10);
      for (const z of o.zones) {
        expect(z.person.length).toBeGreaterThan(1);
        expect(z.phone).toMatch(/^\d{11}$/);
      }
    }
  });

  it('keeps its invariants for any seed (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 5_000, max: 12_000 }), (seed, h) => {
      const t: Town = generateTown({ households: h, seed });
      expect(t.households).toBe(h);
      expect(t.communities.every((c) => c.code.startsWith(c.townshipCode.slice(0, 9)))).toBe(true);
      for (const b of t.buildings) expect(inside(b.position, t.boundary.coordinates)).toBe(true);
    }), { numRuns: 15 });
  });

  it('refuses bad options with a parameter name', () => {
    expect(() => generateTown({ households: 10, seed: 1 })).toThrow(/households/);
    expect(() => generateTown({ households: 10_000, seed: -1 })).toThrow(/seed/);
  });
});

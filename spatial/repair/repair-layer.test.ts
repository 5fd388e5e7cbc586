import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { importProblemDir } from '../../data/importers/problem-dir.ts';
import { partitionJurisdiction, planFeatureCollection } from '../partition/index.ts';
import { validate } from '../validate/validate-layer.ts';
import type { GridLayer, ValidationReport } from '../validate/types.ts';
import { STREET_GRID_DIR, X, Y, box, copyLayer, featureOf, geomOp, jitterLayer } from '../validate/test-layers.ts';
import { repair } from './repair-layer.ts';

const A = '110108990001001';
const B = '110108990001002';
const C = '110108990002001';
const D = '110108990002002';
const HARD = ['gap', 'overlap', 'invalid_geometry', 'sliver'];
const hard = (r: ValidationReport) => r.issues.filter((i) => HARD.includes(i.kind)).map((i) => `${i.kind} ${i.grids.join(',')}`);
const total = (l: GridLayer) => l.features.reduce((s, f) => s + Number(f.properties?.households ?? 0), 0);

describe.each(testEngines())('repair on %s PostGIS', (engine) => {
  let database: Database;
  let clean: GridLayer;
  let jcode: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    jcode = (await importProblemDir(database.db, STREET_GRID_DIR, { replace: true })).jcode;
    const s = await partitionJurisdiction(database.db, { jcode, seed: 1 });
    clean = await planFeatureCollection(database.db, jcode, s.planId) as unknown as GridLayer;
  });
  afterAll(async () => { await database?.close(); });

  it('leaves a clean layer as it is', async () => {
    const r = await repair(database.db, clean, { jcode });
    expect(r.changes).toEqual([]);
    expect(r.layer.features.map((f) => [f.properties?.code, f.properties?.households])).toEqual(clean.features.map((f) => [f.properties?.code, f.properties?.households]));
    expect((await validate(database.db, r.layer, { jcode })).issues).toEqual([]);
  });

  it('repairs a hand-drawn layer (jittered off the streets, gaps and overlaps) with households conserved', async () => {
    const drawn = jitterLayer(clean, { seed: 7, jitterDeg: 0.00003, stepDeg: 0.0003 }); // ±2.6 m every ≈25 m
    const before = await validate(database.db, drawn, { jcode });
    expect(before.summary.byKind.gap + before.summary.byKind.sliver).toBeGreaterThan(0);
    expect(before.summary.byKind.overlap + before.summary.byKind.sliver).toBeGreaterThan(0);
    expect(before.summary.byKind.off_street_boundary).toBeGreaterThan(0);

    const r = await repair(database.db, drawn, { jcode });
    expect(r.changes.length).toBeGreaterThan(10);
    // a jittered outline can also leave a grid in pieces, which the repair joins back
    expect(r.changes.every((c) => ['gap', 'sliver', 'overlap', 'outside_jurisdiction', 'non_contiguous'].includes(c.kind))).toBe(true);
    expect(r.summary).toMatchObject({ grids: 4, newGrids: 0, droppedGrids: 0, households: 2000, assignedHouseholds: 2000 });
    expect(total(r.layer)).toBe(2000);
    expect(r.layer.features.map((f) => f.properties?.code)).toEqual([A, B, C, D]);

    const after = await validate(database.db, r.layer, { jcode });
    expect(hard(after)).toEqual([]);
    expect(after.issues.filter((i) => ['household_unassigned', 'household_in_two_grids', 'households_mismatch', 'outside_jurisdiction'].includes(i.kind))).toEqual([]);
    expect(after.summary.unassignedHouseholds).toBe(0);
    // same for the portable coverage path
    expect(hard(await validate(database.db, r.layer, { jcode }, { coveragePath: 'portable' }))).toEqual([]);
  });

  it('gives an overlap to the grid whose community holds it, a gap to the longest border, and mends a bowtie', async () => {
    const l = copyLayer(clean);
    featureOf(l, A).geometry = await geomOp(database.db, 'union', featureOf(l, A).geometry!, box(X(2), 39.986, 116.3055, 39.9866)); // into C
    featureOf(l, B).geometry = await geomOp(database.db, 'difference', featureOf(l, B).geometry!, box(116.304, 39.9825, X(2), 39.983)); // notch at B/D
    featureOf(l, D).geometry = { type: 'Polygon', coordinates: [[[X(2), Y(0)], [X(4), Y(2)], [X(4), Y(0)], [X(2), Y(2)], [X(2), Y(0)]]] };
    const r = await repair(database.db, l, { jcode });
    const ov = r.changes.filter((c) => c.kind === 'overlap');
    expect(ov.map((c) => c.grids)).toEqual([[C, A]]);
    expect(ov[0].message).toContain('its community holds it');
    expect(r.changes.filter((c) => c.kind === 'invalid_geometry').map((c) => c.grids)).toEqual([[D]]);
    const gaps = r.changes.filter((c) => c.kind === 'gap');
    expect(gaps.find((c) => c.areaM2! > 3000 && c.areaM2! < 4000)?.grids[0]).toBe(B); // the notch: three sides on B
    expect(total(r.layer)).toBe(2000);
    const after = await validate(database.db, r.layer, { jcode });
    expect(hard(after)).toEqual([]);
    expect(after.summary.unassignedHouseholds).toBe(0);
  });

  it('turns a large gap holding households into a new grid', async () => {
    const l = copyLayer(clean);
    l.features = l.features.filter((f) => f.properties?.code !== D);
    const r = await repair(database.db, l, { jcode });
    expect(r.summary.newGrids).toBe(1);
    const added = r.layer.features.filter((f) => f.properties?.repair);
    expect(added.map((f) => [f.properties?.code, f.properties?.households, f.properties?.community])).toEqual([['110108990002002', 500, '110108990002']]);
    expect(r.changes.filter((c) => c.kind === 'gap').map((c) => c.grids)).toEqual([['110108990002002']]);
    const after = await validate(database.db, r.layer, { jcode });
    expect(after.issues).toEqual([]);
  });
});

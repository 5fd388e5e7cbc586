/**
 * The real OpenStreetMap problems in ../shared/data/<area>/problem, partitioned on every engine and judged
 * by the independent scorer (../shared/eval/score.mjs). Skipped, with the reason printed, where ../shared
 * is not beside the project.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { importProblemDir } from '../../data/importers/problem-dir.ts';
import { partitionJurisdiction, planFeatureCollection } from './index.ts';
import { loadScorer, SHARED_DATA, type Scorer } from '../test/scorer.ts';
import { generateTown, writeProblemDir } from '../../data/generator/index.ts';

const problems = existsSync(SHARED_DATA)
  ? readdirSync(SHARED_DATA).filter((d) => existsSync(path.join(SHARED_DATA, d, 'problem', 'boundary.geojson'))).sort()
  : [];
if (!problems.length) process.stderr.write(`real-problems: skipped: no problems under ${SHARED_DATA}\n`);

describe.skipIf(!problems.length).each(testEngines())('real problems on %s PostGIS, scored independently', (engine) => {
  let database: Database;
  let scorer: Scorer | null;
  const out = mkdtempSync(path.join(os.tmpdir(), 'wangge-real-'));
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    scorer = await loadScorer();
  });
  afterAll(async () => {
    await database?.close();
    await scorer?.close();
  });

  it.each(problems)('%s meets the quality bar', async (name) => {
    await partitionAndScore(path.join(SHARED_DATA, name, 'problem'), name);
  });

  it.each([5_000, 60_000])('a generated town of %i households meets the bar, with 97 percent of grids or more in range', async (households) => {
    const dir = path.join(out, `town-${households}`);
    writeProblemDir(generateTown({ households, seed: 7 }), dir, { residents: false });
    const h = await partitionAndScore(dir, `town-${households}`);
    expect(h.in_range).toBeGreaterThanOrEqual(0.97);
  });

  async function partitionAndScore(dir: string, name: string) {
    const imp = await importProblemDir(database.db, dir, { jcode: name, replace: true });
    const s = await partitionJurisdiction(database.db, { jcode: name, min: imp.params.min, max: imp.params.max, seed: 1 });
    const fc = await planFeatureCollection(database.db, name, s.planId);
    const file = path.join(out, `${name}.geojson`);
    writeFileSync(file, JSON.stringify(fc));
    const { headline: h, details } = await scorer!.score(dir, file);
    expect(h.hard_ok).toBe(true);
    expect(h.invalid).toBe(0);
    expect(h.gap_ratio).toBeLessThan(1e-6);
    expect(h.overlap_ratio).toBeLessThan(1e-6);
    expect(h.unassigned_hh + h.multi_assigned_hh).toBe(0);
    expect(h.claimed_mismatch).toBe(0);
    expect(h.duplicate_codes + h.missing_codes).toBe(0);
    expect(h.street_alignment_excused).toBeGreaterThanOrEqual(0.99);
    expect(h.non_contiguous).toBe(0);
    expect(h.nesting_violations ?? 0).toBe(0);
    expect(h.units_split ?? 0).toBe(0);
    expect(h.compactness_mean).toBeGreaterThanOrEqual(0.35);
    expect(h.households).toBe(imp.counts.households - s.outsideHouseholds);
    // every grid out of range carries a reason
    const byCode = new Map(fc.features.map((f) => [f.properties.code, f.properties]));
    for (const o of details.out_of_range as Array<{ code: string; households: number }>) expect(byCode.get(o.code)?.reason).toBeTruthy();
    // and every reason given is true: only grids out of range (or dedicated ones) carry one
    for (const f of fc.features) {
      const inRange = f.properties.households >= imp.params.min && f.properties.households <= imp.params.max;
      if (f.properties.reason && f.properties.reason !== 'dedicated') expect(inRange).toBe(false);
    }
    return h;
  }
});

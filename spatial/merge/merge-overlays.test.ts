/**
 * 多网合一 on a generated town with its three departmental layers, on every engine: the comprehensive grids
 * obey the partition rules, the crosswalk accounts for every zone and every household, the roster has one
 * leader per grid, the conflicts are located, and fidelity is reported per layer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import * as turf from '@turf/turf';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { generateTown, loadTown, writeProblemDir, type Town } from '../../data/generator/index.ts';
import { importProblemDir } from '../../data/importers/problem-dir.ts';
import { planFeatureCollection } from '../partition/index.ts';
import { loadScorer } from '../test/scorer.ts';
import { mergeOverlays, crosswalkCsv, rosterCsv, type OverlayLayerInput } from './index.ts';
import { WanggeError } from '../errors.ts';

const layersOf = (town: Town): OverlayLayerInput[] => town.overlays.map((o) => ({
  name: o.layer,
  features: o.zones.map((z) => ({ type: 'Feature' as const, properties: { code: z.code, name: z.name, person: z.person, phone: z.phone }, geometry: z.geom })),
}));

describe.each(testEngines())('merge overlays on %s PostGIS', (engine) => {
  let database: Database;
  beforeAll(async () => { database = await openTestDatabase(engine); });
  afterAll(async () => { await database?.close(); });

  it('merges three layers into grids that follow the rules, with a complete crosswalk and roster', async () => {
    const town = generateTown({ households: 12_000, seed: 5 });
    const { jcode } = await loadTown(database.db, town, { replace: true, residents: false });
    const layers = layersOf(town);
    const r = await mergeOverlays(database.db, { jcode, seed: 1 }, layers);
    const s = r.summary;
    expect(s.grids).toBeGreaterThan(15);
    expect(s.inRange / s.grids).toBeGreaterThanOrEqual(0.9);
    expect(s.households).toBe(town.households);

    // grids tile the jurisdiction and nest in communities
    const { rows } = await sql<{ boundary: number; total: number; union: number; outside: number }>`
      WITH g AS (SELECT community_code, geom FROM grids WHERE jcode = ${jcode} AND plan_id = ${s.planId}::bigint)
      SELECT (SELECT ST_Area(geom::geography) FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}) AS boundary,
        (SELECT sum(ST_Area(geom::geography)) FROM g) AS total, (SELECT ST_Area(ST_Union(geom)::geography) FROM g) AS union,
        (SELECT count(*) FROM g JOIN jurisdictions c ON c.jcode = ${jcode} AND c.code = g.community_code
          WHERE ST_Area(ST_Difference(g.geom, c.geom)::geography) > 0.01 * ST_Area(g.geom::geography))::int AS outside`.execute(database.db);
    expect(Math.abs(rows[0].total - rows[0].boundary) / rows[0].boundary).toBeLessThan(1e-6);
    expect(Math.abs(rows[0].union - rows[0].boundary) / rows[0].boundary).toBeLessThan(1e-6);
    expect(rows[0].outside).toBe(0);

    // crosswalk: every zone of every layer appears; per layer the households add up to the town's
    for (const l of layers) {
      const cw = r.crosswalk.filter((x) => x.layer === l.name);
      const zones = new Set(cw.map((x) => x.zone).filter((z) => z !== ''));
      expect(zones.size).toBe(l.features.length);
      // households: each in its zone(s) or under zone '' — overlapping zones may count a household twice, never zero times
      expect(cw.reduce((a, x) => a + x.households, 0)).toBeGreaterThanOrEqual(town.households);
      for (const x of cw) expect(x.share).toBeGreaterThanOrEqual(0);
      expect(r.fidelity[l.name]).toBeGreaterThan(0);
      expect(r.fidelity[l.name]).toBeLessThanOrEqual(1);
    }
    expect(crosswalkCsv(r.crosswalk).split('\n')[0]).toBe('layer,zone,grid,households,share');

    // roster: one leader per grid that has members
    const leaders = new Map<string, number>();
    for (const p of r.roster) if (p.role === 'leader') leaders.set(p.grid, (leaders.get(p.grid) ?? 0) + 1);
    expect([...leaders.values()].every((n) => n === 1)).toBe(true);
    expect(leaders.size).toBeGreaterThanOrEqual(s.grids - (s.reasons.dedicated ?? 0) - 1);
    expect(rosterCsv(r.roster).split('\n')[0]).toBe('grid,role,name,phone,layer,zone,households');

    // conflicts are drawable and say where the layers disagree
    expect(r.conflicts.features.length).toBeGreaterThan(0);
    for (const f of r.conflicts.features.slice(0, 50)) {
      expect(['gap', 'overlap', 'disagreement']).toContain(f.properties.kind);
      expect(f.properties.areaM2).toBeGreaterThan(1);
      expect(['Polygon', 'MultiPolygon']).toContain((f.geometry as { type: string }).type);
      if (f.properties.kind !== 'gap' && f.properties.households === 0) {
        // no tracing slivers: a piece without households is at least about 3 m wide on average
        const perimeterM = turf.length(turf.polygonToLine(f as never) as never, { units: 'kilometers' }) * 1000;
        expect(2 * turf.area(f as never) / perimeterM).toBeGreaterThan(2.9);
      }
    }
  });

  it('merges the three layers of the 60k-household town into grids that pass the scorer, keeping each layer ≥ 0.85 intact', async () => {
    const scorer = await loadScorer();
    expect(scorer, 'the independent scorer ../shared/eval/score.mjs').not.toBeNull();
    const town = generateTown({ households: 60_000, seed: 1 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-merge60k-'));
    try {
      writeProblemDir(town, dir, { residents: false });
      const imp = await importProblemDir(database.db, dir, { jcode: 'merge60k', replace: true });
      const layers = layersOf(town);
      const r = await mergeOverlays(database.db, { jcode: 'merge60k', seed: 1 }, layers);
      for (const l of layers) expect(r.fidelity[l.name], l.name).toBeGreaterThanOrEqual(0.85);
      // the crosswalk accounts for every zone and, per layer, every household
      for (const l of layers) {
        const cw = r.crosswalk.filter((x) => x.layer === l.name);
        expect(new Set(cw.map((x) => x.zone).filter(Boolean)).size).toBe(l.features.length);
        expect(cw.reduce((a, x) => a + x.households, 0)).toBeGreaterThanOrEqual(imp.counts.households);
      }
      const file = path.join(dir, 'grids.geojson');
      writeFileSync(file, JSON.stringify(await planFeatureCollection(database.db, 'merge60k', r.summary.planId)));
      const { headline: h } = await scorer!.score(dir, file);
      expect(h.hard_ok).toBe(true);
      expect(h.in_range).toBeGreaterThanOrEqual(0.97);
      expect(h.street_alignment_excused).toBeGreaterThanOrEqual(0.99);
      expect(h.non_contiguous).toBe(0);
      expect(h.nesting_violations ?? 0).toBe(0);
      expect(h.units_split ?? 0).toBe(0);
      expect(h.claimed_mismatch).toBe(0);
      expect(h.compactness_mean).toBeGreaterThanOrEqual(0.35);
    } finally {
      await scorer?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  it('refuses a zone without a code, naming the file and feature', async () => {
    const town = generateTown({ households: 5_000, seed: 2 });
    const { jcode } = await loadTown(database.db, town, { replace: true, residents: false });
    const before = await database.db.selectFrom('grid_plans').select(({ fn }) => fn.countAll<number>().as('n')).where('jcode', '=', jcode).executeTakeFirstOrThrow();
    const z = town.overlays[0].zones[0];
    const bad: OverlayLayerInput = { name: 'security', file: 'security.geojson', features: [
      { type: 'Feature', properties: { code: z.code }, geometry: z.geom }, { type: 'Feature', properties: { name: 'x' }, geometry: z.geom }] };
    const err = await mergeOverlays(database.db, { jcode }, [bad]).catch((e) => e);
    expect(err).toBeInstanceOf(WanggeError);
    expect((err as WanggeError).where).toMatchObject({ file: 'security.geojson', featureIndex: 1 });
    const after = await database.db.selectFrom('grid_plans').select(({ fn }) => fn.countAll<number>().as('n')).where('jcode', '=', jcode).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n)); // nothing written
  });
});

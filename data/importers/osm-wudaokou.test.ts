/**
 * The OSM importer on a real extract: ../shared/data/beijing-haidian-wudaokou/map.osm.gz (ODbL, read in
 * place, never copied). Streets and buildings are counted independently here, by scanning the XML's tags
 * with regular expressions, and compared with what the importer stored and with the extract's stats.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../db/test-engines.ts';
import type { Database } from '../db/connect.ts';
import { importFile, type ImportFileResult } from './importer.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.resolve(repoRoot, '../shared/data/beijing-haidian-wudaokou');
const OSM = path.join(DIR, 'map.osm.gz');
const present = existsSync(OSM);
if (!present) process.stderr.write(`osm-wudaokou.test.ts: skipped, ${OSM} is absent (../shared is not checked out beside the repo)\n`);

/** Tags of every <way> and <relation>, by a plain scan of the XML text. */
function scan(xml: string): { ways: Record<string, string>[]; relations: Record<string, string>[] } {
  const out = { ways: [] as Record<string, string>[], relations: [] as Record<string, string>[] };
  for (const m of xml.matchAll(/<(way|relation)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
    const tags: Record<string, string> = {};
    for (const t of m[2].matchAll(/<tag k="([^"]*)" v="([^"]*)"\s*\/>/g)) tags[t[1]] = t[2];
    (m[1] === 'way' ? out.ways : out.relations).push(tags);
  }
  return out;
}

// The street rule as the README states it, written out independently of osm-tags.ts.
const STREET_HIGHWAYS = 'motorway motorway_link trunk trunk_link primary primary_link secondary secondary_link tertiary tertiary_link residential living_street unclassified road service footway path pedestrian cycleway steps track bridleway corridor'.split(' ');
const isStreet = (t: Record<string, string>) =>
  (t.highway !== undefined && t.area !== 'yes' && STREET_HIGHWAYS.includes(t.highway))
  || (['rail', 'light_rail', 'subway', 'narrow_gauge', 'tram'].includes(t.railway) && t.tunnel !== 'yes')
  || ['river', 'canal', 'stream', 'drain', 'ditch'].includes(t.waterway);

describe.skipIf(!present).each(testEngines())('OSM import of beijing-haidian-wudaokou (%s)', (engine) => {
  let database: Database;
  let result: ImportFileResult;
  let expected: { streets: number; buildings: number; stats: any };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const { ways, relations } = scan(gunzipSync(readFileSync(OSM)).toString('utf8'));
    expected = {
      streets: ways.filter(isStreet).length,
      buildings: ways.filter((t) => t.building !== undefined).length + relations.filter((t) => t.building !== undefined && t.type === 'multipolygon').length,
      stats: JSON.parse(readFileSync(path.join(DIR, 'stats.json'), 'utf8')),
    };
    result = await importFile(database.db, { path: OSM, jcode: '110108000001', createJurisdiction: '五道口（OSM 摘录）' });
  });
  afterAll(async () => { await database?.close(); });

  it('stores one street per street way, as counted in the XML and in stats.json', async () => {
    const { rows } = await sql<{ kind: string; n: number }>`SELECT kind, count(*)::int AS n FROM streets WHERE jcode = '110108000001' GROUP BY kind`.execute(database.db);
    const stored = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
    const total = rows.reduce((s, r) => s + r.n, 0);
    expect(total).toBe(expected.streets);
    expect(result.counts.streets).toBe(expected.streets);
    // stats.json: the shared problem's streets by kind, built with the same tag rule
    expect(stored).toEqual(expected.stats.street_kinds);
    expect(total).toBe(expected.stats.streets);
  });

  it('sees every building and keeps the residential ones with estimated households', async () => {
    expect(result.osm!.buildings).toBe(expected.buildings);
    expect(result.osm!.buildings).toBe(expected.stats.buildings_total);
    expect(result.osm!.residentialBuildings).toBe(expected.stats.residential_kept);
    const { rows } = await sql<{ n: number; hh: number }>`SELECT count(*)::int AS n, sum(households)::int AS hh FROM address_points WHERE jcode = '110108000001'`.execute(database.db);
    expect(rows[0].n).toBe(expected.stats.residential_kept);
    // same formula as the shared problem; centroids and areas differ slightly from shapely's, so within 1 %
    expect(Math.abs(rows[0].hh - expected.stats.households_total) / expected.stats.households_total).toBeLessThan(0.01);
    expect(result.osm!.buildings).toBe(result.osm!.residentialBuildings + result.osm!.nonResidential + result.osm!.insideInstitution + result.osm!.outsideBounds + result.osm!.incomplete);
  });
});

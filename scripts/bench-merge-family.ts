/**
 * 多网合一 over the family of test worlds (data/generator/worlds) with departmental layers drawn over each by
 * another hand (data/generator/worlds/overlays.ts: 2–4 layers of grid-sized, coarse, fine or misaligned zones,
 * with off-street cuts, gaps and overlaps). For each world: the world is imported as a problem directory, its
 * layers are merged as `wangge merge` does (mergeOverlays with the problem's min and max, seed 1), and the
 * script prints the grids, the share in range, each layer's fidelity and the merge time; then what cost the
 * merge (the attribution: zones cut by cause and layer, grids out of range with the zones they hold), the
 * totals and the worst world. With the scorer beside the project (../shared/eval), its hard checks too.
 *
 *   npx tsx scripts/bench-merge-family.ts [--count 12] [--base-seed 1] [--engines embedded,server] [--only seed,…] [--verbose]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchEngines, openBenchDatabase } from './bench-db.ts';
import { generateWorld, worldFamily, writeWorld } from '../data/generator/worlds/index.ts';
import { worldOverlays } from '../data/generator/worlds/overlays.ts';
import { importProblemDir } from '../data/importers/problem-dir.ts';
import { planFeatureCollection } from '../spatial/partition/index.ts';
import { mergeOverlays, type MergeResult, type OverlayLayerInput } from '../spatial/merge/index.ts';
import { loadScorer } from '../spatial/test/scorer.ts';

const { values } = parseArgs({ options: {
  count: { type: 'string', default: '12' },
  'base-seed': { type: 'string', default: '1' },
  engines: { type: 'string' },
  only: { type: 'string' },
  verbose: { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
} });
const { engines, serverUrl } = benchEngines(values.engines);
let specs = worldFamily(Number(values['base-seed']), Number(values.count));
if (values.only) specs = specs.filter((s) => values.only!.split(',').includes(String(s.seed)));
const scorer = await loadScorer();
const root = mkdtempSync(path.join(os.tmpdir(), 'wangge-merge-family-'));
const line = (t: string) => process.stdout.write(`${t}\n`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
line(`worlds in ${root}`);

for (const engine of engines) {
  const { database, close } = await openBenchDatabase(engine, serverUrl, 'wangge_bench_merge_family');
  line(`\n${engine} PostGIS ${database.caps.postgis}`);
  line(`${'world'.padEnd(26)} ${'households'.padStart(10)} ${'grids'.padStart(5)} ${'in range'.padStart(8)}  ${'hard'.padEnd(4)} ${'time(s)'.padStart(7)}  fidelity per layer (zones)`);
  const totals = { worlds: 0, grids: 0, inRange: 0, hardFail: 0, below: 0, fid: new Map<string, { good: number; n: number; min: number }>() };
  const causes = new Map<string, { zones: number; lost: number }>();
  let worst: { name: string; inRange: number; minFid: number } | null = null;
  for (const spec of specs) {
    const world = generateWorld(spec.seed, { kind: spec.kind });
    const name = `${world.kind}-${spec.seed}`;
    const dir = path.join(root, name);
    writeWorld(world, dir);
    const ov = worldOverlays(world, spec.seed);
    const layers: OverlayLayerInput[] = ov.layers.map((l) => ({ name: l.name, features: l.features }));
    const imp = await importProblemDir(database.db, dir, { jcode: `m${spec.seed}`, replace: true });
    const t0 = performance.now();
    let r: MergeResult;
    try {
      r = await mergeOverlays(database.db, { jcode: imp.jcode, min: imp.params.min, max: imp.params.max, seed: 1 }, layers);
    } catch (e) {
      line(`${name.padEnd(26)} the merge failed: ${(e as Error).message.slice(0, 300)}`);
      totals.hardFail++;
      continue;
    }
    const seconds = (performance.now() - t0) / 1000;
    let hard = '-';
    if (scorer) {
      const file = path.join(dir, 'grids.geojson');
      writeFileSync(file, JSON.stringify(await planFeatureCollection(database.db, imp.jcode, r.summary.planId)));
      try {
        const { headline } = await scorer.score(dir, file);
        hard = headline.hard_ok ? 'ok' : 'FAIL';
        if (!headline.hard_ok) totals.hardFail++;
      } catch (e) {
        hard = 'err';
        line(`   the scorer failed: ${(e as Error).message.slice(0, 200)}`);
      }
    }
    const s = r.summary;
    const share = s.grids ? s.inRange / s.grids : 1;
    const fids = ov.layers.map((l) => `${l.name} ${r.fidelity[l.name].toFixed(3)} (${l.features.length})`).join(', ');
    line(`${name.padEnd(26)} ${String(s.households).padStart(10)} ${String(s.grids).padStart(5)} ${pct(share).padStart(8)}  ${hard.padEnd(4)} ${seconds.toFixed(1).padStart(7)}  ${fids}`);
    totals.worlds++; totals.grids += s.grids; totals.inRange += s.inRange;
    let minFid = 1;
    for (const l of ov.layers) {
      const f = r.fidelity[l.name];
      const key = `${l.name}/${l.style}`;
      const t = totals.fid.get(key) ?? { good: 0, n: 0, min: 1 };
      t.good += f; t.n++; t.min = Math.min(t.min, f);
      totals.fid.set(key, t);
      minFid = Math.min(minFid, f);
      if (f < 0.85) totals.below++;
    }
    for (const z of r.attribution.zonesCut) {
      const key = `${z.layer} ${z.cause}`;
      const c = causes.get(key) ?? { zones: 0, lost: 0 };
      c.zones++; c.lost += z.lost;
      causes.set(key, c);
    }
    const byCause = new Map<string, number>();
    for (const z of r.attribution.zonesCut) byCause.set(`${z.layer} ${z.cause}`, (byCause.get(`${z.layer} ${z.cause}`) ?? 0) + z.lost);
    line(`   households not kept, by layer and cause: ${[...byCause].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    const out = r.attribution.gridsOutOfRange;
    const byReason = new Map<string, number>();
    for (const g of out) byReason.set(g.reason ?? 'none', (byReason.get(g.reason ?? 'none') ?? 0) + 1);
    if (out.length) line(`   grids out of range by reason: ${[...byReason].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (out.length) line(`   out of range: ${out.slice(0, values.verbose ? out.length : 3).map((g) => g.message).join('; ')}${!values.verbose && out.length > 3 ? `; … ${out.length - 3} more` : ''}`);
    if (values.verbose) for (const z of r.attribution.zonesCut.slice(0, 10)) line(`   ${z.message}`);
    if (!worst || share < worst.inRange || (share === worst.inRange && minFid < worst.minFid)) worst = { name, inRange: share, minFid };
  }
  line(`\n${engine}: ${totals.worlds} worlds, ${totals.grids} grids, ${totals.inRange} in range (${pct(totals.inRange / Math.max(1, totals.grids))}); hard checks failed in ${totals.hardFail}; layer-worlds below 0.85 fidelity: ${totals.below}`);
  line(`fidelity by layer (mean, worst): ${[...totals.fid].map(([k, t]) => `${k} ${(t.good / t.n).toFixed(3)}, ${t.min.toFixed(3)}`).join('; ')}`);
  line(`households not kept over the family, by layer and cause: ${[...causes].sort((a, b) => b[1].lost - a[1].lost).map(([k, c]) => `${k} ${c.lost} (${c.zones} zones)`).join('; ')}`);
  line(`worst world: ${worst?.name} ${worst ? pct(worst.inRange) : ''} in range, lowest fidelity ${worst?.minFid.toFixed(3)}`);
  await close();
}
await scorer?.close();
if (!values.keep) rmSync(root, { recursive: true, force: true });

/**
 * 多网合一 benchmark: a generated town (default 60k and 300k households) with its three departmental layers
 * (party building, security, economic) is loaded on each engine (embedded; and the native server when
 * DATABASE_URL or TEST_DATABASE_URL is set), then the three layers are merged into comprehensive grids, timed
 * from a loaded database (storing the layers, blocks, aggregation, the plan, crosswalk, roster, conflicts and
 * fidelity all included). Prints the time, the share of grids in range and each layer's fidelity.
 * Target (issue 4): merging three layers of a 300k-household town ≤ 60 s.
 *
 *   npx tsx scripts/bench-merge.ts [--sizes 60000,300000] [--engines embedded,server] [--seed 1]
 */
import { benchArgs, openBenchDatabase, secs } from './bench-db.ts';
import { generateTown, loadTown } from '../data/generator/index.ts';
import { mergeOverlays, type OverlayLayerInput } from '../spatial/merge/index.ts';

const { sizes, engines, serverUrl, seed } = benchArgs('60000,300000');
const s = secs;
const line = (t: string) => process.stdout.write(t + '\n');
line('engine    households  zones  grids  in range  load(s)  merge(s)  fidelity');

for (const n of sizes) {
  const town = generateTown({ households: n, seed });
  const layers: OverlayLayerInput[] = town.overlays.map((o) => ({
    name: o.layer,
    features: o.zones.map((z) => ({ type: 'Feature' as const, properties: { code: z.code, name: z.name, person: z.person, phone: z.phone }, geometry: z.geom })),
  }));
  const zones = layers.reduce((t, l) => t + l.features.length, 0);
  for (const engine of engines) {
    const { database, close } = await openBenchDatabase(engine, serverUrl, 'wangge_benchm');
    try {
      let t = performance.now();
      const { jcode } = await loadTown(database.db, town, { replace: true, residents: false });
      const tLoad = performance.now() - t;
      t = performance.now();
      const r = await mergeOverlays(database.db, { jcode, seed }, layers);
      const tMerge = performance.now() - t;
      const fid = Object.entries(r.fidelity).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
      line(`${engine.padEnd(8)}  ${String(n).padStart(10)}  ${String(zones).padStart(5)}  ${String(r.summary.grids).padStart(5)}  ${(100 * r.summary.inRange / r.summary.grids).toFixed(1).padStart(7)}%  ${s(tLoad).padStart(7)}  ${s(tMerge).padStart(8)}  ${fid}`);
      line(`          phases (s): ${Object.entries(r.summary.timings).map(([k, v]) => `${k} ${v}`).join(', ')}; crosswalk ${r.crosswalk.length} rows, roster ${r.roster.length}, conflicts ${r.conflicts.features.length}`);
    } finally {
      await close();
    }
  }
}

/**
 * A separate client process that keeps sending anonymous heavy requests for a while, as an attacker would from
 * another machine; the reliability probe times lookups meanwhile from its own process, so the sender's own work
 * (building and sending 8 MB bodies, reading large answers) is not counted as the service's. Two kinds:
 * - `posts`: an 8 MB layer to validate and repair, a stored plan to validate (refused 401 before their bodies are
 *   read);
 * - `reads`: the heaviest answers open to anyone (issue 17's "anonymous heavy request" once computing routes need
 *   a login): the published plan's exports in every format, its grids and blocks, a diff, the wall figures, every
 *   map layer whole, OGC items 10,000 at a time, and vector tiles of the whole town at zooms 8 to 13;
 * one kind per process (the probe runs two for both). Prints `READY` when it starts sending, `TIMES <json>` (per
 * kind of request: count, median and slowest ms) and, last, a JSON line of answer counts by status.
 *
 *   node --import tsx api/reliability/heavy-sender.ts --base http://127.0.0.1:PORT --jcode J --plan ID --ms 8000 [--kind posts|reads] [--parallel 4]
 */
import { parseArgs } from 'node:util';
import { TINY } from '../test/tiny-town.ts';

const { values } = parseArgs({ options: {
  base: { type: 'string' }, jcode: { type: 'string', default: TINY.jcode }, plan: { type: 'string', default: '1' },
  ms: { type: 'string', default: '8000' }, parallel: { type: 'string', default: '4' }, kind: { type: 'string', default: 'posts' },
} });

type Bounds = [number, number, number, number];

/** A ring of `n` positions around (cx, cy): about 8 MB of GeoJSON at 200,000. */
export function bigLayer(n = 200_000, cx = TINY.x0 + 0.005, cy = TINY.y0 + 0.004): string {
  const ring = Array.from({ length: n }, (_, i) => [cx + 0.003 * Math.cos(i / 31830), cy + 0.003 * Math.sin(i / 31830)]);
  ring.push(ring[0]);
  return JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: 'X' }, geometry: { type: 'Polygon', coordinates: [ring] } }] });
}

/** The tile at zoom z holding the middle of `b`, as z/x/y. */
function tileAt(b: Bounds, z: number): string {
  const lon = (b[0] + b[2]) / 2, lat = (b[1] + b[3]) / 2, r = (lat * Math.PI) / 180, n = 2 ** z;
  return `${z}/${Math.floor(((lon + 180) / 360) * n)}/${Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)}`;
}

/** The heaviest anonymous reads of jurisdiction `jcode` with published plan `plan`, over a town within `b`. */
export function heavyReads(jcode: string, plan: string, b: Bounds): string[] {
  const P = `/api/jurisdictions/${jcode}/plans/${plan}`;
  const out = ['gpkg', 'shp.zip', 'kml', 'geojson'].map((f) => `${P}/export.${f}`);
  out.push(`${P}/grids.geojson`, `${P}/blocks.geojson`, `${P}/diff?against=${plan}`, `/api/jurisdictions/${jcode}/wall-figures`);
  for (const l of ['address_points', 'streets', 'grids', 'units', 'hazards', 'cameras', 'communities']) out.push(`/api/layers/${l}.geojson?jcode=${jcode}`);
  for (const c of ['blocks', 'streets', 'grids', 'units']) out.push(`/ogc/collections/${c}/items?limit=10000`);
  for (const set of ['basemap', 'grids', 'blocks', 'streets', 'buildings', 'tracks', 'hazards']) for (let z = 8; z <= 13; z++) out.push(`/tiles/${set}/${tileAt(b, z)}.mvt`);
  return out;
}

if (values.base) {
  const base = values.base;
  const tj = (await (await fetch(`${base}/tiles/grids.json`)).json()) as { bounds: Bounds };
  const b = tj.bounds;
  const body = Buffer.from(bigLayer(200_000, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2));
  const posts = [`/api/jurisdictions/${values.jcode}/validate`, `/api/jurisdictions/${values.jcode}/repair`, `/api/jurisdictions/${values.jcode}/plans/${values.plan}/validate`];
  const reads = heavyReads(values.jcode, values.plan, b);
  const until = Date.now() + Number(values.ms);
  const counts: Record<string, number> = {};
  const times: Record<string, number[]> = {};
  const parallel = Number(values.parallel);
  // one kind per process: fetch pools connections, and a GET queued behind a refused body's connection would wait
  const kind = values.kind === 'reads' ? 'reads' : 'posts';
  const targets = kind === 'posts' ? posts : reads;
  process.stdout.write('READY\n');
  await Promise.all(Array.from({ length: parallel }, async (_x, k) => {
    for (let i = k * 7; Date.now() < until; i++) {
      const target = targets[i % targets.length];
      let key: string;
      const t0 = performance.now();
      try {
        const res = await fetch(`${base}${target}`, kind === 'posts'
          ? { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(15_000) }
          : { signal: AbortSignal.timeout(15_000) });
        await res.arrayBuffer();
        key = String(res.status);
      } catch (e) {
        key = (e as Error).name === 'TimeoutError' ? 'hang' : 'closed';
      }
      counts[key] = (counts[key] ?? 0) + 1;
      const what = kind === 'posts' ? 'anonymous 8 MB POST' : target.replace(/\/\d+\/\d+\/\d+\.mvt$/, '/{z}/{x}/{y}.mvt').replace(/\/plans\/\d+/, '/plans/{id}');
      (times[what] ??= []).push(performance.now() - t0);
    }
  }));
  const summary = Object.fromEntries(Object.entries(times).map(([w, t]) => {
    const s = [...t].sort((x, y) => x - y);
    return [w, { n: s.length, p50: Math.round(s[Math.floor(s.length / 2)]), max: Math.round(s[s.length - 1]) }];
  }));
  process.stdout.write(`TIMES ${JSON.stringify(summary)}\n`);
  process.stdout.write(`${JSON.stringify(counts)}\n`);
}

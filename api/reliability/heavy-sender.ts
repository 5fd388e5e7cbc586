/**
 * A separate client process that keeps sending anonymous heavy requests (an 8 MB layer to validate, a stored
 * plan to validate) for a while, as an attacker would from another machine; the reliability probe times lookups
 * meanwhile from its own process, so the sender's work of building and sending 8 MB bodies is not counted as the
 * service's. Prints `READY` when it starts sending and a JSON line of answer counts when done.
 *
 *   node --import tsx api/reliability/heavy-sender.ts --base http://127.0.0.1:PORT --jcode J --plan ID --ms 8000
 */
import { parseArgs } from 'node:util';
import { TINY } from '../test/tiny-town.ts';

const { values } = parseArgs({ options: {
  base: { type: 'string' }, jcode: { type: 'string', default: TINY.jcode }, plan: { type: 'string', default: '1' },
  ms: { type: 'string', default: '8000' }, parallel: { type: 'string', default: '4' },
} });

/** A ring of `n` positions around the middle of the tiny town: about 8 MB of GeoJSON at 200,000. */
export function bigLayer(n = 200_000): string {
  const cx = TINY.x0 + 0.005, cy = TINY.y0 + 0.004;
  const ring = Array.from({ length: n }, (_, i) => [cx + 0.003 * Math.cos(i / 31830), cy + 0.003 * Math.sin(i / 31830)]);
  ring.push(ring[0]);
  return JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: 'X' }, geometry: { type: 'Polygon', coordinates: [ring] } }] });
}

if (values.base) {
  const body = Buffer.from(bigLayer());
  const targets = [`/api/jurisdictions/${values.jcode}/validate`, `/api/jurisdictions/${values.jcode}/repair`, `/api/jurisdictions/${values.jcode}/plans/${values.plan}/validate`];
  const until = Date.now() + Number(values.ms);
  const counts: Record<string, number> = {};
  process.stdout.write('READY\n');
  await Promise.all(Array.from({ length: Number(values.parallel) }, async (_x, k) => {
    for (let i = k; Date.now() < until; i++) {
      const target = targets[i % targets.length];
      let key: string;
      try {
        const res = await fetch(`${values.base}${target}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(15_000) });
        await res.arrayBuffer();
        key = String(res.status);
      } catch (e) {
        key = (e as Error).name === 'TimeoutError' ? 'hang' : 'closed';
      }
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }));
  process.stdout.write(`${JSON.stringify(counts)}\n`);
}

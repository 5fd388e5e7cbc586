/**
 * Write one random test world (a partition problem directory, ../shared/FORMAT.md) and print a one-line JSON
 * summary on stdout.
 *
 *   npx tsx scripts/gen-world.ts --seed N [--kind K] [--households H] --out DIR
 *
 * Kinds: grid-city, organic, village, old-town, mixed, real-streets (the last reads ../shared/data at run
 * time). Without --kind the kind is drawn from the seed among the synthetic kinds; without --households the
 * total is drawn log-uniformly from 3,000 to 80,000.
 */
import { parseArgs } from 'node:util';
import { WORLD_KINDS, describeWorld, generateWorld, writeWorld, type WorldKind } from '../data/generator/worlds/index.ts';

function fail(message: string): never {
  process.stderr.write(`gen-world: ${message}\nusage: npx tsx scripts/gen-world.ts --seed N [--kind ${WORLD_KINDS.join('|')}] [--households H] --out DIR\n`);
  process.exit(2);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({ options: { seed: { type: 'string' }, kind: { type: 'string' }, households: { type: 'string' }, out: { type: 'string' } } }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.seed === undefined || !/^-?\d+$/.test(values.seed)) fail('--seed N (an integer) is required');
  if (!values.out) fail('--out DIR is required');
  if (values.kind !== undefined && !WORLD_KINDS.includes(values.kind as WorldKind)) fail(`unknown kind ${values.kind}`);
  if (values.households !== undefined && !/^\d+$/.test(values.households)) fail('--households must be a positive integer');
  const t0 = performance.now();
  let world;
  try {
    world = generateWorld(Number(values.seed), {
      ...(values.kind ? { kind: values.kind as WorldKind } : {}),
      ...(values.households ? { households: Number(values.households) } : {}),
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const t1 = performance.now();
  const files = writeWorld(world, values.out);
  const t2 = performance.now();
  const d = describeWorld(world);
  process.stdout.write(`${JSON.stringify({
    dir: values.out, seed: d.seed, kind: d.kind, name: d.name, ...(d.source ? { source: d.source } : {}),
    households: d.households, points: d.points, streets: d.streets,
    communities: d.communities ? d.communities.length : null,
    community_households: d.communities ? d.communities.map((c) => c.households) : null,
    units: d.units ? d.units.count : null, households_outside: d.householdsOutside, points_outside: d.pointsOutside,
    indivisible: d.indivisible, utm_zone: d.utmZone, files,
    generate_s: Math.round(t1 - t0) / 1000, write_s: Math.round(t2 - t1) / 1000,
  })}\n`);
}

main();

/**
 * `writeWorld(world, dir)`: a world as a problem directory (../shared/FORMAT.md): boundary.geojson,
 * streets.geojson, households.geojson, communities.geojson and units.geojson when the world has them (stale
 * ones from an earlier world in the same directory are removed), params.json, and world.json (the meta
 * record, for people; solvers ignore it). One feature per line, written in chunks; byte-identical for the
 * same world.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { World } from './world-types.ts';
import { writeCollection } from '../write-problem-dir.ts';

/** Write the problem directory (created if needed); returns the file names written. */
export function writeWorld(world: World, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (name: string, features: readonly object[]) => {
    writeCollection(path.join(dir, name), features);
    files.push(name);
  };
  put('boundary.geojson', world.boundary.features);
  put('streets.geojson', world.streets.features);
  put('households.geojson', world.households.features);
  for (const [name, layer] of [['communities.geojson', world.communities], ['units.geojson', world.units]] as const) {
    if (layer) put(name, layer.features);
    else rmSync(path.join(dir, name), { force: true });
  }
  writeFileSync(path.join(dir, 'params.json'), `${JSON.stringify(world.params)}\n`);
  writeFileSync(path.join(dir, 'world.json'), `${JSON.stringify({ name: world.name, ...world.meta }, null, 1)}\n`);
  files.push('params.json', 'world.json');
  return files;
}

// Random test worlds (partition problems) for the engine: the public face.
export { generateWorld, MIN_WORLD_HOUSEHOLDS, MAX_WORLD_HOUSEHOLDS } from './generate-world.ts';
export { writeWorld } from './write-world.ts';
export { worldFamily, describeWorld } from './world-family.ts';
export type { WorldSpec, FamilyOptions, WorldSummary } from './world-family.ts';
export { realDataAvailable, REAL_SOURCES } from './real-streets.ts';
export { WORLD_KINDS, SYNTHETIC_KINDS } from './world-types.ts';
export type { World, WorldKind, WorldMeta, WorldOptions } from './world-types.ts';

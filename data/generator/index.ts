// The sample-town generator's public face.
export { generateTown } from './generate-town.ts';
export { loadTown } from './load-town.ts';
export { writeProblemDir } from './write-problem-dir.ts';
export { assignStaff } from './assign-staff.ts';
export { householdsOfBuilding, iterateHouseholds } from './residents.ts';
export type { Town, TownOptions } from './town-types.ts';
export type { LoadTownOptions, LoadTownResult } from './load-town.ts';

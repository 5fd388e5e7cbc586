// The sample-town generator's public face.
export { generateTown } from './generate-town.ts';
export { loadTown } from './load-town.ts';
export { writeProblemDir } from './write-problem-dir.ts';

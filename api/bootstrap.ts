/**
 * First start of the demo (`wangge serve --demo`, `npm start`): when the database holds no jurisdiction,
 * generate the sample town, load it, partition it and publish the plan, so the map has something to show.
 *
 * The generator (data/generator/) and the partition engine (spatial/partition/) are imported lazily: the
 * service itself does not need them, and a missing module ends the demo start-up with a message that says
 * what is missing instead of a stack trace.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { DB } from '../data/db/schema.ts';
import { WanggeError } from '../spatial/errors.ts';
import { noProgress, subProgress, type ProgressFn } from '../spatial/progress.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The planned interfaces of the two modules the demo needs. */
interface GeneratorModule {
  generateTown(opts: { households: number; seed: number }): unknown;
  loadTown(db: Kysely<DB>, town: unknown, opts: { progress?: ProgressFn }): Promise<{ jcode: string }>;
}
interface PartitionModule {
  partitionJurisdiction(db: Kysely<DB>, opts: { jcode: string; min: number; max: number; seed: number; progress?: ProgressFn }): Promise<{ planId: number | string }>;
  publishPlan(db: Kysely<DB>, jcode: string, planId: number | string): Promise<unknown>;
}

export interface BootstrapResult {
  /** false when the database already held a jurisdiction and nothing was done */
  loaded: boolean;
  jcode: string | null;
  planId: number | null;
}

async function importModule<T>(relPath: string, what: string, names: string[]): Promise<T> {
  const file = path.join(ROOT, relPath);
  if (!existsSync(file)) {
    throw new WanggeError('engine', `--demo needs ${what} (${relPath}), which is not in this build; `
      + 'load data with `wangge import` and start without --demo', { file: relPath });
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const missing = names.filter((n) => typeof mod[n] !== 'function');
  if (missing.length) throw new WanggeError('engine', `${relPath} does not export ${missing.join(', ')}`, { file: relPath });
  return mod as T;
}

/** Whether any jurisdiction is loaded. */
export async function hasJurisdiction(db: Kysely<DB>): Promise<boolean> {
  return (await db.selectFrom('jurisdictions').select('jcode').limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Load and partition the sample town when the database holds no jurisdiction. Sizes come from the config
 * (SAMPLE_HOUSEHOLDS, SAMPLE_SEED); grids of 400-600 households; the plan is published.
 */
export async function bootstrapDemo(db: Kysely<DB>, config: Readonly<Config>, progress: ProgressFn = noProgress): Promise<BootstrapResult> {
  if (await hasJurisdiction(db)) return { loaded: false, jcode: null, planId: null };
  const gen = await importModule<GeneratorModule>('data/generator/index.ts', 'the sample town generator', ['generateTown', 'loadTown']);
  const part = await importModule<PartitionModule>('spatial/partition/index.ts', 'the partition engine', ['partitionJurisdiction', 'publishPlan']);

  progress({ phase: 'sample town', percent: 0, message: `generating ${config.sampleHouseholds} households (seed ${config.sampleSeed})` });
  const town = gen.generateTown({ households: config.sampleHouseholds, seed: config.sampleSeed });
  const { jcode } = await gen.loadTown(db, town, { progress: subProgress(progress, 5, 40) });
  const result = await part.partitionJurisdiction(db, { jcode, min: 400, max: 600, seed: 1, progress: subProgress(progress, 40, 98) });
  await part.publishPlan(db, jcode, result.planId);
  progress({ phase: 'sample town', percent: 100, message: `jurisdiction ${jcode}, plan ${result.planId} published` });
  return { loaded: true, jcode, planId: Number(result.planId) };
}

/**
 * The independent scorer from ../shared/eval, for tests and benchmarks. It is read from ../shared at run time,
 * never committed: a copy goes to node_modules/.cache so that its imports resolve to this project's own
 * pglite and pglite-postgis (the same pinned versions the scorer asks for).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(REPO_ROOT, '../shared');
export const SHARED_DATA = path.join(SHARED, 'data');

export interface ScoreHeadline {
  grids: number; invalid: number; duplicate_codes: number; missing_codes: number; gap_ratio: number; spill_ratio: number;
  overlap_ratio: number; households: number; unassigned_hh: number; multi_assigned_hh: number; claimed_mismatch: number;
  in_range: number; out_of_range: number; street_alignment: number | null; street_alignment_excused: number | null;
  non_contiguous: number; compactness_mean: number | null; nesting_violations: number | null; units_split: number | null; hard_ok: boolean;
}

export interface Scorer {
  score(problemDir: string, gridsPath: string): Promise<{ headline: ScoreHeadline; details: any }>;
  close(): Promise<void>;
}

/** null when ../shared/eval is not beside the project. */
export async function loadScorer(): Promise<Scorer | null> {
  const src = path.join(SHARED, 'eval', 'score.mjs');
  if (!existsSync(src)) return null;
  const dir = path.join(REPO_ROOT, 'node_modules', '.cache', 'wangge-eval');
  mkdirSync(dir, { recursive: true });
  const dst = path.join(dir, 'score.mjs');
  copyFileSync(src, dst);
  const mod = await import(pathToFileURL(dst).href);
  const db = await mod.createDb();
  return {
    score: (problemDir, gridsPath) => mod.scoreSolution(problemDir, gridsPath, { db }),
    close: () => db.close(),
  };
}

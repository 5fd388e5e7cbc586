/**
 * What every CLI command shares: the configuration, opening the database the config names, progress on
 * stderr, and one translation of errors into a message on stderr and an exit code.
 *
 * Exit codes: 0 done; 1 internal failure (a bug or the engine failed); 2 bad input (file, feature,
 * parameter: the message names the place); 3 not found; 4 conflict.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { loadConfig, ConfigError, type Config } from '../config.ts';
import { openDatabase, type Database } from '../../data/db/connect.ts';
import { openScratchDatabase } from '../../data/db/scratch-database.ts';
import { isWanggeError } from '../../spatial/errors.ts';
import { subProgress, type ProgressFn } from '../../spatial/progress.ts';
import { importProblemDir, type ProblemFiles, type ProblemImportResult } from '../../data/importers/problem-dir.ts';

export const EXIT = { ok: 0, internal: 1, badInput: 2, notFound: 3, conflict: 4 } as const;

export function cliConfig(): Readonly<Config> {
  return loadConfig();
}

export async function openCliDatabase(config: Readonly<Config>): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    dataDir: path.join(config.dataDir, 'db'),
    statementTimeoutMs: config.statementTimeoutMs,
  });
}

/** Open the configured database, run `fn` on it and close it whatever happened (the account and key commands). */
export async function withCliDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const database = await openCliDatabase(cliConfig());
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** The one-shot problem commands (partition, validate, repair, merge): they take `--keep`. */
export const PROBLEM_COMMANDS = ['partition', 'validate', 'repair', 'merge'] as const;

let keepFlag = false;

/**
 * `--keep` of the command being run (set by the CLI's pre-action hook in main.ts, so that every problem command
 * has the option without each declaring it): import into the product's own database instead of a throwaway one.
 */
export function setKeepImported(keep: boolean): void {
  keepFlag = keep;
}

/**
 * The database a one-shot problem command works in: by default a throwaway one (embedded: in memory from a
 * migrated template kept in the data directory; server: a database created beside DATABASE_URL's and dropped
 * after), so a command on a problem directory never writes into the product's database; with `keep` the
 * configured database, as before.
 */
export async function openProblemDatabase(config: Readonly<Config>, keep: boolean): Promise<Database> {
  if (keep) return openCliDatabase(config);
  return openScratchDatabase({ url: config.databaseUrl, templateDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs });
}

/** What a command working on an imported problem directory gets (see withImportedProblem). */
export interface ImportedProblem {
  database: Database;
  imp: ProblemImportResult;
  progress: ProgressFn & { stop(): void };
  /** performance.now() when the database was open and when the import was done */
  openedAt: number;
  importedAt: number;
}

/**
 * Open a database (a throwaway one unless `keep` or `--keep`: see openProblemDatabase), import the problem
 * directory `dir` (its files already read, so bad input fails before any database opens) with progress from 0
 * to `importPercent`, run `work`, then stop the progress and close the database whatever happened.
 */
export async function withImportedProblem<T>(dir: string, files: ProblemFiles, o: { quiet?: boolean; jcode?: string; importPercent: number; keep?: boolean },
  work: (p: ImportedProblem) => Promise<T>): Promise<T> {
  const progress = stderrProgress(!o.quiet);
  const database = await openProblemDatabase(cliConfig(), o.keep ?? keepFlag);
  const openedAt = performance.now();
  try {
    const imp = await importProblemDir(database.db, dir, { files, jcode: o.jcode, replace: true, progress: subProgress(progress, 0, o.importPercent) });
    return await work({ database, imp, progress, openedAt, importedAt: performance.now() });
  } finally {
    progress.stop();
    await database.close();
  }
}

/** A progress reporter on stderr: a bar on a terminal, one line per phase otherwise. */
export function stderrProgress(enabled = true): ProgressFn & { stop(): void } {
  const tty = process.stderr.isTTY;
  let bar: cliProgress.SingleBar | null = null;
  let lastPhase = '';
  const fn = ((p: { phase: string; percent: number; message?: string }) => {
    if (!enabled) return;
    if (tty) {
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: '{bar} {percentage}% | {phase}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(100, 0, { phase: p.phase });
      }
      bar.update(Math.round(p.percent), { phase: p.message ? `${p.phase}: ${p.message}` : p.phase });
    } else if (p.phase !== lastPhase) {
      lastPhase = p.phase;
      process.stderr.write(`[${String(Math.round(p.percent)).padStart(3)}%] ${p.phase}${p.message ? `: ${p.message}` : ''}\n`);
    }
  }) as ProgressFn & { stop(): void };
  fn.stop = () => { if (bar) { (bar as cliProgress.SingleBar).stop(); bar = null; } };
  return fn;
}

/** Translate any thrown value into a message on stderr and an exit code. */
export function reportError(e: unknown): number {
  if (isWanggeError(e)) {
    process.stderr.write(`wangge: ${e.describe()}\n`);
    switch (e.code) {
      case 'not_found': return EXIT.notFound;
      case 'conflict': case 'precondition_failed': return EXIT.conflict;
      case 'engine': return EXIT.internal;
      default: return EXIT.badInput;
    }
  }
  if (e instanceof ConfigError) {
    process.stderr.write(`wangge: configuration: ${e.message}\n`);
    return EXIT.badInput;
  }
  process.stderr.write(`wangge: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT.internal;
}

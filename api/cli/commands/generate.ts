import path from 'node:path';
import type { Command } from 'commander';
import { cliConfig, openCliDatabase, stderrProgress } from '../context.ts';
import { WanggeError } from '../../../spatial/errors.ts';
import { generateTown } from '../../../data/generator/generate-town.ts';
import { writeProblemDir } from '../../../data/generator/write-problem-dir.ts';
import { loadTown } from '../../../data/generator/load-town.ts';

interface GenerateOpts {
  households: string;
  seed: string;
  name?: string;
  out?: string;
  load?: boolean;
  jcode?: string;
  replace?: boolean;
  residents: boolean;
}

function intOption(v: string, name: string): number {
  if (!/^\d+$/.test(v)) throw new WanggeError('bad_request', `--${name} must be a non-negative integer, got ${JSON.stringify(v)}`, { parameter: name });
  return Number(v);
}

/**
 * `wangge generate --households N --seed S (--out <dir> | --load)`: the deterministic sample town, written
 * as a problem directory (with hazards, cameras, tracks, overlays and residents beside it) and/or loaded
 * into the configured database.
 */
export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('generate the deterministic sample town: write it as a problem directory (--out) and/or load it (--load)')
    .requiredOption('--households <n>', 'households wanted (5000 to 1500000)')
    .option('--seed <s>', 'random seed (same seed, same town)', '1')
    .option('--name <name>', 'county name', undefined)
    .option('--out <dir>', 'write the problem directory and extra layers here')
    .option('--load', 'load the town into the database (DATABASE_URL or the embedded one)')
    .option('--jcode <code>', 'jurisdiction code to load under (default: the county code 370199000000)')
    .option('--replace', 'replace the jurisdiction if it is already loaded')
    .option('--no-residents', 'skip residents (residents.ndjson / the residents table)')
    .action(async (opts: GenerateOpts) => {
      const households = intOption(opts.households, 'households');
      const seed = intOption(opts.seed, 'seed');
      if (!opts.out && !opts.load) throw new WanggeError('bad_request', 'give --out <dir>, --load, or both', { parameter: 'out' });
      const progress = stderrProgress();
      const t0 = performance.now();
      progress({ phase: 'generate', percent: 0, message: `${households} households, seed ${seed}` });
      const town = generateTown({ households, seed, name: opts.name });
      const tg = performance.now();
      process.stderr.write(`generated ${town.name} ${town.code}: ${town.households} households, ${town.buildings.length} address points, `
        + `${town.streets.length} streets, ${town.communities.length} communities in ${town.townships.length} townships (${((tg - t0) / 1000).toFixed(1)} s)\n`);
      try {
        if (opts.out) {
          const res = writeProblemDir(town, opts.out, { residents: opts.residents, progress });
          progress.stop();
          process.stderr.write(`wrote ${res.files.length} files to ${path.resolve(opts.out)}${opts.residents ? ` (${res.residents} residents)` : ''}\n`);
        }
        if (opts.load) {
          const database = await openCliDatabase(cliConfig());
          try {
            const res = await loadTown(database.db, town, { jcode: opts.jcode, replace: opts.replace, residents: opts.residents, progress });
            progress.stop();
            process.stderr.write(`loaded ${res.jcode} into ${database.location}: ${Object.entries(res.counts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
          } finally {
            await database.close();
          }
        }
      } finally {
        progress.stop();
      }
    });
}

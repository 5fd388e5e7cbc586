/**
 * `wangge`: the command line. Each command lives in commands/<name>.ts and registers itself here.
 */
import { Command, CommanderError } from 'commander';
import { reportError, EXIT, PROBLEM_COMMANDS, setKeepImported } from './context.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerImport } from './commands/import.ts';
import { registerPartition } from './commands/partition.ts';
import { registerMerge } from './commands/merge.ts';
import { registerServe } from './commands/serve.ts';
import { registerValidate } from './commands/validate.ts';
import { registerRepair } from './commands/repair.ts';
import { registerUser } from './commands/user.ts';
import { registerOpen311 } from './commands/open311.ts';

export function buildProgram(): Command {
  const program = new Command('wangge')
    .description('Wangge (网格): grid partitioning, validation and maps for grid-based community governance')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerPartition(program);
  registerMerge(program);
  registerMigrate(program);
  registerGenerate(program);
  registerImport(program);
  registerServe(program);
  registerValidate(program);
  registerRepair(program);
  registerUser(program);
  registerOpen311(program);
  // the one-shot problem commands work in a throwaway database unless --keep (api/cli/context.ts)
  for (const c of program.commands) {
    if ((PROBLEM_COMMANDS as readonly string[]).includes(c.name())) {
      c.option('--keep', "import into the product's own database (replacing an earlier import of the same jurisdiction) instead of a throwaway one");
    }
  }
  program.hook('preAction', (_program, action) => {
    setKeepImported(Boolean((action.opts() as { keep?: boolean }).keep));
  });
  program.addHelpText('after', `
Environment: DATABASE_URL (server engine; embedded PGlite otherwise), WANGGE_DATA_DIR, PORT, LOG_LEVEL.
Exit codes: 0 done, 1 internal failure, 2 bad input (the message names file/feature/parameter), 3 not found, 4 conflict.`);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 1: make those "bad input".
      return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    return reportError(e);
  }
}

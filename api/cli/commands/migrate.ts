import type { Command } from 'commander';
import { cliConfig, openCliDatabase } from '../context.ts';
import { migrateDown } from '../../../data/db/migrate.ts';

/** `wangge migrate [--down]`: apply pending migrations (opening the database does) or undo the last one. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations, or undo the newest with --down')
    .option('--down', 'undo the newest applied migration')
    .action(async (opts: { down?: boolean }) => {
      const database = await openCliDatabase(cliConfig());
      try {
        if (opts.down) process.stderr.write(`undone: ${(await migrateDown(database.db)).join(', ') || 'nothing'}\n`);
        process.stderr.write(`database ${database.location} (${database.caps.engine}, PostGIS ${database.caps.postgis}) is migrated\n`);
      } finally {
        await database.close();
      }
    });
}

/**
 * Runs the timestamped migrations in migrations/ with Kysely's Migrator. Files are found by listing the
 * folder, so a new migration needs no registration.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

class FolderProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    const files = (await fs.readdir(this.dir)).filter((f) => /^\d{8}T\d{4}-[\w-]+\.ts$/.test(f)).sort();
    for (const f of files) {
      const mod = (await import(pathToFileURL(path.join(this.dir, f)).href)) as Migration;
      out[f.replace(/\.ts$/, '')] = mod;
    }
    return out;
  }
}

function check(res: MigrationResultSet, what: string): string[] {
  if (res.error) {
    const failed = res.results?.find((r) => r.status === 'Error');
    const e = new Error(`${what} failed${failed ? ` at ${failed.migrationName}` : ''}: ${(res.error as Error).message ?? res.error}`);
    (e as Error & { cause?: unknown }).cause = res.error;
    throw e;
  }
  return (res.results ?? []).map((r) => r.migrationName);
}

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new FolderProvider(MIGRATIONS_DIR) });
}

/** Bring the schema to the newest migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await migrator(db).migrateToLatest(), 'migration');
}

/** Undo the newest applied migration (tests use this to prove each migration is reversible). */
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return check(await migrator(db).migrateDown(), 'migration down');
}

/** Bring the schema to migration `name` exactly, up or down (tests of a migration's data changes use this). */
export async function migrateTo(db: Kysely<any>, name: string): Promise<string[]> {
  return check(await migrator(db).migrateTo(name), `migration to ${name}`);
}

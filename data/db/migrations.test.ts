/**
 * Every migration is reversible: down to nothing and up again on each engine, with the capability probe
 * answering as the engine's notes say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from './test-engines.ts';
import type { Database } from './connect.ts';
import { migrateDown, migrateToLatest } from './migrate.ts';

async function tables(database: Database): Promise<string[]> {
  const { rows } = await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%' AND table_name <> 'spatial_ref_sys' ORDER BY 1`.execute(database.db);
  return rows.map((r) => r.t);
}

describe.each(testEngines())('migrations on %s PostGIS', (engine) => {
  let database: Database;
  beforeAll(async () => { database = await openTestDatabase(engine); });
  afterAll(async () => { await database?.close(); });

  it('go down to an empty schema and up again to the same tables', async () => {
    const full = await tables(database);
    expect(full).toEqual(expect.arrayContaining(['jurisdictions', 'streets', 'address_points', 'households', 'residents', 'units',
      'hazards', 'cameras', 'patrol_tracks', 'grid_plans', 'blocks', 'grids', 'overlay_layers', 'overlay_zones', 'grid_staff']));
    for (let i = 0; i < 50 && (await tables(database)).length; i++) await migrateDown(database.db);
    expect(await tables(database)).toEqual([]);
    await migrateToLatest(database.db);
    expect(await tables(database)).toEqual(full);
  });

  it('probes capabilities from the functions the engine has', () => {
    if (engine === 'embedded') expect(database.caps).toMatchObject({ engine: 'embedded', coverage: true, mvt: false });
    else expect(database.caps).toMatchObject({ engine: 'server', mvt: true });
  });

  it('keeps every table keyed by the jurisdiction code', async () => {
    const { rows } = await sql<{ t: string }>`
      SELECT c.relname AS t FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'p' AND n.nspname = 'public' AND c.relname NOT LIKE 'kysely_%' AND c.relname <> 'spatial_ref_sys'
        AND NOT EXISTS (SELECT 1 FROM unnest(k.conkey) a JOIN pg_attribute at ON at.attrelid = c.oid AND at.attnum = a WHERE at.attname = 'jcode')`.execute(database.db);
    // tables of the service itself (jobs, accounts) may be global; the spatial data never are
    expect(rows.map((r) => r.t).filter((t) => !['jobs', 'users', 'sessions', 'audit_log', 'login_attempts'].includes(t))).toEqual([]);
  });
});

// Demo accounts (serve --demo): one per role with fresh random passwords that work, and only once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { createDemoAccounts } from './demo-accounts.ts';
import { checkLogin, listUsers } from './users.ts';
import { G1 } from './test-people.ts';

describe.each(testEngines())('demo accounts on the %s engine', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
  });
  afterAll(async () => database?.close());

  it('creates one account per role with random passwords, once', async () => {
    const made = await createDemoAccounts(database.db);
    expect(made.map((a) => a.role)).toEqual(['admin', 'planner', 'commander', 'grid_worker']);
    expect(made.find((a) => a.role === 'grid_worker')!.grids).toEqual([G1]);
    // a grid worker's scope is (jurisdiction, grid): the demo worker has its jurisdiction (issue 17)
    expect((await listUsers(database.db)).find((u) => u.role === 'grid_worker')!.jcode).toBe(TINY.jcode);
    expect(new Set(made.map((a) => a.password)).size).toBe(4);
    for (const a of made) {
      expect(a.password).toMatch(/^[\w-]{18}$/);
      expect((await checkLogin(database.db, a.name, a.password))?.role).toBe(a.role);
      expect(await checkLogin(database.db, a.name, `${a.password}x`)).toBeNull();
    }
    expect(await createDemoAccounts(database.db)).toEqual([]);
    expect((await listUsers(database.db)).length).toBe(4);
  });
});

/**
 * Demo accounts for `wangge serve --demo` only: when no account exists, one account per role is created with
 * a fresh random password, returned once so the caller can print it. Nothing is created when any account
 * exists, and no password is ever fixed in the source.
 */
import { sql, type Kysely } from 'kysely';
import { randomPassword } from './password.ts';
import { createUser } from './users.ts';
import type { Role } from './roles.ts';

export interface DemoAccount { name: string; role: Role; password: string; grids: string[]; jcode?: string }

export async function createDemoAccounts(db: Kysely<any>): Promise<DemoAccount[]> {
  const { rows: any } = await sql`SELECT 1 FROM users LIMIT 1`.execute(db);
  if (any.length) return [];
  const { rows: grid } = await sql<{ jcode: string; code: string }>`SELECT g.jcode, g.code FROM grids g JOIN grid_plans p ON p.jcode = g.jcode AND p.id = g.plan_id
    WHERE p.status = 'published' ORDER BY g.jcode, g.code LIMIT 1`.execute(db);
  const plan: Array<{ name: string; role: Role; grids: string[]; jcode?: string }> = [
    { name: 'demo-admin', role: 'admin', grids: [] },
    { name: 'demo-planner', role: 'planner', grids: [] },
    { name: 'demo-commander', role: 'commander', grids: [] },
  ];
  // a grid worker's scope is (jurisdiction, grid)
  if (grid[0]) plan.push({ name: 'demo-worker', role: 'grid_worker', grids: [grid[0].code], jcode: grid[0].jcode });
  const out: DemoAccount[] = [];
  for (const p of plan) {
    const password = randomPassword();
    await createUser(db, { ...p, password });
    out.push({ ...p, password });
  }
  return out;
}

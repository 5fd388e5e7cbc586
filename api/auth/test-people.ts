/**
 * Test fixture: synthetic (fictitious) households and residents for the tiny town, one account per role, and
 * logging in over HTTP. Names, ID numbers and phones are unique so a test can search any body for them.
 */
import { sql, type Kysely } from 'kysely';
import { TINY } from '../test/tiny-town.ts';
import type { TestServer } from '../test/http.ts';
import { createUser } from './users.ts';
import type { Role } from './roles.ts';

export const G1 = `${TINY.communities[0]}001`;
export const G2 = `${TINY.communities[1]}002`;
export const PASSWORD = 'correct horse battery';

// a grid worker's scope is (jurisdiction, grid): workers carry their jurisdiction
export const ACCOUNTS: Array<{ name: string; role: Role; grids: string[]; jcode?: string }> = [
  { name: 'admin1', role: 'admin', grids: [] },
  { name: 'planner1', role: 'planner', grids: [] },
  { name: 'commander1', role: 'commander', grids: [] },
  { name: 'worker1', role: 'grid_worker', grids: [G1], jcode: TINY.jcode },
  { name: 'worker2', role: 'grid_worker', grids: [G2], jcode: TINY.jcode },
];

export interface Person { id: number; name: string; idNumber: string; phone: string }

const SURNAMES = ['张', '王', '李', '赵', '刘', '陈'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇'];

/** Two households per address point, two residents per household; returns the residents. */
export async function loadPeople(db: Kysely<any>): Promise<Person[]> {
  const { rows: points } = await sql<{ id: string }>`SELECT id FROM address_points WHERE jcode = ${TINY.jcode} ORDER BY id`.execute(db);
  let k = 0;
  for (const p of points) {
    for (let h = 0; h < 2; h++) {
      const { rows } = await sql<{ id: string }>`INSERT INTO households (jcode, address_point_id, unit_no, members, tags)
        VALUES (${TINY.jcode}, ${p.id}, ${`${h + 1}01`}, 2, ${['elderly']}::text[]) RETURNING id`.execute(db);
      for (let m = 0; m < 2; m++) {
        k += 1;
        const name = `${SURNAMES[k % SURNAMES.length]}${GIVEN[k % GIVEN.length]}${GIVEN[(k * 3 + 1) % GIVEN.length]}${String(k).padStart(3, '0')}`;
        const idNumber = `110108${1950 + (k % 50)}0101${String(k).padStart(4, '0')}`;
        const phone = `139${String(10_000_000 + k * 37).padStart(8, '0')}`;
        await sql`INSERT INTO residents (jcode, household_id, name, id_number, phone, birth_date, relation, tags)
          VALUES (${TINY.jcode}, ${rows[0].id}, ${name}, ${idNumber}, ${phone}, ${`${1950 + (k % 50)}-01-01`}::date, ${m === 0 ? '户主' : '配偶'}, '{}')`.execute(db);
      }
    }
  }
  const { rows } = await sql<{ id: string; name: string; id_number: string; phone: string }>`SELECT id, name, id_number, phone FROM residents ORDER BY id`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), name: r.name, idNumber: r.id_number, phone: r.phone }));
}

export async function createAccounts(db: Kysely<any>): Promise<void> {
  for (const a of ACCOUNTS) await createUser(db, { ...a, password: PASSWORD });
}

/** Log in over HTTP; returns the bearer token. */
export async function login(base: string, name: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  if (res.status !== 201) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * For route tests of write routes: a planner account (created once per database) logged in, and the server
 * with `get` and `post` sending its bearer token (drafts and writes need it). Returns the server and the token.
 */
export async function asPlanner(db: Kysely<any>, s: TestServer): Promise<{ server: TestServer; token: string }> {
  await createUser(db, { name: 'route-test-planner', role: 'planner', password: PASSWORD });
  const token = await login(s.base, 'route-test-planner');
  return {
    server: {
      ...s,
      get: (p, init = {}) => s.get(p, { ...init, headers: { ...bearer(token), ...(init.headers as Record<string, string> | undefined) } }),
      post: (p, body, headers = {}) => s.post(p, body, { ...bearer(token), ...headers }),
    },
    token,
  };
}

// Issue 17, finding 4: the login limiter cannot be raced (counted before the password is verified, atomically),
// limits an address across names and a name across addresses, backs off instead of locking the rightful user out
// for the whole window, and is kept in the database (a restart forgets nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { startTestServer, type TestServer } from '../test/http.ts';
import { createAccounts, PASSWORD } from './test-people.ts';
import { LoginLimiter } from './login-limiter.ts';

const AUTH = { loginMaxFailures: 10, loginMaxFailuresPerAddress: 20, loginMaxFailuresPerName: 40, loginWindowMinutes: 15 };

describe.each(testEngines())('the login limiter on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await createAccounts(database.db);
    s = await startTestServer(database, { auth: AUTH });
  }, 120_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const login = (name: string, password: string, server = s) => server.post('/api/session', { name, password });
  const reset = () => sql`DELETE FROM login_attempts`.execute(database.db);
  /** pretend `seconds` passed for every recorded attempt */
  const age = (seconds: number) => sql`UPDATE login_attempts SET at = at - make_interval(secs => ${seconds})`.execute(database.db);

  it('lets at most LOGIN_MAX_FAILURES of 60 parallel guesses reach the password check', async () => {
    await reset();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => login('admin1', `guess number ${i}`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(AUTH.loginMaxFailures);
    expect(statuses.filter((x) => x === 401).length).toBeGreaterThan(0);
    expect(statuses.filter((x) => x !== 401 && x !== 429)).toEqual([]);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()).code).toBe('too_many_requests');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM login_attempts WHERE name = 'admin1'`.execute(database.db);
    expect(rows[0].n).toBeLessThanOrEqual(AUTH.loginMaxFailures);
  });

  it('limits guesses across many names from one address', async () => {
    await reset();
    const first: number[] = [];
    for (let i = 0; i < AUTH.loginMaxFailuresPerAddress; i++) first.push((await login(`nobody-${i}`, 'wrong password')).status);
    expect(first.every((x) => x === 401)).toBe(true);
    // further names, other names each: refused for the address
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => login(`someone-${i}`, 'wrong password')));
    expect(more.map((r) => r.status)).toEqual(Array(10).fill(429));
    expect((await more[0].json()).detail).toMatch(/from this address/);
  });

  it('limits guesses of one name across addresses', async () => {
    await reset();
    const limiter = new LoginLimiter(database.db, { maxFailures: 10, maxPerAddress: 20, maxPerName: 5, windowMs: 15 * 60_000 });
    for (let i = 0; i < 5; i++) {
      const r = await limiter.reserve('planner1', `10.0.0.${i}`);
      expect(r.ok).toBe(true);
      if (r.ok) await limiter.fail(r.id);
    }
    const next = await limiter.reserve('planner1', '10.0.0.99');
    expect(next).toMatchObject({ ok: false, why: 'account' });
    // backing off, not locking out: after the wait the next try is allowed
    await age(30);
    expect((await limiter.reserve('planner1', '10.0.0.99')).ok).toBe(true);
  });

  it('backs off instead of locking the rightful user out for the whole window, and a success clears the failures', async () => {
    await reset();
    for (let i = 0; i < AUTH.loginMaxFailures; i++) expect((await login('commander1', `wrong ${i}`)).status).toBe(401);
    const locked = await login('commander1', PASSWORD);
    expect(locked.status).toBe(429);
    const wait = Number(locked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(30); // seconds, not 15 minutes
    await age(wait);
    expect((await login('commander1', PASSWORD)).status).toBe(201);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM login_attempts WHERE name = 'commander1'`.execute(database.db);
    expect(rows[0].n).toBe(0);
  });

  it('keeps its memory in the database: a restarted service still refuses', async () => {
    await reset();
    for (let i = 0; i < AUTH.loginMaxFailures; i++) expect((await login('worker1', `wrong ${i}`)).status).toBe(401);
    await s.app.stop();
    s = await startTestServer(database, { auth: AUTH });
    expect((await login('worker1', 'wrong again')).status).toBe(429);
  });
});

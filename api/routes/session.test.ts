// Login, logout, rate limiting and CORS on each engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { bearer, createAccounts, login, PASSWORD } from '../auth/test-people.ts';
import { disableUser } from '../auth/users.ts';

describe.each(testEngines())('sessions on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await createAccounts(database.db);
    s = await startTestServer(database, { auth: { corsOrigins: ['https://wall.example.org'], loginMaxFailures: 3, loginWindowMinutes: 15 } });
  });
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  it('logs in with a name and password, returns a bearer token stored only as a hash, and logs out', async () => {
    const res = await s.post('/api/session', { name: 'commander1', password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body.token).toMatch(/^[\w-]{43}$/);
    expect(body.user).toEqual({ name: 'commander1', role: 'commander', jcode: null, grids: [] });
    const hours = (Date.parse(body.expiresAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    const { rows } = await sql<{ token_hash: string }>`SELECT token_hash FROM sessions`.execute(database.db);
    expect(rows.some((r) => r.token_hash === body.token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);

    const me = await s.get('/api/session', { headers: bearer(body.token) });
    expect(me.status).toBe(200);
    expect((await me.json()).user.name).toBe('commander1');
    const out = await fetch(`${s.base}/api/session`, { method: 'DELETE', headers: bearer(body.token) });
    expect(out.status).toBe(204);
    await expectProblem(await s.get('/api/session', { headers: bearer(body.token) }), 401, 'unauthorized');
    await expectProblem(await fetch(`${s.base}/api/session`, { method: 'DELETE' }), 401, 'unauthorized');
  });

  it('refuses wrong passwords and unknown names alike, and bad bodies with 400', async () => {
    const wrong = await expectProblem(await s.post('/api/session', { name: 'admin1', password: 'wrong password' }), 401, 'unauthorized');
    const unknown = await expectProblem(await s.post('/api/session', { name: 'nobody', password: 'wrong password' }), 401, 'unauthorized');
    expect(wrong.detail).toBe(unknown.detail);
    await expectProblem(await s.post('/api/session', { name: 'admin1' }), 400, 'bad_request', 'password');
    await expectProblem(await s.post('/api/session', { name: 7, password: 'x' }), 400, 'bad_request', 'name');
    await expectProblem(await s.post('/api/session', ['admin1']), 400, 'bad_request', 'body');
  });

  it('limits failed logins per name and address with 429, and the right password does not pass while locked', async () => {
    for (let i = 0; i < 3; i++) await expectProblem(await s.post('/api/session', { name: 'planner1', password: `guess ${i}` }), 401, 'unauthorized');
    const locked = await s.post('/api/session', { name: 'planner1', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await locked.json()).code).toBe('too_many_requests');
    // another name from the same address is not locked
    expect((await s.post('/api/session', { name: 'worker1', password: PASSWORD })).status).toBe(201);
  });

  it('ends the sessions of a disabled account', async () => {
    const token = await login(s.base, 'worker2');
    expect((await s.get('/api/session', { headers: bearer(token) })).status).toBe(200);
    await disableUser(database.db, 'worker2');
    await expectProblem(await s.get('/api/session', { headers: bearer(token) }), 401, 'unauthorized');
    await expectProblem(await s.post('/api/session', { name: 'worker2', password: PASSWORD }), 401, 'unauthorized');
  });

  it('answers CORS only for allowed origins', async () => {
    const ok = await s.get('/api/health', { headers: { origin: 'https://wall.example.org' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://wall.example.org');
    const no = await s.get('/api/health', { headers: { origin: 'https://evil.example.com' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${s.base}/api/session`, { method: 'OPTIONS', headers: { origin: 'https://wall.example.org', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');
    const bad = await fetch(`${s.base}/api/session`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    await expectProblem(bad, 403, 'forbidden', 'Origin');
  });
});

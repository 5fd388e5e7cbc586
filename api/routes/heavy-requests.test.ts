// Issue 17, finding 1: one anonymous request cannot stall everything. Validation and repair need an account of the
// jurisdiction (refused before the body is read), layers are bounded in features and positions and must lie on
// the jurisdiction (a triangle from (0, 0) to the town is refused at once), heavy requests run one at a time, and
// on the server engine their statements have a timeout; lookups are answered meanwhile. How long each of these
// takes is measured by scripts/bench-heavy-requests.ts, not asserted here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY, type TinyTown } from '../test/tiny-town.ts';
import { fc, LIMITS, ring, square } from '../test/heavy-layers.ts';
import { bearer, createAccounts, login, PASSWORD } from '../auth/test-people.ts';
import { createUser } from '../auth/users.ts';
import { HeavyGate, withStatementTimeout } from '../heavy-gate.ts';
import { TooManyRequestsError, toProblem } from '../errors.ts';

const J = TINY.jcode;

describe('the heavy-work gate', () => {
  it('runs one heavy request at a time and answers the next 429 with Retry-After', async () => {
    const gate = new HeavyGate(1, 7);
    let release!: () => void;
    const first = gate.run('validation', () => new Promise<void>((r) => { release = r; }));
    const second = await gate.run('validation', async () => 'ran').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(TooManyRequestsError);
    expect((second as TooManyRequestsError).retryAfterS).toBe(7);
    expect(toProblem(second)).toMatchObject({ status: 429, code: 'too_many_requests' });
    release();
    await first;
    expect(await gate.run('validation', async () => 'ran')).toBe('ran');
  });
});

describe.each(testEngines())('heavy requests on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let town: TinyTown;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    town = await loadTinyTown(database.db);
    await createAccounts(database.db);
    await createUser(database.db, { name: 'elsewhere', role: 'planner', password: PASSWORD, jcode: '999999999999' });
    s = await startTestServer(database, {}, LIMITS);
    for (const n of ['planner1', 'worker1', 'elsewhere']) tokens[n] = await login(s.base, n);
  }, 120_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const post = (p: string, body: unknown, who: string | null = 'planner1') => s.post(p, body, who ? bearer(tokens[who]) : {});
  const V = `/api/jurisdictions/${J}/validate`;
  const R = `/api/jurisdictions/${J}/repair`;
  const inTown = square(TINY.x0 + 0.001, TINY.y0 + 0.001, 0.003);

  it('refuses anonymous validation and repair before reading the body, and other roles or jurisdictions', async () => {
    const big = JSON.stringify(fc([ring(200_000)]));
    expect(big.length).toBeGreaterThan(6_000_000);
    for (const p of [V, R, `/api/jurisdictions/${J}/plans/${town.publishedPlanId}/validate`]) {
      const res = await fetch(`${s.base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      await expectProblem(res, 401, 'unauthorized', 'Authorization');
      await expectProblem(await post(p, fc([inTown]), 'worker1'), 403, 'forbidden');
      await expectProblem(await post(p, fc([inTown]), 'elsewhere'), 403, 'forbidden', 'jcode');
    }
  });

  it('bounds a layer in features, positions per feature and positions in all (413 naming the feature)', async () => {
    const many = fc(Array.from({ length: 51 }, (_, i) => square(TINY.x0 + 0.0001 * i, TINY.y0, 0.0001)));
    for (const p of [V, R]) {
      const e = await expectProblem(await post(p, many), 413, 'too_large', 'features');
      expect(e.detail).toMatch(/51 features.*LAYER_MAX_FEATURES/);
      const one = await expectProblem(await post(p, fc([inTown, ring(600)])), 413, 'too_large', 'features');
      expect(one.where.featureIndex).toBe(1);
      expect(one.detail).toMatch(/FEATURE_MAX_VERTICES/);
      await expectProblem(await post(p, fc(Array.from({ length: 5 }, () => ring(450)))), 413, 'too_large', 'features');
    }
    await expectProblem(await post(`/api/jurisdictions/${J}/merge`, { layers: [{ name: 'a', features: many.features }] }), 413, 'too_large', 'features');
  });

  it('refuses at once a triangle from (0, 0) to the town', async () => {
    const triangle = { type: 'Polygon', coordinates: [[[0, 0], [TINY.x0 + 0.005, TINY.y0 + 0.004], [TINY.x0, TINY.y0 + 0.008], [0, 0]]] };
    for (const p of [V, R]) {
      const e = await expectProblem(await post(p, fc([inTown, triangle])), 400, 'bad_feature', 'features');
      expect(e.where.featureIndex).toBe(1);
      expect(e.detail).toMatch(/outside the jurisdiction/);
    }
  });

  it('still validates and repairs a layer within the bounds', async () => {
    const ok = await post(V, fc([inTown]));
    expect(ok.status).toBe(200);
    expect((await ok.json()).summary.grids).toBe(1);
    expect((await post(R, fc([inTown]))).status).toBe(200);
  });

  it('answers lookups while anonymous heavy requests are refused', async () => {
    const big = JSON.stringify(fc([ring(150_000)]));
    const at = `/api/lookup?lon=${TINY.x0 + 0.001}&lat=${TINY.y0 + 0.001}`;
    const heavy = Array.from({ length: 6 }, () => fetch(`${s.base}${V}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }).then((r) => r.status));
    for (let i = 0; i < 20; i++) expect((await s.get(at)).status).toBe(200);
    expect(await Promise.all(heavy)).toEqual(Array(6).fill(401));
  });

  it('answers 503 timeout at the deadline, drops the statements not started and frees the slot once the work stopped', async () => {
    const gate = new HeavyGate();
    let ran = 0;
    const t0 = performance.now();
    const e = await gate.run('validation', () => withStatementTimeout(database.db, database.caps, 300, async (db) => {
      for (let i = 0; i < 2000; i++) {
        await sql`SELECT count(*) FROM generate_series(1, 20000)`.execute(db);
        ran += 1;
      }
    })).catch((x: unknown) => x);
    expect(toProblem(e)).toMatchObject({ status: 503, code: 'timeout', where: { parameter: 'body' } });
    expect(e).toMatchObject({ retryAfterS: 5 });
    process.stdout.write(`${engine}: a heavy request with a 300 ms deadline answered after ${Math.round(performance.now() - t0)} ms, ${ran} statements run\n`);
    const atAnswer = ran;
    await new Promise((r) => setTimeout(r, 600));
    expect(ran - atAnswer).toBeLessThanOrEqual(1);
    expect(ran).toBeLessThan(2000);
    expect(gate.running).toBe(0);
    // the database is usable at once (the work's transaction was rolled back)
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).rows[0].one).toBe(1);
  });

  // on the server the tiny town's validation ends well within the deadline; the test above holds the server's deadline
  it.skipIf(engine === 'server')('answers a validation past REQUEST_TIMEOUT_MS with problem+json, and the next one runs', async () => {
    const hurried = await startTestServer(database, {}, { ...LIMITS, REQUEST_TIMEOUT_MS: '100' });
    try {
      const token = await login(hurried.base, 'planner1');
      const res = await hurried.post(`/api/jurisdictions/${J}/plans/${town.publishedPlanId}/validate`, undefined, bearer(token));
      await expectProblem(res, 503, 'timeout', 'body');
    } finally {
      await hurried.app.stop();
    }
    expect((await post(`/api/jurisdictions/${J}/plans/${town.publishedPlanId}/validate`, undefined)).status).toBe(200);
  });

  it.skipIf(engine === 'embedded')('cancels a statement of a heavy request past REQUEST_TIMEOUT_MS and answers 413', async () => {
    const e = await withStatementTimeout(database.db, database.caps, 200, (db) => sql`SELECT pg_sleep(3)`.execute(db)).catch((x: unknown) => x);
    expect(toProblem(e)).toMatchObject({ status: 413, code: 'too_large' });
  });
});

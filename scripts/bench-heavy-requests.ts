/**
 * The times behind api/routes/heavy-requests.test.ts, which asserts only what the service answers: how long
 * an anonymous 6 MB validation takes to be refused (it is refused before the body is read), how long a layer
 * reaching from (0, 0) to the town takes to be refused, and the lookup latency while six anonymous heavy
 * requests are refused. The tiny town on the embedded engine (or the server engine with TEST_DATABASE_URL).
 *
 *   npx tsx scripts/bench-heavy-requests.ts
 */
import { openTestDatabase, testEngines } from '../data/db/test-engines.ts';
import { startTestServer } from '../api/test/http.ts';
import { loadTinyTown, TINY } from '../api/test/tiny-town.ts';
import { bearer, createAccounts, login } from '../api/auth/test-people.ts';
import { fc, LIMITS, ring, square } from '../api/test/heavy-layers.ts';

const J = TINY.jcode;
const ms = (t0: number) => Math.round(performance.now() - t0);

for (const engine of testEngines()) {
  const database = await openTestDatabase(engine);
  await loadTinyTown(database.db);
  await createAccounts(database.db);
  const s = await startTestServer(database, {}, LIMITS);
  try {
    const token = await login(s.base, 'planner1');
    const V = `${s.base}/api/jurisdictions/${J}/validate`;
    const big = JSON.stringify(fc([ring(200_000)]));
    let t0 = performance.now();
    const anon = await fetch(V, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    await anon.arrayBuffer();
    const refuseAnon = ms(t0);

    const triangle = { type: 'Polygon', coordinates: [[[0, 0], [TINY.x0 + 0.005, TINY.y0 + 0.004], [TINY.x0, TINY.y0 + 0.008], [0, 0]]] };
    t0 = performance.now();
    const far = await fetch(V, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: JSON.stringify(fc([square(TINY.x0 + 0.001, TINY.y0 + 0.001, 0.003), triangle])) });
    await far.arrayBuffer();
    const refuseFar = ms(t0);

    const heavyBody = JSON.stringify(fc([ring(150_000)]));
    const heavy = Array.from({ length: 6 }, () => fetch(V, { method: 'POST', headers: { 'content-type': 'application/json' }, body: heavyBody }).then((r) => r.arrayBuffer()));
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      t0 = performance.now();
      await (await fetch(`${s.base}/api/lookup?lon=${TINY.x0 + 0.001}&lat=${TINY.y0 + 0.001}`)).arrayBuffer();
      times.push(ms(t0));
    }
    await Promise.all(heavy);
    times.sort((a, b) => a - b);
    process.stdout.write(`${engine}: anonymous 6 MB validation refused (${anon.status}) in ${refuseAnon} ms; `
      + `layer from (0, 0) refused (${far.status}) in ${refuseFar} ms; `
      + `20 lookups beside 6 anonymous heavy requests: median ${times[10]} ms, max ${times[19]} ms\n`);
  } finally {
    await s.app.stop();
    await database.close();
  }
}

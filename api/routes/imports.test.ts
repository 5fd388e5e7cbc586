// Imports by upload as jobs on each engine: a good file lands, a broken one fails with a problem+json error
// and leaves every table as it was, an oversized upload gets 413.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, tableCounts, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { expectProblem, readEvents, startTestServer, waitForJob, type TestServer } from '../test/http.ts';
import { asPlanner, bearer } from '../auth/test-people.ts';

const J = TINY.jcode;
const URL_ = `/api/jurisdictions/${J}/imports`;

function form(name: string, text: string, fields: Record<string, string> = {}): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  f.set('file', new Blob([text], { type: 'application/octet-stream' }), name);
  return f;
}

const cameras = JSON.stringify({
  type: 'FeatureCollection',
  features: [0, 1].map((k) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [TINY.x0 + 0.001 * (k + 1), TINY.y0 + 0.001] }, properties: { code: `UP${k}`, name: `上传${k}` } })),
});

describe.each(testEngines())('imports by upload on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let token: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    // with WRITES_REQUIRE_LOGIN imports need a planner or admin account (issue 7): every post carries a planner's token
    ({ server: s, token } = await asPlanner(database.db, await startTestServer(database, { uploadLimitBytes: 64 * 1024, auth: { writesRequireLogin: true } })));
  });
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const upload = (body: FormData, url = URL_) => fetch(`${s.base}${url}`, { method: 'POST', body, headers: bearer(token) });

  it('imports an uploaded layer as a job', async () => {
    const before = await tableCounts(database.db);
    const res = await upload(form('cams.geojson', cameras, { layer: 'cameras', append: 'true' }));
    expect(res.status, await res.clone().text()).toBe(202);
    const job = await res.json();
    expect(job.kind).toBe('import');
    const done = await waitForJob(s, job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.result.counts.cameras).toBe(2);
    expect((await tableCounts(database.db)).cameras).toBe(before.cameras + 2);
    const ev = await readEvents(await s.get(`/api/jobs/${job.id}/events`));
    expect(ev.map((e) => e.event)).toEqual(['done']);
  });

  it('reports a failed import as a problem and leaves the database unchanged', async () => {
    const before = await tableCounts(database.db);
    const bad = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [TINY.x0, TINY.y0] }, properties: {} }, { type: 'Feature', geometry: { type: 'Point', coordinates: ['x', 1] }, properties: {} }] });
    const res = await upload(form('bad.geojson', bad, { layer: 'cameras', append: 'true' }));
    expect(res.status).toBe(202);
    const job = await waitForJob(s, (await res.json()).id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ status: 400, type: expect.stringMatching(/^\/api\/problems\//) });
    expect(job.error.code).toMatch(/^bad_/);
    expect(await tableCounts(database.db)).toEqual(before);
  });

  it('refuses oversized, empty and misdirected uploads', async () => {
    await expectProblem(await upload(form('big.geojson', 'x'.repeat(100 * 1024), { layer: 'cameras' })), 413, 'too_large', 'file');
    await expectProblem(await upload(new FormData()), 400, 'bad_request', 'file');
    await expectProblem(await upload(form('c.geojson', cameras, { colour: 'red' })), 400, 'bad_request', 'colour');
    await expectProblem(await upload(form('c.geojson', cameras, { replace: 'maybe' })), 400, 'bad_request', 'replace');
    await expectProblem(await upload(form('c.geojson', cameras), '/api/jurisdictions/999999999999/imports'), 404, 'not_found', 'jcode');
    await expectProblem(await s.post(URL_, { file: 'x' }), 400, 'bad_request', 'body');
  });
});

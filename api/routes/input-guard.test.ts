// Issue 17, finding 8: odd input is refused at the edge with 400 problem+json, never a 500: NUL bytes (six places
// were answered 500), other control characters, broken Unicode, deep nesting; coordinates of a layer that are
// projected or out of range; a polygon across the antimeridian.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY, type TinyTown } from '../test/tiny-town.ts';
import { bearer, createAccounts, login } from '../auth/test-people.ts';
import { badText, MAX_DEPTH } from '../input-guard.ts';

const J = TINY.jcode;
const square = (x: number, y: number, d: number) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });
const layer = (geometry: unknown, code = 'G1') => ({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code, households: 500 }, geometry }] });

describe('badText', () => {
  it('refuses NUL, control characters and unpaired surrogates; allows tab and newlines in bodies only', () => {
    expect(badText('网格 A-1')).toBeNull();
    expect(badText('a\u0000b')).toMatch(/NUL/);
    expect(badText('a\u0007b')).toMatch(/control/);
    expect(badText('a\u007fb')).toMatch(/control/);
    expect(badText('a\tb')).toMatch(/control/);
    expect(badText('a\tb\nc\r', true)).toBeNull();
    expect(badText('a\ud800b')).toMatch(/Unicode/);
    expect(badText('a\udc00')).toMatch(/Unicode/);
    expect(badText('𠀀')).toBeNull();
  });
});

describe.each(testEngines())('input normalisation at the edge on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let town: TinyTown;
  let planner: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    town = await loadTinyTown(database.db);
    await createAccounts(database.db);
    s = await startTestServer(database);
    planner = await login(s.base, 'planner1');
  }, 120_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const asPlanner = (p: string, body: unknown) => s.post(p, body, bearer(planner));

  it('answers a NUL byte with 400 in each of the six places that answered 500', async () => {
    await expectProblem(await s.get('/api/lookup?q=%00'), 400, 'bad_request', 'q');
    await expectProblem(await s.get('/ogc/collections/grids/items/%00'), 400, 'bad_request', 'path');
    await expectProblem(await s.post('/api/session', { name: 'admin1\u0000', password: 'whatever password' }), 400, 'bad_request', 'name');
    await expectProblem(await asPlanner(`/api/jurisdictions/${J}/plans/${town.publishedPlanId}/copy`, { name: '副本\u0000' }), 400, 'bad_request', 'name');
    const inside = square(TINY.x0 + 0.001, TINY.y0 + 0.001, 0.002);
    for (const op of ['validate', 'repair']) {
      const p = await expectProblem(await asPlanner(`/api/jurisdictions/${J}/${op}`, layer(inside, 'G\u00001')), 400, 'bad_request');
      expect(p.where).toMatchObject({ parameter: 'features[0].properties.code', featureIndex: 0 });
    }
  });

  it('refuses control characters, broken Unicode and deep nesting in path, query and body', async () => {
    await expectProblem(await s.get('/api/lookup?q=a%07b'), 400, 'bad_request', 'q');
    await expectProblem(await s.get(`/api/layers/grids.geojson?jcode=${J}%0A`), 400, 'bad_request', 'jcode');
    await expectProblem(await s.get('/api/grids/G%01/bundle?jcode=1'), 400, 'bad_request', 'path');
    const lone = await fetch(`${s.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": "a\\ud800", "password": "whatever password"}' });
    await expectProblem(lone, 400, 'bad_request', 'name');
    const deep = `${'['.repeat(MAX_DEPTH + 5)}${']'.repeat(MAX_DEPTH + 5)}`;
    const nested = await fetch(`${s.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"name": ${deep}, "password": "x"}` });
    await expectProblem(nested, 400, 'bad_request', 'body');
    const veryDeep = await fetch(`${s.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${'['.repeat(200_000)}${']'.repeat(200_000)}` });
    expect(veryDeep.status).toBe(400);
  });

  it('refuses projected and out-of-range coordinates with 400 bad_crs naming the feature', async () => {
    const projected = layer({ type: 'Polygon', coordinates: [[[450000, 4420000], [451000, 4420000], [451000, 4421000], [450000, 4420000]]] });
    for (const op of ['validate', 'repair']) {
      const p = await expectProblem(await asPlanner(`/api/jurisdictions/${J}/${op}`, projected), 400, 'bad_crs', 'features');
      expect(p.where.featureIndex).toBe(0);
      expect(p.detail).toMatch(/WGS-84/);
    }
    await expectProblem(await asPlanner(`/api/jurisdictions/${J}/validate`, layer(square(116.3, 95, 0.01))), 400, 'bad_crs', 'features');
    await expectProblem(await asPlanner(`/api/jurisdictions/${J}/merge`, { layers: [{ name: 'a', features: projected.features }] }), 400, 'bad_crs', 'features');
  });

  it('refuses a polygon across the antimeridian clearly', async () => {
    const across = layer({ type: 'Polygon', coordinates: [[[179.9, 39.98], [-179.9, 39.98], [-179.9, 39.99], [179.9, 39.99], [179.9, 39.98]]] });
    for (const op of ['validate', 'repair']) {
      const p = await expectProblem(await asPlanner(`/api/jurisdictions/${J}/${op}`, across), 400, 'bad_feature', 'features');
      expect(p.detail).toMatch(/antimeridian/);
      expect(p.where.featureIndex).toBe(0);
    }
  });
});

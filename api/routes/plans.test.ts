// Plans through HTTP on each engine: a partition job (polled and followed by SSE), list/get/grids/blocks,
// copy, edits with optimistic concurrency (412 on a stale If-Match; the other planner's edit survives),
// split, merge, diff, publish (then 409 on edits) and validation of a plan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { expectProblem, readEvents, startTestServer, waitForJob, type TestServer } from '../test/http.ts';
import { asPlanner, bearer } from '../auth/test-people.ts';

const J = TINY.jcode;
const P = `/api/jurisdictions/${J}/plans`;

describe.each(testEngines())('plans and jobs on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let planId: number;
  let draftId: number;
  let summary: any;
  let token: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    // with WRITES_REQUIRE_LOGIN plan writes need a planner or admin account (issue 7): every post carries a planner's token
    ({ server: s, token } = await asPlanner(database.db, await startTestServer(database, { auth: { writesRequireLogin: true } })));
  });
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  /**
   * grid geometry equals the union of its blocks (the partition's own grids differ from their blocks' union
   * by a few m² of sliver handling: 1e-4 of the area), and its households the recount of its address points
   */
  const checkGrids = async (id: number) => {
    const { rows } = await sql<{ code: string; same: boolean; hh: number; recount: number }>`
      SELECT g.code, ST_Area(ST_SymDifference(ST_Transform(g.geom, 32650), u.geom)) < 1e-4 * ST_Area(u.geom) AS same, g.households AS hh,
        (SELECT coalesce(sum(a.households), 0)::int FROM address_points a WHERE a.jcode = g.jcode AND ST_Contains(g.geom, a.geom)) AS recount
      FROM grids g JOIN (SELECT grid_code, ST_UnaryUnion(ST_Collect(ST_Transform(geom, 32650)), 0.01) AS geom FROM blocks WHERE jcode = ${J} AND plan_id = ${id}::bigint GROUP BY grid_code) u ON u.grid_code = g.code
      WHERE g.jcode = ${J} AND g.plan_id = ${id}::bigint`.execute(database.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.same, r.code).toBe(true);
      expect(r.hh, r.code).toBe(r.recount);
    }
    return rows;
  };

  it('refuses bad partition requests', async () => {
    await expectProblem(await s.post(P, { min: 700, max: 600 }), 400, 'bad_request', 'min');
    await expectProblem(await s.post(P, { seed: 'x' }), 400, 'bad_request', 'seed');
    await expectProblem(await s.post(P, { max: 1.5 }), 400, 'bad_request', 'max');
    await expectProblem(await s.post(P, { name: '' }), 400, 'bad_request', 'name');
    await expectProblem(await s.post('/api/jurisdictions/999999999999/plans', {}), 404, 'not_found', 'jcode');
    await expectProblem(await s.get('/api/jobs/not-a-uuid'), 400, 'bad_request', 'id');
    await expectProblem(await s.get('/api/jobs/00000000-0000-4000-8000-000000000000'), 404, 'not_found', 'id');
    await expectProblem(await s.get('/api/jobs/00000000-0000-4000-8000-000000000000/events'), 404, 'not_found', 'id');
  });

  it('runs a partition as a job with progress by polling and by Server-Sent Events', async () => {
    const res = await s.post(P, { min: 400, max: 600, seed: 3, name: '测试方案' });
    expect(res.status).toBe(202);
    const job = await res.json();
    expect(res.headers.get('location')).toBe(`/api/jobs/${job.id}`);
    expect(job).toMatchObject({ kind: 'partition', jcode: J, params: { min: 400, max: 600, seed: 3, name: '测试方案' } });
    const sse = await s.get(`/api/jobs/${job.id}/events`);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(sse);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.status).toBe('succeeded');
    const percents = events.map((e) => e.data.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const polled = await waitForJob(s, job.id);
    expect(polled.status).toBe('succeeded');
    expect(polled.percent).toBe(100);
    summary = polled.result;
    planId = summary.planId;
    expect(summary.grids).toBeGreaterThan(3);
    // the list needs an account (issue 17); a job's own URL is its capability
    expect((await fetch(`${s.base}/api/jobs`)).status).toBe(401);
    expect((await s.get('/api/jobs', { headers: bearer(token) })).status).toBe(200);
    const list = await (await s.get(`/api/jobs?jcode=${J}`, { headers: bearer(token) })).json();
    expect(list.jobs.map((j: any) => j.id)).toContain(job.id);
  });

  it('lists and reads plans, their grids and blocks', async () => {
    const list = await (await s.get(P)).json();
    expect(list.plans.map((p: any) => p.id)).toContain(planId);
    expect(list.plans.find((p: any) => p.status === 'published')).toBeTruthy();
    const res = await s.get(`${P}/${planId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const plan = await res.json();
    expect(plan).toMatchObject({ id: planId, status: 'draft', version: 1, name: '测试方案', grids: summary.grids, households: summary.households });
    const grids = await (await s.get(`${P}/${planId}/grids.geojson`)).json();
    expect(grids.features).toHaveLength(summary.grids);
    expect(grids.features.reduce((a: number, f: any) => a + f.properties.households, 0)).toBe(summary.households);
    const blocks = await (await s.get(`${P}/${planId}/blocks.geojson`)).json();
    expect(blocks.features.length).toBe(summary.blocks);
    await expectProblem(await s.get(`${P}/999999`), 404, 'not_found', 'planId');
    await expectProblem(await s.get(`${P}/abc`), 400, 'bad_request', 'planId');
    await checkGrids(planId);
  });

  it('edits a draft copy with If-Match; a stale edit gets 412 and the other planner\'s edit survives', async () => {
    const copy = await s.post(`${P}/${planId}/copy`, { name: '编辑稿' });
    expect(copy.status).toBe(201);
    draftId = (await copy.json()).id;
    // a block of a grid holding several, and another grid of the same community
    const { rows } = await sql<{ id: number; grid: string; other: string; other2: string }>`
      SELECT b.id, b.grid_code AS grid,
        (SELECT g.code FROM grids g WHERE g.jcode = b.jcode AND g.plan_id = b.plan_id AND g.community_code = b.community_code AND g.code <> b.grid_code ORDER BY g.code LIMIT 1) AS other,
        (SELECT g.code FROM grids g WHERE g.jcode = b.jcode AND g.plan_id = b.plan_id AND g.community_code = b.community_code AND g.code <> b.grid_code ORDER BY g.code DESC LIMIT 1) AS other2
      FROM blocks b WHERE b.jcode = ${J} AND b.plan_id = ${draftId}::bigint
        AND (SELECT count(*) FROM blocks c WHERE c.jcode = b.jcode AND c.plan_id = b.plan_id AND c.grid_code = b.grid_code) >= 3
      ORDER BY b.id LIMIT 2`.execute(database.db);
    expect(rows.length).toBe(2);
    const [a, b] = rows;
    expect(a.other).not.toBeNull();
    const before = await sql<{ n: number }>`SELECT sum(households)::int AS n FROM grids WHERE jcode = ${J} AND plan_id = ${draftId}::bigint`.execute(database.db);

    const E = `${P}/${draftId}/edits`;
    await expectProblem(await s.post(E, { op: 'move', blocks: [a.id], to: a.other }), 400, 'bad_request', 'If-Match');
    await expectProblem(await s.post(E, { op: 'move', blocks: [a.id], to: a.other }, { 'If-Match': 'abc' }), 400, 'bad_request', 'If-Match');
    await expectProblem(await s.post(E, { op: 'fly' }, { 'If-Match': '"1"' }), 400, 'bad_request', 'op');
    await expectProblem(await s.post(E, { op: 'move', blocks: [], to: a.other }, { 'If-Match': '"1"' }), 400, 'bad_request', 'blocks');
    await expectProblem(await s.post(E, { op: 'move', blocks: [999999], to: a.other }, { 'If-Match': '"1"' }), 404, 'not_found', 'blocks');
    await expectProblem(await s.post(E, { op: 'move', blocks: [a.id], to: 'NOPE001' }, { 'If-Match': '"1"' }), 404, 'not_found', 'to');

    // planner 1 moves a block (version 1 → 2)
    const r1 = await s.post(E, { op: 'move', blocks: [a.id], to: a.other }, { 'If-Match': '"1"' });
    expect(r1.status, await r1.clone().text()).toBe(200);
    expect(r1.headers.get('etag')).toBe('"2"');
    const e1 = await r1.json();
    expect(e1.version).toBe(2);
    expect(e1.changed.map((g: any) => g.code).sort()).toEqual([a.grid, a.other].sort());
    // planner 2, still at version 1, moves another block: refused, nothing written
    const r2 = await s.post(E, { op: 'move', blocks: [b.id], to: b.other2 }, { 'If-Match': '"1"' });
    await expectProblem(r2, 412, 'precondition_failed', 'If-Match');
    const state = await sql<{ id: number; grid_code: string }>`SELECT id, grid_code FROM blocks WHERE jcode = ${J} AND plan_id = ${draftId}::bigint AND id IN (${a.id}, ${b.id}) ORDER BY id`.execute(database.db);
    expect(state.rows.find((r) => Number(r.id) === Number(a.id))!.grid_code).toBe(a.other);
    expect(state.rows.find((r) => Number(r.id) === Number(b.id))!.grid_code).toBe(b.grid);
    expect((await (await s.get(`${P}/${draftId}`)).json()).version).toBe(2);
    const after = await sql<{ n: number }>`SELECT sum(households)::int AS n FROM grids WHERE jcode = ${J} AND plan_id = ${draftId}::bigint`.execute(database.db);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    await checkGrids(draftId);
  });

  it('splits and merges grids, recomputing geometry and households', async () => {
    const E = `${P}/${draftId}/edits`;
    const { rows } = await sql<{ grid: string; ids: number[] }>`
      SELECT grid_code AS grid, array_agg(id ORDER BY id) AS ids FROM blocks WHERE jcode = ${J} AND plan_id = ${draftId}::bigint
      GROUP BY grid_code HAVING count(*) >= 2 ORDER BY grid_code LIMIT 1`.execute(database.db);
    const { grid, ids } = rows[0];
    // exports are kept by the plan's version (api/answer-cache.ts): each edit's export shows it
    const exported = async () => ((await (await s.get(`${P}/${draftId}/export.geojson`)).json()).features as any[]).map((f) => `${f.properties.code}:${f.properties.households}`).sort();
    const before = await exported();
    await expectProblem(await s.post(E, { op: 'split', grid, blocks: ids.map(Number) }, { 'If-Match': '"2"' }), 400, 'bad_request', 'blocks');
    const sp = await s.post(E, { op: 'split', grid, blocks: [Number(ids[0])] }, { 'If-Match': '"2"' });
    expect(sp.status, await sp.clone().text()).toBe(200);
    const split = await sp.json();
    expect(split.created).toHaveLength(1);
    const created = split.created[0];
    expect(created.slice(0, -3)).toBe(grid.slice(0, -3));
    expect(split.changed.find((g: any) => g.code === created).blocks).toBe(1);
    await checkGrids(draftId);
    const afterSplit = await exported();
    expect(afterSplit).toHaveLength(before.length + 1);
    expect(afterSplit.some((x) => x.startsWith(`${created}:`))).toBe(true);
    const mg = await s.post(E, { op: 'merge', grids: [grid, created] }, { 'If-Match': `"${split.version}"` });
    expect(mg.status, await mg.clone().text()).toBe(200);
    const merged = await mg.json();
    expect(merged.removed).toEqual([created]);
    expect(merged.changed.find((g: any) => g.code === grid).blocks).toBe(ids.length);
    await checkGrids(draftId);
    expect(await exported()).toEqual(before);
    await expectProblem(await s.post(E, { op: 'merge', grids: [grid, grid] }, { 'If-Match': `"${merged.version}"` }), 400, 'bad_request', 'grids');
  });

  it('diffs the edited copy against its source plan', async () => {
    const res = await s.get(`${P}/${draftId}/diff?against=${planId}`);
    expect(res.status).toBe(200);
    const d = await res.json();
    expect(d).toMatchObject({ from: planId, to: draftId });
    expect(d.blocks.moved).toBe(1);
    expect(d.movedBlocks.features).toHaveLength(1);
    const f = d.movedBlocks.features[0];
    expect(f.properties.from).not.toBe(f.properties.to);
    expect(d.households.moved).toBeGreaterThan(0);
    expect(d.households.moved).toBeLessThanOrEqual(f.properties.households);
    expect(d.grids.changed.length).toBe(2);
    await expectProblem(await s.get(`${P}/${draftId}/diff`), 400, 'bad_request', 'against');
    await expectProblem(await s.get(`${P}/${draftId}/diff?against=999999`), 404, 'not_found', 'against');
    const same = await (await s.get(`${P}/${planId}/diff?against=${planId}`)).json();
    expect(same.blocks.moved).toBe(0);
    expect(same.households.moved).toBe(0);
  });

  it('validates a stored plan', async () => {
    const res = await s.post(`${P}/${planId}/validate`, undefined);
    expect(res.status, await res.clone().text()).toBe(200);
    const report = await res.json();
    expect(typeof report.ok).toBe('boolean');
    expect(report.summary.grids).toBe(summary.grids);
    const fc = await (await s.get(`${P}/${planId}/grids.geojson`)).json();
    const up = await s.post(`/api/jurisdictions/${J}/validate`, fc, { 'content-type': 'application/geo+json' });
    expect(up.status, await up.clone().text()).toBe(200);
    expect((await up.json()).summary.grids).toBe(summary.grids);
    await expectProblem(await s.post(`/api/jurisdictions/${J}/validate`, { type: 'Feature' }), 400, 'bad_request', 'body');
  });

  it('repairs an uploaded layer with a planted gap, households conserved, and merges uploaded layers as a job', async () => {
    const fc = await (await s.get(`${P}/${planId}/grids.geojson`)).json();
    // plant a gap: drop the last grid
    const holed = { ...fc, features: fc.features.slice(0, -1) };
    const rep = await s.post(`/api/jurisdictions/${J}/repair`, holed, { 'content-type': 'application/geo+json' });
    expect(rep.status, await rep.clone().text()).toBe(200);
    const fixed = await rep.json();
    expect(fixed.changes.some((c: { kind: string }) => c.kind === 'gap')).toBe(true);
    const total = (f: { features: Array<{ properties: { households: number } }> }) => f.features.reduce((a, x) => a + x.properties.households, 0);
    expect(total(fixed.layer)).toBe(total(fc));
    const check = await (await s.post(`/api/jurisdictions/${J}/validate`, fixed.layer, { 'content-type': 'application/geo+json' })).json();
    expect(check.issues.filter((i: { kind: string }) => ['gap', 'overlap', 'invalid_geometry', 'sliver'].includes(i.kind))).toEqual([]);
    await expectProblem(await s.post(`/api/jurisdictions/${J}/repair`, { type: 'Feature' }), 400, 'bad_request', 'body');

    // merge: the plan's own grids as one departmental layer
    const zones = fc.features.map((f: { properties: { code: string }; geometry: unknown }) => ({ type: 'Feature', properties: { code: `Z${f.properties.code}`, person: '张三', phone: '13800000000' }, geometry: f.geometry }));
    await expectProblem(await s.post(`/api/jurisdictions/${J}/merge`, { layers: 'x' }), 400, 'bad_request', 'layers');
    const started = await s.post(`/api/jurisdictions/${J}/merge`, { layers: [{ name: 'security', features: zones }] });
    expect(started.status, await started.clone().text()).toBe(202);
    const job = await waitForJob(s, (await started.json()).id);
    expect(job.status, JSON.stringify(job.error ?? null)).toBe('succeeded');
    expect(job.result.fidelity.security).toBeGreaterThan(0.9); // zones that are already grids survive the merge
    expect(job.result.crosswalk.length).toBeGreaterThanOrEqual(zones.length);
  });

  it('publishes a plan: tile versions change and edits are refused with 409', async () => {
    const tj0 = await (await s.get('/tiles/grids.json')).json();
    const v = (await (await s.get(`${P}/${draftId}`)).json()).version;
    await expectProblem(await s.post(`${P}/${draftId}/publish`, undefined, { 'If-Match': `"${v + 5}"` }), 412, 'precondition_failed', 'If-Match');
    const res = await s.post(`${P}/${draftId}/publish`, undefined, { 'If-Match': `"${v}"` });
    expect(res.status).toBe(200);
    const pub = await res.json();
    expect(pub.status).toBe('published');
    expect(pub.version).toBe(v + 1);
    const list = await (await s.get(P)).json();
    expect(list.plans.filter((p: any) => p.status === 'published').map((p: any) => p.id)).toEqual([draftId]);
    const tj1 = await (await s.get('/tiles/grids.json')).json();
    expect(tj1.tiles[0]).not.toBe(tj0.tiles[0]);
    await expectProblem(await s.post(`${P}/${draftId}/edits`, { op: 'merge', grids: ['A001', 'A002'] }, { 'If-Match': `"${pub.version}"` }), 409, 'conflict', 'planId');
    const lookup = await (await s.get(`/api/lookup?lon=${TINY.x0 + TINY.dx / 2}&lat=${TINY.y0 + TINY.dy / 2}`)).json();
    expect(lookup.grid.planId).toBe(draftId);
  });
});

// Issue 17, finding 7: every job stream ends. A job left running by a killed process is marked failed, with its
// finish time, at the next start; its poll says so and its event stream sends a final `done` with the reason and
// ends. A job failing in this process ends its stream the same way; a job of another live process is followed
// until it finishes, or until its runner stops saying it is alive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pino } from 'pino';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { WanggeError } from '../../spatial/errors.ts';
import { readEvents, startTestServer, type TestServer } from '../test/http.ts';
import { JobRunner } from '../jobs/job-runner.ts';

const J = '110108990000';
const KILLED = '00000000-0000-4000-8000-00000000000a';
const LEGACY = '00000000-0000-4000-8000-00000000000b';

describe.each(testEngines())('job streams on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;

  const insertJob = (id: string, status: string, runner: string | null, heartbeatAgeS: number | null) => sql`
    INSERT INTO jobs (jcode, id, kind, status, phase, percent, params, created_at, started_at, runner, heartbeat_at)
    VALUES (${J}, ${id}, 'partition', ${status}, 'blocks', 42, '{}'::jsonb, now() - interval '10 minutes',
      ${status === 'running' ? sql`now() - interval '9 minutes'` : sql`NULL`}, ${runner},
      ${heartbeatAgeS === null ? sql`NULL` : sql`now() - make_interval(secs => ${heartbeatAgeS})`})`.execute(database.db);

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    // what a killed process leaves behind: a running job (its heartbeat long stopped) and a queued one of an old version
    await insertJob(KILLED, 'running', 'killed-runner', 3600);
    await insertJob(LEGACY, 'queued', null, null);
    s = await startTestServer(database);
  }, 120_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  it('marks jobs left unfinished by a killed process as failed, with their finish time, at start', async () => {
    const { rows } = await sql<{ id: string; status: string; finished_at: Date | null }>`SELECT id, status, finished_at FROM jobs WHERE id IN (${KILLED}, ${LEGACY}) ORDER BY id`.execute(database.db);
    expect(rows.map((r) => [r.id, r.status, r.finished_at !== null])).toEqual([[KILLED, 'failed', true], [LEGACY, 'failed', true]]);
    const job = await (await s.get(`/api/jobs/${KILLED}`)).json();
    expect(job).toMatchObject({ status: 'failed', phase: 'blocks' });
    expect(job.finishedAt).not.toBeNull();
    expect(job.startedAt).not.toBeNull();
    expect(job.error.detail).toMatch(/stopped|killed/);
  });

  it("ends the event stream of such a job with a final done event carrying the reason", async () => {
    const events = await readEvents(await s.get(`/api/jobs/${KILLED}/events`));
    expect(events.map((e) => e.event)).toEqual(['done']);
    expect(events[0].data).toMatchObject({ status: 'failed', error: { code: 'engine' } });
    expect(events[0].data.message).toMatch(/stopped|killed/);
  });

  it('ends the stream of a job failing in this process with done, its problem and its reason', async () => {
    let go!: () => void;
    const started = new Promise<void>((r) => { go = r; });
    const job = s.app.jobs.submit('partition', J, {}, async () => {
      await started;
      throw new WanggeError('bad_request', 'min 700 is above max 600', { parameter: 'min' });
    });
    const stream = s.get(`/api/jobs/${job.id}/events`).then(readEvents);
    await new Promise((r) => setTimeout(r, 200));
    go();
    const events = await stream;
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { status: 'failed', message: 'min 700 is above max 600', error: { code: 'bad_request', detail: 'min 700 is above max 600' } } });
    expect(events.at(-1)!.data.finishedAt).not.toBeNull();
  });

  it('follows a job of another live process until it finishes, and fails one whose runner went silent', async () => {
    const LIVE = '00000000-0000-4000-8000-00000000000c';
    const SILENT = '00000000-0000-4000-8000-00000000000d';
    await insertJob(LIVE, 'running', 'other-live-runner', 0);
    await insertJob(SILENT, 'running', 'other-silent-runner', 0);
    // a runner sharing the server database leaves a live runner's jobs alone
    const other = new JobRunner(database.db, pino({ level: 'silent' }));
    expect(await other.recoverOrphans(false)).toBe(0);
    const live = s.get(`/api/jobs/${LIVE}/events`).then(readEvents);
    const silent = s.get(`/api/jobs/${SILENT}/events`).then(readEvents);
    await new Promise((r) => setTimeout(r, 1500));
    await sql`UPDATE jobs SET status = 'succeeded', percent = 100, phase = 'done', finished_at = now(), result = '{"planId": 7}'::jsonb WHERE id = ${LIVE}`.execute(database.db);
    await sql`UPDATE jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${SILENT}`.execute(database.db);
    const [l, q] = await Promise.all([live, silent]);
    expect(l[0].event).toBe('progress');
    expect(l.at(-1)).toMatchObject({ event: 'done', data: { status: 'succeeded', result: { planId: 7 } } });
    expect(q.at(-1)).toMatchObject({ event: 'done', data: { status: 'failed' } });
    expect(q.at(-1)!.data.finishedAt).not.toBeNull();
  }, 30_000);
});

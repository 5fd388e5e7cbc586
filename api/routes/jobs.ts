/**
 * Jobs: GET /api/jobs[?jcode=] (jobs of this process, newest first; an account is needed and sees only its
 * jurisdiction's), GET /api/jobs/{id} (poll: status, phase, percent, result or a problem+json `error`),
 * GET /api/jobs/{id}/events (Server-Sent Events: `progress` events, then one `done` event with the final job,
 * failed ones with their problem and reason, then the stream ends). A job's id is the capability to read it;
 * what its result reveals about people follows api/auth/personal-data.ts.
 *
 * Every stream ends (issue 17): a job of this process ends with its runner's `done`; a job of the table (another
 * process, or an earlier run) is polled until it is finished, and one whose runner is gone is marked failed.
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import type { JobView } from '../jobs/job-runner.ts';
import { requireUser } from '../auth/require-user.ts';
import { jobResultFor } from '../auth/personal-data.ts';
import { userOf, type RequestUser } from '../request-user.ts';
import { jcodeParam, optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEARTBEAT_MS = 15_000;
/** how often a stream of a job of the table (not of this process) looks again */
const POLL_MS = 1_000;

export function jobLinks(id: string): Record<string, string> {
  return { self: `/api/jobs/${id}`, events: `/api/jobs/${id}/events` };
}

function jobId(raw: unknown): string {
  if (typeof raw !== 'string' || !UUID.test(raw)) throw new WanggeError('bad_request', 'a job id is a UUID', { parameter: 'id' });
  return raw;
}

/** The job as `user` may read it, with its links. */
function shown(j: JobView, user: RequestUser | null): JobView & { links: Record<string, string> } {
  return { ...j, result: jobResultFor(j.kind, j.jcode, j.result, user), links: jobLinks(j.id) };
}

export function jobsRouter(ctx: RouteContext): Router {
  const r = Router();
  const find = async (id: string): Promise<JobView> => {
    const job = await ctx.jobs.find(id);
    if (!job) throw new WanggeError('not_found', `no job ${id}`, { parameter: 'id' });
    return job;
  };

  r.get('/api/jobs', (req, res) => {
    const user = requireUser(res);
    let jcode = optionalString(req.query, 'jcode') === undefined ? undefined : jcodeParam(req.query);
    if (user.jcode !== null) {
      if (jcode !== undefined && jcode !== user.jcode) throw new WanggeError('forbidden', `this account works in ${user.jcode} only`, { parameter: 'jcode' });
      jcode = user.jcode;
    }
    res.set('Cache-Control', 'no-store').json({ jobs: ctx.jobs.list(jcode).map((j) => shown(j, user)) });
  });

  r.get('/api/jobs/:id', async (req, res) => {
    const job = await find(jobId(req.params.id));
    res.set('Cache-Control', 'no-store').json(shown(job, userOf(res)));
  });

  r.get('/api/jobs/:id/events', async (req, res) => {
    const job = await find(jobId(req.params.id));
    const user = userOf(res);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    let seq = 0;
    let ended = false;
    const send = (event: 'progress' | 'done', j: JobView) => {
      if (ended) return;
      res.write(`event: ${event}\nid: ${++seq}\ndata: ${JSON.stringify(shown(j, user))}\n\n`);
    };
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe: () => void = () => undefined;
    const finish = (final: JobView | null) => {
      if (ended) return;
      if (final) send('done', final);
      ended = true;
      for (const t of timers) clearInterval(t);
      unsubscribe();
      res.end();
    };
    if (job.finishedAt !== null) {
      finish(job);
      return;
    }
    send('progress', job);
    timers.push(setInterval(() => { if (!ended) res.write(': keep-alive\n\n'); }, HEARTBEAT_MS));
    // the client went away (or the response ended): stop listening
    res.on('close', () => finish(null));
    if (ctx.jobs.get(job.id)) {
      unsubscribe = ctx.jobs.subscribe(job.id, (j, event) => {
        if (event === 'done') finish(j);
        else send('progress', j);
      });
      // the job may have finished between the read and the subscription
      const now = ctx.jobs.get(job.id);
      if (!now || now.finishedAt !== null) finish(now ?? (await find(job.id)));
      return;
    }
    // a job of the table (another process): poll it until it is finished (find fails it when its runner is gone)
    followTableJob(ctx, job, send, finish, timers);
  });

  return r;
}

function followTableJob(ctx: RouteContext, job: JobView, send: (e: 'progress', j: JobView) => void,
  finish: (j: JobView | null) => void, timers: NodeJS.Timeout[]): void {
  let last = JSON.stringify([job.status, job.phase, job.percent]);
  let busy = false;
  timers.push(setInterval(() => {
    if (busy) return;
    busy = true;
    ctx.jobs.find(job.id).then((j) => {
      if (!j) return finish(null);
      if (j.finishedAt !== null) return finish(j);
      const now = JSON.stringify([j.status, j.phase, j.percent]);
      if (now !== last) { last = now; send('progress', j); }
    }, (err) => {
      ctx.log.warn({ err }, 'could not poll a job');
    }).finally(() => { busy = false; });
  }, POLL_MS));
}

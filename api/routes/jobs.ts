/**
 * Jobs: GET /api/jobs[?jcode=] (jobs of this process, newest first), GET /api/jobs/{id} (poll: status,
 * phase, percent, result or a problem+json `error`), GET /api/jobs/{id}/events (Server-Sent Events:
 * `progress` events, then one `done` event with the final job, then the stream ends).
 */
import { Router } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import type { JobView } from '../jobs/job-runner.ts';
import { jcodeParam, optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEARTBEAT_MS = 15_000;

export function jobLinks(id: string): Record<string, string> {
  return { self: `/api/jobs/${id}`, events: `/api/jobs/${id}/events` };
}

function jobId(raw: unknown): string {
  if (typeof raw !== 'string' || !UUID.test(raw)) throw new WanggeError('bad_request', 'a job id is a UUID', { parameter: 'id' });
  return raw;
}

export function jobsRouter(ctx: RouteContext): Router {
  const r = Router();
  const find = async (id: string): Promise<JobView> => {
    const job = await ctx.jobs.find(id);
    if (!job) throw new WanggeError('not_found', `no job ${id}`, { parameter: 'id' });
    return job;
  };

  r.get('/api/jobs', (req, res) => {
    const jcode = optionalString(req.query, 'jcode') === undefined ? undefined : jcodeParam(req.query);
    res.set('Cache-Control', 'no-store').json({ jobs: ctx.jobs.list(jcode).map((j) => ({ ...j, links: jobLinks(j.id) })) });
  });

  r.get('/api/jobs/:id', async (req, res) => {
    const job = await find(jobId(req.params.id));
    res.set('Cache-Control', 'no-store').json({ ...job, links: jobLinks(job.id) });
  });

  r.get('/api/jobs/:id/events', async (req, res) => {
    const job = await find(jobId(req.params.id));
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    let seq = 0;
    const send = (event: 'progress' | 'done', j: JobView) => {
      res.write(`event: ${event}\nid: ${++seq}\ndata: ${JSON.stringify({ ...j, links: jobLinks(j.id) })}\n\n`);
    };
    if (job.finishedAt !== null) {
      send('done', job);
      res.end();
      return;
    }
    send('progress', job);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    let unsubscribe: () => void = () => undefined;
    const cleanup = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    unsubscribe = ctx.jobs.subscribe(job.id, (j, event) => {
      send(event, j);
      if (event === 'done') {
        cleanup();
        res.end();
      }
    });
    // the job may have finished between the read and the subscription
    const now = ctx.jobs.get(job.id);
    if (now && now.finishedAt !== null) {
      cleanup();
      send('done', now);
      res.end();
      return;
    }
    req.on('close', cleanup);
  });

  return r;
}

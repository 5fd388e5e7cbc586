/**
 * The one job runner: long work (partition, import by upload) runs in the background, one job at a time in
 * submission order, with its progress {phase, percent, message} kept in memory for polling
 * (GET /api/jobs/{id}) and pushed to subscribers (Server-Sent Events). Each job's request and outcome are
 * also written to the `jobs` table (migrations/20261201T0100-jobs.ts) on a write chain that never blocks a
 * request: on the embedded engine the one connection may be held by the running job's transaction.
 *
 * A job's work must be one transaction (the partition and the importers are), so a failed job leaves nothing
 * half-written; its error is kept as a problem+json document, the same shape the API answers with.
 *
 * Every job ends (issue 17): each runner has an id and, while it has unfinished jobs, writes a heartbeat into
 * their rows. `recoverOrphans` (called when the service starts) marks the jobs left queued or running by a runner
 * that is gone as failed, with their finish time and a problem saying why; `find` does the same for such a job
 * read later, so a poll or an event stream of it ends with the failure instead of waiting for ever.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Progress, ProgressFn } from '../../spatial/progress.ts';
import { toProblem, type Problem } from '../errors.ts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type JobKind = 'partition' | 'import' | 'merge';

export interface JobView {
  id: string;
  kind: JobKind;
  jcode: string;
  status: JobStatus;
  phase: string | null;
  percent: number;
  message: string | null;
  params: Record<string, unknown>;
  result: unknown;
  error: Problem | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The work of a job: gets a progress callback, returns a JSON-serialisable result. */
export type JobWork = (progress: ProgressFn) => Promise<unknown>;

export type JobListener = (job: JobView, event: 'progress' | 'done') => void;

interface Entry {
  view: JobView;
  work: JobWork;
  listeners: Set<JobListener>;
  lastEmit: number;
  onSuccess?: (result: unknown) => void;
}

export interface JobRunnerOptions {
  /** finished jobs kept in memory (older ones are read from the table) */
  keep?: number;
  /** least time between two progress events of one job, ms */
  throttleMs?: number;
  /** how often the runner says it is alive in its unfinished jobs' rows, ms (default 15 s) */
  heartbeatMs?: number;
}

/** The problem of a job whose runner is gone. */
export function interruptedProblem(): Problem {
  return { ...toProblem(new Error('interrupted')), detail: 'the service stopped (or was killed) before this job finished; start it again' };
}

interface JobRow {
  id: string; kind: JobKind; jcode: string; status: JobStatus; phase: string | null; percent: number; params: unknown;
  result: unknown; error: unknown; created_at: Date | string; started_at: Date | string | null; finished_at: Date | string | null;
  runner: string | null; heartbeat_age: number | null;
}

const now = () => new Date().toISOString();

export class JobRunner {
  readonly #db: Kysely<any>;
  readonly #log: Logger;
  readonly #jobs = new Map<string, Entry>();
  readonly #queue: Entry[] = [];
  readonly #keep: number;
  readonly #throttleMs: number;
  #running: Promise<void> | null = null;
  #writes: Promise<void> = Promise.resolve();
  #closed = false;
  /** this runner's id, written into its jobs' rows */
  readonly runnerId = randomUUID();
  readonly heartbeatMs: number;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(db: Kysely<any>, log: Logger, opts: JobRunnerOptions = {}) {
    this.#db = db;
    this.#log = log;
    this.#keep = opts.keep ?? 200;
    this.#throttleMs = opts.throttleMs ?? 100;
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
  }

  /** A job row of another runner is orphaned when that runner has not said it is alive for three beats. */
  #staleMs(): number {
    return 3 * this.heartbeatMs;
  }

  /**
   * Mark as failed (with finishedAt now and a problem) the jobs left queued or running by runners that are gone:
   * every other runner's when `everyOther` (the embedded engine: one process owns the database), else those whose
   * heartbeat is older than three beats. Returns how many.
   */
  async recoverOrphans(everyOther = false): Promise<number> {
    const stale = everyOther ? sql`true` : sql`(heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => ${this.#staleMs() / 1000}))`;
    const r = await sql`UPDATE jobs SET status = 'failed', finished_at = now(), error = ${JSON.stringify(interruptedProblem())}::jsonb
      WHERE status IN ('queued', 'running') AND (runner IS NULL OR runner <> ${this.runnerId}) AND ${stale}`.execute(this.#db);
    const n = Number(r.numAffectedRows ?? 0);
    if (n) this.#log.warn({ jobs: n }, 'jobs left unfinished by an earlier run marked failed');
    return n;
  }

  /** Queue a job; returns its view at once (status queued). `onSuccess` runs after the work succeeded. */
  submit(kind: JobKind, jcode: string, params: Record<string, unknown>, work: JobWork, onSuccess?: (result: unknown) => void): JobView {
    if (this.#closed) throw new Error('the job runner is closed');
    const view: JobView = {
      id: randomUUID(), kind, jcode, status: 'queued', phase: null, percent: 0, message: null, params,
      result: null, error: null, createdAt: now(), startedAt: null, finishedAt: null,
    };
    const entry: Entry = { view, work, listeners: new Set(), lastEmit: 0, onSuccess };
    this.#jobs.set(view.id, entry);
    this.#queue.push(entry);
    this.#write(sql`INSERT INTO jobs (jcode, id, kind, status, params, created_at, runner, heartbeat_at)
      VALUES (${jcode}, ${view.id}, ${kind}, 'queued', ${JSON.stringify(params)}::jsonb, ${view.createdAt}::timestamptz, ${this.runnerId}, now())`);
    this.#startHeartbeat();
    this.#pump();
    return { ...view };
  }

  /** A job held in memory (live or recently finished). */
  get(id: string): JobView | undefined {
    const e = this.#jobs.get(id);
    return e ? { ...e.view } : undefined;
  }

  /**
   * A job from memory, else from the table (jobs of earlier runs or of other processes); null when unknown. A job
   * of the table left unfinished by a runner that is gone is marked failed first (so it has its finish time).
   */
  async find(id: string): Promise<JobView | null> {
    const live = this.get(id);
    if (live) return live;
    const read = async () => (await sql<JobRow>`SELECT id, kind, jcode, status, phase, percent, params, result, error, created_at, started_at, finished_at,
        runner, extract(epoch FROM now() - heartbeat_at)::float8 * 1000 AS heartbeat_age
      FROM jobs WHERE id = ${id} LIMIT 1`.execute(this.#db)).rows[0];
    let r = await read();
    if (!r) return null;
    const unfinished = r.status === 'queued' || r.status === 'running';
    if (unfinished && (r.runner === this.runnerId || r.runner === null || r.heartbeat_age === null || Number(r.heartbeat_age) > this.#staleMs())) {
      // ours but no longer in memory (it cannot be: ours are kept until finished), or its runner is gone
      await sql`UPDATE jobs SET status = 'failed', finished_at = now(), error = ${JSON.stringify(interruptedProblem())}::jsonb
        WHERE id = ${id} AND status IN ('queued', 'running')`.execute(this.#db);
      r = (await read())!;
    }
    return viewOfRow(r);
  }

  /** Jobs in memory, newest first, optionally of one jurisdiction. */
  list(jcode?: string): JobView[] {
    return [...this.#jobs.values()].map((e) => ({ ...e.view })).filter((v) => jcode === undefined || v.jcode === jcode).reverse();
  }

  /** Follow a job: the listener gets every progress event and the final 'done'. Returns the unsubscribe. */
  subscribe(id: string, listener: JobListener): () => void {
    const e = this.#jobs.get(id);
    if (!e) return () => undefined;
    e.listeners.add(listener);
    return () => e.listeners.delete(listener);
  }

  /** Resolves when no job is queued or running. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Refuse new jobs, fail the queued ones, let the running one finish, flush the table writes. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const e of this.#queue.splice(0)) this.#finish(e, 'failed', null, { ...toProblem(new Error('the service stopped')), detail: 'the service stopped before this job started' });
    await this.idle();
    this.#stopHeartbeat();
    await this.#writes;
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      if (![...this.#jobs.values()].some((e) => e.view.finishedAt === null)) {
        this.#stopHeartbeat();
        return;
      }
      this.#write(sql`UPDATE jobs SET heartbeat_at = now() WHERE runner = ${this.runnerId} AND status IN ('queued', 'running')`);
    }, this.heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#running = this.#run(next).finally(() => {
      this.#running = null;
      this.#pump();
    });
  }

  async #run(e: Entry): Promise<void> {
    const v = e.view;
    v.status = 'running';
    v.startedAt = now();
    this.#write(sql`UPDATE jobs SET status = 'running', started_at = ${v.startedAt}::timestamptz WHERE jcode = ${v.jcode} AND id = ${v.id}`);
    this.#emit(e, 'progress', true);
    const progress: ProgressFn = (p: Progress) => {
      const phaseChanged = p.phase !== v.phase;
      v.phase = p.phase;
      v.percent = Math.max(v.percent, Math.round(Math.max(0, Math.min(100, p.percent)) * 10) / 10);
      v.message = p.message ?? null;
      this.#emit(e, 'progress', phaseChanged);
    };
    try {
      const result = await e.work(progress);
      this.#finish(e, 'succeeded', result ?? null, null);
      try {
        e.onSuccess?.(result);
      } catch (err) {
        this.#log.error({ err, job: v.id }, 'job success hook failed');
      }
    } catch (err) {
      const p = toProblem(err);
      if (p.status >= 500) this.#log.error({ err, job: v.id, kind: v.kind }, 'job failed');
      this.#finish(e, 'failed', null, p);
    }
  }

  #finish(e: Entry, status: 'succeeded' | 'failed', result: unknown, error: Problem | null): void {
    const v = e.view;
    v.status = status;
    v.finishedAt = now();
    v.result = result;
    v.error = error;
    if (status === 'succeeded') { v.percent = 100; v.phase = 'done'; }
    // the reason travels in the final event too
    else if (error) v.message = error.detail;
    this.#write(sql`UPDATE jobs SET status = ${status}, phase = ${v.phase}, percent = ${v.percent}::float8,
      result = ${result === null ? null : JSON.stringify(result)}::jsonb, error = ${error === null ? null : JSON.stringify(error)}::jsonb,
      finished_at = ${v.finishedAt}::timestamptz WHERE jcode = ${v.jcode} AND id = ${v.id}`);
    this.#emit(e, 'done', true);
    e.listeners.clear();
    this.#trim();
  }

  #emit(e: Entry, event: 'progress' | 'done', force: boolean): void {
    const t = Date.now();
    if (!force && t - e.lastEmit < this.#throttleMs) return;
    e.lastEmit = t;
    for (const l of [...e.listeners]) {
      try {
        l({ ...e.view }, event);
      } catch (err) {
        this.#log.warn({ err }, 'job listener failed');
      }
    }
  }

  #trim(): void {
    const done = [...this.#jobs.values()].filter((x) => x.view.finishedAt !== null);
    for (const x of done.slice(0, Math.max(0, done.length - this.#keep))) this.#jobs.delete(x.view.id);
  }

  #write(query: ReturnType<typeof sql>): void {
    this.#writes = this.#writes.then(() => query.execute(this.#db)).then(() => undefined, (err) => {
      this.#log.warn({ err }, 'could not record a job in the jobs table');
    });
  }
}

/** The view of a row of the jobs table. */
function viewOfRow(r: JobRow): JobView {
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const error = (json(r.error) ?? null) as Problem | null;
  return {
    id: r.id, kind: r.kind, jcode: r.jcode, status: r.status, phase: r.phase, percent: Number(r.percent),
    message: error ? error.detail : null,
    params: (json(r.params) ?? {}) as Record<string, unknown>, result: json(r.result) ?? null, error,
    createdAt: iso(r.created_at)!, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
  };
}

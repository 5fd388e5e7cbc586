/**
 * The one job runner: long work (partition, import by upload) runs in the background, one job at a time in
 * submission order, with its progress {phase, percent, message} kept in memory for polling
 * (GET /api/jobs/{id}) and pushed to subscribers (Server-Sent Events). Each job's request and outcome are
 * also written to the `jobs` table (migrations/20261201T0100-jobs.ts) on a write chain that never blocks a
 * request: on the embedded engine the one connection may be held by the running job's transaction.
 *
 * A job's work must be one transaction (the partition and the importers are), so a failed job leaves nothing
 * half-written; its error is kept as a problem+json document, the same shape the API answers with.
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

  constructor(db: Kysely<any>, log: Logger, opts: JobRunnerOptions = {}) {
    this.#db = db;
    this.#log = log;
    this.#keep = opts.keep ?? 200;
    this.#throttleMs = opts.throttleMs ?? 100;
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
    this.#write(sql`INSERT INTO jobs (jcode, id, kind, status, params, created_at)
      VALUES (${jcode}, ${view.id}, ${kind}, 'queued', ${JSON.stringify(params)}::jsonb, ${view.createdAt}::timestamptz)`);
    this.#pump();
    return { ...view };
  }

  /** A job held in memory (live or recently finished). */
  get(id: string): JobView | undefined {
    const e = this.#jobs.get(id);
    return e ? { ...e.view } : undefined;
  }

  /** A job from memory, else from the table (jobs of earlier runs); null when unknown. */
  async find(id: string): Promise<JobView | null> {
    const live = this.get(id);
    if (live) return live;
    const { rows } = await sql<{
      id: string; kind: JobKind; jcode: string; status: JobStatus; phase: string | null; percent: number; params: unknown;
      result: unknown; error: unknown; created_at: Date | string; started_at: Date | string | null; finished_at: Date | string | null;
    }>`SELECT id, kind, jcode, status, phase, percent, params, result, error, created_at, started_at, finished_at
      FROM jobs WHERE id = ${id} LIMIT 1`.execute(this.#db);
    const r = rows[0];
    if (!r) return null;
    const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    // a job left queued or running by an earlier process never finishes
    const orphan = r.status === 'queued' || r.status === 'running';
    return {
      id: r.id, kind: r.kind, jcode: r.jcode, status: orphan ? 'failed' : r.status, phase: r.phase, percent: Number(r.percent),
      message: orphan ? 'the service stopped before this job finished' : null,
      params: (json(r.params) ?? {}) as Record<string, unknown>, result: json(r.result) ?? null,
      error: orphan ? toProblem(new Error('interrupted')) : ((json(r.error) ?? null) as Problem | null),
      createdAt: iso(r.created_at)!, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
    };
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
    for (const e of this.#queue.splice(0)) this.#finish(e, 'failed', null, toProblem(new Error('the service stopped')));
    await this.idle();
    await this.#writes;
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

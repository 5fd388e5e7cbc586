/**
 * kill -9 during writes (issue 17): the service process is killed with SIGKILL while it edits a draft plan
 * (If-Match), imports uploaded layers and runs partition jobs, in rounds. After each kill the service starts again
 * on the same data (an embedded data directory goes through the lock take-over and the damage checks of
 * openDatabase; jobs the killed process left running are marked failed) and every write it had acknowledged must be
 * there: the draft's version at least the last one answered, every camera of an import whose job was seen
 * succeeded, every plan of a partition job seen succeeded. After the last round the service stops cleanly and the
 * database is opened in this process for the same count and the jobs left unfinished.
 */
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../data/db/connect.ts';
import { TINY } from '../test/tiny-town.ts';
import { RUN_ACCOUNTS, RUN_PASSWORD, type RunTown } from './town.ts';
import { startService, type ServiceProcess } from './service-process.ts';
import path from 'node:path';

export interface KillOptions {
  /** the service's data directory; the embedded database is `<dir>/db` */
  dir: string;
  /** postgres://… for the server engine */
  url?: string;
  town: RunTown;
  rounds: number;
  /** the service to kill first (started again after each kill) */
  service: ServiceProcess;
  /** the kill comes a random time of up to this many ms after the round's first acknowledged edit */
  writeMs: number;
}

export interface KillReport {
  rounds: number;
  acked: { edits: number; imports: number; jobs: number };
  lost: { edits: number; imports: number; jobs: number };
  /** what opening the database after the last clean stop said (nothing: the files matched their seal) */
  notices: string[];
  /**
   * jobs left queued or running after the service started again and stopped: none on the embedded engine; on a
   * server, jobs of a killed runner until its heartbeat is stale (api/jobs/job-runner.ts)
   */
  unfinishedJobs: number;
}

interface Acked { version: number; cameras: string[]; plans: string[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Poll a job until it is finished; its status, or null when the service went away. */
async function jobOutcome(base: string, id: string, token: string): Promise<string | null> {
  for (;;) {
    try {
      const job = await json(await fetch(`${base}/api/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } }));
      if (job?.finishedAt) return job.status as string;
    } catch {
      return null;
    }
    await sleep(50);
  }
}

/** Edits, imports and partition jobs until the service dies; what it acknowledged goes into `acked`. */
async function writeUntilGone(base: string, town: RunTown, round: number, acked: Acked, onAck: () => void): Promise<void> {
  const token = (await json(await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: RUN_ACCOUNTS.planner, password: RUN_PASSWORD }) }))).token as string;
  const auth = { authorization: `Bearer ${token}` };
  const P = `${base}/api/jurisdictions/${town.jcode}/plans`;
  const edits = async () => {
    for (;;) {
      const plan = await json(await fetch(`${P}/${town.draft.id}`, { headers: auth }));
      const blocks = await json(await fetch(`${P}/${town.draft.id}/blocks.geojson`, { headers: auth }));
      const at = blocks.features.find((f: any) => f.id === town.draft.block)?.properties.grid;
      let version = plan.version as number;
      let to = at === town.draft.to ? town.draft.from : town.draft.to;
      for (;;) {
        const res = await fetch(`${P}/${town.draft.id}/edits`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'if-match': `"${version}"` }, body: JSON.stringify({ op: 'move', blocks: [town.draft.block], to }) });
        const body = await json(res);
        if (res.status !== 200) {
          await sleep(50);
          break;
        }
        version = body.version;
        acked.version = Math.max(acked.version, version);
        onAck();
        to = to === town.draft.to ? town.draft.from : town.draft.to;
      }
    }
  };
  const imports = async () => {
    for (let i = 0; ; i++) {
      const codes = [0, 1].map((k) => `K${round}_${i}_${k}`);
      const layer = JSON.stringify({ type: 'FeatureCollection', features: codes.map((code, k) => ({ type: 'Feature', properties: { code, name: code }, geometry: { type: 'Point', coordinates: [TINY.x0 + 0.001 * (k + 1), TINY.y0 + 0.0005 * ((i % 9) + 1)] } })) });
      const form = new FormData();
      form.set('layer', 'cameras');
      form.set('append', 'true');
      form.set('file', new Blob([layer], { type: 'application/octet-stream' }), `${codes[0]}.geojson`);
      const job = await json(await fetch(`${base}/api/jurisdictions/${town.jcode}/imports`, { method: 'POST', headers: auth, body: form }));
      if ((await jobOutcome(base, job.id, token)) === 'succeeded') acked.cameras.push(...codes);
    }
  };
  const jobs = async () => {
    for (let i = 0; ; i++) {
      const name = `kill-${round}-${i}`;
      const job = await json(await fetch(P, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ min: 400, max: 600, seed: i, name }) }));
      if ((await jobOutcome(base, job.id, token)) === 'succeeded') acked.plans.push(name);
    }
  };
  // each loop ends with a failed fetch once the service is killed
  await Promise.allSettled([edits(), imports(), jobs()]);
}

/** What of `acked` is missing from the database. */
async function lost(database: Database, town: RunTown, acked: Acked): Promise<KillReport['lost']> {
  const v = (await sql<{ version: number }>`SELECT version FROM grid_plans WHERE jcode = ${town.jcode} AND id = ${town.draft.id}::bigint`.execute(database.db)).rows[0]?.version ?? 0;
  const cams = acked.cameras.length ? (await sql<{ n: number }>`SELECT count(DISTINCT code)::int AS n FROM cameras WHERE jcode = ${town.jcode} AND code = ANY(${acked.cameras}::text[])`.execute(database.db)).rows[0].n : 0;
  const plans = acked.plans.length ? (await sql<{ n: number }>`SELECT count(DISTINCT name)::int AS n FROM grid_plans WHERE jcode = ${town.jcode} AND name = ANY(${acked.plans}::text[])`.execute(database.db)).rows[0].n : 0;
  return { edits: Math.max(0, acked.version - Number(v)), imports: acked.cameras.length - cams, jobs: acked.plans.length - plans };
}

/** What of `acked` the service does not show: the draft's version, the cameras layer, the plan list. */
async function lostOverHttp(base: string, town: RunTown, acked: Acked): Promise<KillReport['lost']> {
  const token = (await json(await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: RUN_ACCOUNTS.planner, password: RUN_PASSWORD }) }))).token as string;
  const auth = { headers: { authorization: `Bearer ${token}` } };
  const P = `${base}/api/jurisdictions/${town.jcode}/plans`;
  const version = Number((await json(await fetch(`${P}/${town.draft.id}`, auth)))?.version ?? 0);
  const cameras = new Set(((await json(await fetch(`${base}/api/layers/cameras.geojson?jcode=${town.jcode}`, auth)))?.features ?? []).map((f: any) => f.properties.code as string));
  const plans = new Set(((await json(await fetch(P, auth)))?.plans ?? []).map((p: any) => p.name as string));
  return { edits: Math.max(0, acked.version - version), imports: acked.cameras.filter((c) => !cameras.has(c)).length, jobs: acked.plans.filter((n) => !plans.has(n)).length };
}

export async function killDuringWrites(o: KillOptions): Promise<KillReport> {
  const acked: Acked = { version: 0, cameras: [], plans: [] };
  const total = { edits: 0, imports: 0, jobs: 0 };
  const notices: string[] = [];
  let service = o.service;
  for (let round = 1; round <= o.rounds; round++) {
    let acknowledged!: () => void;
    const firstAck = new Promise<void>((r) => { acknowledged = r; });
    const writing = writeUntilGone(service.base, o.town, round, acked, () => acknowledged());
    // writes are under way (an edit went through; the import and partition jobs are queued or running): kill soon after
    await Promise.race([firstAck, sleep(120_000)]);
    await sleep(Math.random() * o.writeMs);
    await service.kill9();
    await writing;
    // open it again: the service's start takes over the lock, runs the damage check and recovers the jobs
    service = await startService({ dir: o.dir, url: o.url });
    const l = await lostOverHttp(service.base, o.town, acked);
    total.edits = Math.max(total.edits, l.edits); total.imports = Math.max(total.imports, l.imports); total.jobs = Math.max(total.jobs, l.jobs);
  }
  // the last start marked the jobs the killed process left unfinished as failed; a clean stop seals the directory
  await service.stop();
  const database = await openDatabase(o.url ? { url: o.url } : { dataDir: path.join(o.dir, 'db') });
  let unfinished: number;
  try {
    // after a clean stop the files are compared with the seal written at the close: a notice here is a finding
    notices.push(...(database.notices ?? []));
    unfinished = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running')`.execute(database.db)).rows[0].n;
    const l = await lost(database, o.town, acked);
    total.edits = Math.max(total.edits, l.edits); total.imports = Math.max(total.imports, l.imports); total.jobs = Math.max(total.jobs, l.jobs);
  } finally {
    await database.close();
  }
  return { rounds: o.rounds, acked: { edits: acked.version, imports: acked.cameras.length / 2, jobs: acked.plans.length }, lost: total, notices, unfinishedJobs: unfinished };
}

/**
 * Lookups beside anonymous heavy requests (issue 17: "lookups during an anonymous heavy request answered in
 * ≤ 100 ms p99") on the sample town of `npm start` (20,000 households by default), the service running as a
 * process of its own, on the embedded engine (and the server engine with DATABASE_URL). Lookups at random points
 * of the town are timed from this process:
 *   1. alone (what the machine gives; it is shared, so the load average is printed),
 *   2. while another process keeps sending anonymous 8 MB layers to validate and repair (refused 401 before their
 *      bodies are read),
 *   3. while another process keeps asking for the heaviest anonymous reads: the published plan's exports in every
 *      format, its grids, blocks and a diff, the wall figures, whole map layers, OGC pages of 10,000 and vector
 *      tiles of the whole town at zooms 8 to 13 (api/reliability/heavy-sender.ts),
 *   4. while another process sends both (as the reliability suite's "lookups, anonymous heavy" phase does),
 *   5. while a planner's validations of the published plan run one after another (signed in: not anonymous),
 * and the table printed with the slowest heavy requests of each phase.
 *
 *   npx tsx scripts/bench-heavy-requests.ts [--households 20000 | --tiny] [--seconds 10] [--keep DIR]
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench-heavy-requests.ts
 * --tiny: the reliability suite's tiny test town instead (its table's "lookups, anonymous heavy" with longer
 * phases); --keep DIR keeps the embedded town in DIR (or, on the server, the database
 * wangge_bench_heavy_<households>) and reuses it next time.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../data/db/connect.ts';
import { makeEmbeddedDataDir } from '../data/db/test-engines.ts';
import { loadConfig } from '../api/config.ts';
import { bootstrapDemo } from '../api/bootstrap.ts';
import { createUser } from '../api/auth/users.ts';
import { startService, type ServiceProcess } from '../api/reliability/service-process.ts';
import { prepareRunTown } from '../api/reliability/town.ts';
import { lookupsBesideSender, lookupsFor, Probe, quantile, warmUp, type Area } from '../api/reliability/probe.ts';

const { values } = parseArgs({ options: {
  households: { type: 'string', default: '20000' }, tiny: { type: 'boolean', default: false }, seconds: { type: 'string', default: '10' }, keep: { type: 'string' },
} });
const households = values.tiny ? 0 : Number(values.households);
const ms = Math.max(2, Number(values.seconds)) * 1000;
const serverUrl = process.env.DATABASE_URL || undefined;
if (serverUrl && !['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(serverUrl).hostname)) throw new Error('the benchmark uses a database on loopback only');
const PLANNER = { name: 'bench-heavy-planner', password: 'bench heavy planner password' };

const admin = async (q: string): Promise<pg.QueryResult> => {
  const a = new pg.Client({ connectionString: serverUrl });
  await a.connect();
  try {
    return await a.query(q);
  } finally {
    await a.end();
  }
};

/** The sample town in a data directory or database of its own; returns where, and whether it was there already. */
async function prepare(dir: string): Promise<{ url?: string; reused: boolean }> {
  let url: string | undefined;
  if (serverUrl) {
    const name = `wangge_bench_heavy_${households}`;
    const exists = (await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rowCount === 1;
    if (exists && values.keep) {
      const u = new URL(serverUrl);
      u.pathname = `/${name}`;
      return { url: u.toString(), reused: true };
    }
    if (exists) await admin(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${name}`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
  } else {
    if (existsSync(path.join(dir, 'db'))) return { reused: true };
    await makeEmbeddedDataDir(path.join(dir, 'db'));
  }
  const database = await openDatabase(url ? { url } : { dataDir: path.join(dir, 'db') });
  try {
    if (values.tiny) {
      await prepareRunTown(database.db);
    } else {
      const config = loadConfig({ ...process.env, SAMPLE_HOUSEHOLDS: String(households), WANGGE_DATA_DIR: dir });
      await bootstrapDemo(database.db, config, (p) => process.stderr.write(`\r[${Math.round(p.percent)}%] ${p.phase}: ${p.message ?? ''}`.slice(0, 150).padEnd(150)));
      process.stderr.write('\n');
    }
    await createUser(database.db, { name: PLANNER.name, role: 'planner', password: PLANNER.password });
  } finally {
    await database.close();
  }
  return { url, reused: false };
}

const dir = values.keep ? path.resolve(values.keep) : mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-heavy-'));
let service: ServiceProcess | null = null;
try {
  const t0 = performance.now();
  const { url, reused } = await prepare(dir);
  const townName = values.tiny ? 'the tiny test town' : `the sample town of ${households} households`;
  process.stderr.write(`${reused ? 'reused' : 'loaded'} ${townName} in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  service = await startService({ dir, url, env: { LOG_LEVEL: 'silent' } });
  const tj = (await (await fetch(`${service.base}/tiles/grids.json`)).json()) as { bounds: Area };
  const jur = (await (await fetch(`${service.base}/api/jurisdictions`)).json()) as { jurisdictions: Array<{ jcode: string }> };
  const jcode = jur.jurisdictions[0].jcode;
  const plans = (await (await fetch(`${service.base}/api/jurisdictions/${jcode}/plans`)).json()) as { plans: Array<{ id: number; status: string }> };
  const planId = plans.plans.find((p) => p.status === 'published')!.id;
  const probe = new Probe(service.base, tj.bounds);
  const load0 = os.loadavg()[0];
  // warm the service (first tiles, exports and statements compile or fill caches) before timing anything
  await warmUp(service.base, { jcode, planId, ms: 3_000, kind: 'both' });
  await lookupsFor(probe, 'lookups, quiet', ms);
  await lookupsBesideSender(probe, 'lookups, anonymous 8 MB posts', { jcode, planId, ms, kind: 'posts' });
  await lookupsBesideSender(probe, 'lookups, anonymous heavy reads', { jcode, planId, ms, kind: 'reads' });
  await lookupsBesideSender(probe, 'lookups, anonymous posts and reads', { jcode, planId, ms, kind: 'both' });
  const token = await probe.login(PLANNER.name, PLANNER.password);
  let stop = false;
  const statuses: number[] = [];
  const validations = (async () => {
    while (!stop) statuses.push(await probe.call('lookups, a planner validating', 'POST', `/api/jurisdictions/${jcode}/plans/${planId}/validate`, { headers: { authorization: `Bearer ${token}` } }));
  })();
  await lookupsFor(probe, 'lookups, a planner validating', ms);
  stop = true;
  await validations;
  probe.tally('lookups, a planner validating').notes.push(`validations of the published plan one after another: ${statuses.length}, answered ${[...new Set(statuses)].join(', ')}`);
  const engine = serverUrl ? 'server' : 'embedded';
  process.stdout.write(probe.table(`\nlookups beside anonymous heavy requests, ${engine} engine, ${townName}, ${ms / 1000} s per phase; load average ${load0.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end (2 cores, shared)`));
  const p99 = (phase: string) => quantile(probe.tally(phase).lookupMs, 0.99).toFixed(1);
  process.stdout.write(`summary (${engine}): lookup p99 alone ${p99('lookups, quiet')} ms, beside anonymous posts ${p99('lookups, anonymous 8 MB posts')} ms, `
    + `beside anonymous heavy reads ${p99('lookups, anonymous heavy reads')} ms, beside both ${p99('lookups, anonymous posts and reads')} ms, `
    + `beside a planner's validations ${p99('lookups, a planner validating')} ms\n`);
} finally {
  await service?.stop();
  if (!values.keep) {
    rmSync(dir, { recursive: true, force: true });
    if (serverUrl) await admin(`DROP DATABASE IF EXISTS wangge_bench_heavy_${households} WITH (FORCE)`).catch(() => undefined);
  }
}

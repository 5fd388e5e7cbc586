/**
 * Reliability run (issue 17), bounded and on loopback only: the service runs as a process of its own
 * (api/reliability/service-main.ts) on 127.0.0.1 over a database of its own (embedded in a temporary directory, or
 * a throwaway database beside DATABASE_URL), loaded with the tiny test town, its residents, staff and accounts;
 * then the probes of api/reliability/probe.ts, the same as the reliability test's, with longer phases:
 *   1. fuzz: every path and method of /api/openapi.json with NUL, huge, deeply nested and odd-Unicode input and bad
 *      coordinates (path segments, query values, JSON bodies), anonymous and as an admin;
 *   2. the login race: 60 parallel wrong passwords for one name;
 *   3. lookups timed while another process keeps sending anonymous heavy requests (8 MB layers), and while a
 *      planner's plan validations run;
 *   4. load: mixed reads (lookup, bundle, tiles, OGC items, layers) from 8 connections for --seconds (default 60),
 *      with the service's memory;
 *   5. kill -9 during edits, imports and partition jobs, --kills times (default 3), the service started again on the
 *      same data after each kill and every acknowledged write looked for;
 * and prints the table: requests tried, 2xx, 4xx, 5xx, hangs (no answer within 15 s), p99 lookup latency, rows lost.
 *
 *   npx tsx scripts/bench-reliability.ts [--seconds 60] [--kills 3]                                    # embedded
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx scripts/bench-reliability.ts   # server engine
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../data/db/connect.ts';
import { makeEmbeddedDataDir } from '../data/db/test-engines.ts';
import { prepareRunTown, RUN_ACCOUNTS, RUN_PASSWORD } from '../api/reliability/town.ts';
import { startService, type ServiceProcess } from '../api/reliability/service-process.ts';
import { fuzzRoutes, lookupsBesideHeavy, loadRun, loginRace, Probe, quantile } from '../api/reliability/probe.ts';
import { killDuringWrites } from '../api/reliability/kill-writes.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, kills: { type: 'string', default: '3' } } });
const seconds = Math.max(5, Math.min(600, Number(values.seconds)));
const kills = Math.max(0, Math.min(20, Number(values.kills)));
const serverUrl = process.env.DATABASE_URL || undefined;
if (serverUrl && !['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(serverUrl).hostname)) throw new Error('the reliability run uses a database on loopback only');

const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-reliability-'));
let scratch: string | null = null;
let service: ServiceProcess | null = null;
const admin = async (q: string) => {
  const a = new pg.Client({ connectionString: serverUrl });
  await a.connect();
  try {
    await a.query(q);
  } finally {
    await a.end();
  }
};

try {
  let url: string | undefined;
  if (serverUrl) {
    scratch = `wangge_reliability_${process.pid}`;
    await admin(`CREATE DATABASE ${scratch}`);
    const u = new URL(serverUrl);
    u.pathname = `/${scratch}`;
    url = u.toString();
  } else {
    await makeEmbeddedDataDir(path.join(dir, 'db'));
  }
  const database = await openDatabase(url ? { url } : { dataDir: path.join(dir, 'db') });
  const town = await prepareRunTown(database.db);
  await database.close();

  service = await startService({ dir, url });
  const probe = new Probe(service.base);
  const adminToken = await probe.login(RUN_ACCOUNTS.admin, RUN_PASSWORD);
  const planner = await probe.login(RUN_ACCOUNTS.planner, RUN_PASSWORD);
  await fuzzRoutes(probe, { jcode: town.jcode, planId: town.publishedPlanId, tokens: [null, adminToken], hugeBytes: 25 * 1024 * 1024, budgetMs: 300_000 });
  await loginRace(probe, RUN_ACCOUNTS.raced);
  await lookupsBesideHeavy(probe, { jcode: town.jcode, planId: town.publishedPlanId, plannerToken: planner, ms: 10_000 });
  await loadRun(probe, { seconds, connections: 8, jcode: town.jcode, servicePid: service.pid });
  const engine = serverUrl ? 'server' : 'embedded';
  process.stdout.write(probe.table(`\nreliability run on 127.0.0.1, ${engine} engine, load ${seconds} s (hangs: no answer in 15 s; closed: connection closed by the server after refusing a body)`));
  let lost = 0;
  if (kills > 0) {
    const first = service;
    service = null;
    const k = await killDuringWrites({ dir, url, town, rounds: kills, service: first, writeMs: 3_000 });
    lost = k.lost.edits + k.lost.imports + k.lost.jobs;
    process.stdout.write(`kill -9 during edits, imports and partition jobs: ${k.rounds} kills; acknowledged: draft version ${k.acked.edits}, ${k.acked.imports} imports, ${k.acked.jobs} partition jobs; rows lost: ${lost}; jobs left unfinished after the restart: ${k.unfinishedJobs}\n`);
  }
  const all = probe.total();
  const heavy = probe.tally('lookups, anonymous heavy').lookupMs;
  process.stdout.write(`summary (${engine}): requests tried ${all.tried}, 4xx ${all.c4}, 5xx ${all.c5}, hangs ${all.hangs}, rows lost after kill -9 ${kills > 0 ? lost : '-'}, `
    + `lookup p99 during anonymous heavy requests ${quantile(heavy, 0.99).toFixed(1)} ms (p50 ${quantile(heavy, 0.5).toFixed(1)}, ${heavy.length} lookups), `
    + `during a running validation ${quantile(probe.tally('lookups, validation running').lookupMs, 0.99).toFixed(1)} ms, alone ${quantile(probe.tally('lookups, quiet').lookupMs, 0.99).toFixed(1)} ms\n`);
  process.exitCode = all.c5 || all.hangs || lost ? 1 : 0;
} finally {
  await service?.stop();
  if (scratch) await admin(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

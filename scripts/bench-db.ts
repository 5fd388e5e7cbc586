/**
 * A throw-away database beside DATABASE_URL / TEST_DATABASE_URL for a benchmark on the server engine: created
 * fresh, dropped afterwards.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, type Database } from '../data/db/connect.ts';

export async function freshServerDb(serverUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try { await c.query(q); } finally { await c.end(); }
  };
  await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export type BenchEngine = 'embedded' | 'server';

/** The engines a benchmark runs on: `--engines a,b`, else embedded plus the server when DATABASE_URL or TEST_DATABASE_URL is set. */
export function benchEngines(arg: string | undefined): { engines: BenchEngine[]; serverUrl: string | undefined } {
  const serverUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  const engines = (arg?.split(',') ?? ['embedded', ...(serverUrl ? ['server'] : [])]) as BenchEngine[];
  if (engines.includes('server') && !serverUrl) throw new Error('the server engine needs DATABASE_URL or TEST_DATABASE_URL');
  return { engines, serverUrl };
}

/** A fresh database on one engine: in memory (embedded) or a throw-away database on the server; `close` drops it. */
export async function openBenchDatabase(engine: BenchEngine, serverUrl: string | undefined, name: string): Promise<{ database: Database; close: () => Promise<void> }> {
  if (engine === 'server') {
    const srv = await freshServerDb(serverUrl!, `${name}_${process.pid}`);
    const database = await openDatabase({ url: srv.url, statementTimeoutMs: 600_000 });
    return { database, close: async () => { await database.close(); await srv.drop(); } };
  }
  const database = await openDatabase({ dataDir: 'memory://' });
  return { database, close: () => database.close() };
}

/** The common options of the database benchmarks: `--sizes n,n --engines a,b --seed s`. */
export function benchArgs(defaultSizes: string): { sizes: number[]; engines: BenchEngine[]; serverUrl: string | undefined; seed: number } {
  const { values } = parseArgs({ options: {
    sizes: { type: 'string', default: defaultSizes },
    engines: { type: 'string' },
    seed: { type: 'string', default: '1' },
  } });
  return { sizes: values.sizes!.split(',').map(Number), ...benchEngines(values.engines), seed: Number(values.seed) };
}

/** Seconds from milliseconds, for the benchmark tables. */
export const secs = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * Configuration: one typed, frozen object built once from defaults and the environment. A bad value fails
 * fast naming the variable. `.env.example` documents every key.
 */
import path from 'node:path';

export interface Config {
  /** HTTP port of the service */
  port: number;
  /** host to bind; 127.0.0.1 by default so a demo is not exposed to the network */
  host: string;
  /** postgres://… to use a PostgreSQL + PostGIS server; unset for the embedded engine */
  databaseUrl: string | undefined;
  /** embedded engine's data directory (database under `db/`) */
  dataDir: string;
  /** per-statement timeout on the server engine */
  statementTimeoutMs: number;
  /** pino log level */
  logLevel: string;
  /** households of the sample town generated on first start */
  sampleHouseholds: number;
  /** seed of the sample town */
  sampleSeed: number;
  /** largest file accepted by an upload (imports), megabytes */
  uploadLimitMb: number;
}

export class ConfigError extends Error {}

/** An integer setting from the environment, within [min, max], or the default; fails naming the variable. */
export function envInt(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${name}=${raw}: expected an integer from ${min} to ${max}`);
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL: expected postgres://user@host:port/database');
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) throw new ConfigError(`LOG_LEVEL=${logLevel}: expected fatal|error|warn|info|debug|trace|silent`);
  return Object.freeze({
    port: envInt(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    dataDir: path.resolve(env.WANGGE_DATA_DIR || '.wangge'),
    statementTimeoutMs: envInt(env, 'STATEMENT_TIMEOUT_MS', 60_000, 100, 3_600_000),
    logLevel,
    sampleHouseholds: envInt(env, 'SAMPLE_HOUSEHOLDS', 20_000, 1_000, 1_500_000),
    sampleSeed: envInt(env, 'SAMPLE_SEED', 1, 0, 2 ** 31 - 1),
    uploadLimitMb: envInt(env, 'UPLOAD_LIMIT_MB', 50, 1, 2_048),
  });
}

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
  /**
   * the service's public base URL (`https://grids.example.org`, no trailing slash) for absolute links (OGC, TileJSON);
   * unset: the listen address. Never the request's Host header.
   */
  publicUrl: string | undefined;
  /** key of the audit log's HMAC chain (at least 32 characters); unset: `<dataDir>/audit.key`, generated on first start */
  auditKey: string | undefined;
  /** statement timeout of the work one request does on the server engine (validate, repair, exports), ms */
  requestTimeoutMs: number;
  /** most features of a grid layer sent to validate, repair or merge */
  layerMaxFeatures: number;
  /** most positions of a grid layer sent to validate, repair or merge */
  layerMaxVertices: number;
  /** most positions of one feature of such a layer */
  featureMaxVertices: number;
}

export class ConfigError extends Error {}

/** AUDIT_KEY: at least 32 characters (e.g. `openssl rand -hex 32`); unset means a generated key file. */
export function auditKeyOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32 || [...raw].some((c) => c.charCodeAt(0) < 0x20)) throw new ConfigError('AUDIT_KEY: expected at least 32 printable characters (e.g. openssl rand -hex 32)');
  return raw;
}

/** An integer setting from the environment, within [min, max], or the default; fails naming the variable. */
export function envInt(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${name}=${raw}: expected an integer from ${min} to ${max}`);
  return v;
}

/** PUBLIC_URL: an http(s) origin with an optional path, normalised without a trailing slash. */
export function publicUrlOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ConfigError(`PUBLIC_URL=${raw}: expected an absolute URL such as https://grids.example.org`);
  }
  if (!['http:', 'https:'].includes(u.protocol) || u.search || u.hash || u.username || u.password) {
    throw new ConfigError(`PUBLIC_URL=${raw}: expected http(s)://host[:port][/path] without query, fragment or credentials`);
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
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
    publicUrl: publicUrlOf(env.PUBLIC_URL),
    auditKey: auditKeyOf(env.AUDIT_KEY),
    requestTimeoutMs: envInt(env, 'REQUEST_TIMEOUT_MS', 20_000, 100, 3_600_000),
    layerMaxFeatures: envInt(env, 'LAYER_MAX_FEATURES', 5_000, 1, 1_000_000),
    layerMaxVertices: envInt(env, 'LAYER_MAX_VERTICES', 500_000, 4, 50_000_000),
    featureMaxVertices: envInt(env, 'FEATURE_MAX_VERTICES', 20_000, 4, 10_000_000),
  });
}

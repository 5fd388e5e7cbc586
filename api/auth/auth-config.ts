/**
 * Settings of accounts and privacy, from the environment (documented keys):
 *   CORS_ORIGINS        comma-separated origins allowed to call the API from a browser (default none)
 *   H3_MIN_HOUSEHOLDS   k: H3 cells with fewer households are suppressed (default 5)
 *   SESSION_HOURS       lifetime of a login token (default 12)
 *   LOGIN_MAX_FAILURES  failed logins per name and address within LOGIN_WINDOW_MINUTES before backing off with 429
 *                       (default 10 / 15); LOGIN_MAX_FAILURES_PER_ADDRESS over all names from one address and
 *                       LOGIN_MAX_FAILURES_PER_NAME over all addresses for one name (default twice LOGIN_MAX_FAILURES)
 *   WRITES_REQUIRE_LOGIN  1 (default): creating, editing, copying and publishing plans and imports need a planner
 *                       or admin account (api/auth/write-guard.ts); the web app asks for a login when a change
 *                       needs one. 0 only for a trusted single-user setup.
 *   DRAFTS_REQUIRE_LOGIN  1 (default): draft plans (unpublished work, beyond the public map) are read, exported and
 *                       bundled only with an account of their jurisdiction, and anonymous plan lists hold the
 *                       published and archived plans only (api/auth/personal-data.ts); the web app sends its login
 *                       with every read and download. 0: drafts open to everyone as before (an explicit opt-out for
 *                       a trusted single-user setup or old clients that read drafts without a token).
 */
import { ConfigError, envInt } from '../config.ts';

export interface AuthConfig {
  corsOrigins: string[];
  h3MinHouseholds: number;
  sessionHours: number;
  loginMaxFailures: number;
  loginWindowMinutes: number;
  loginMaxFailuresPerAddress: number;
  loginMaxFailuresPerName: number;
  writesRequireLogin: boolean;
  draftsRequireLogin: boolean;
}


export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): Readonly<AuthConfig> {
  const origins = (env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const o of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new ConfigError(`CORS_ORIGINS: ${o} is not an origin such as https://example.org`);
  }
  const loginMaxFailures = envInt(env, 'LOGIN_MAX_FAILURES', 10, 1, 1000);
  return Object.freeze({
    corsOrigins: origins,
    h3MinHouseholds: envInt(env, 'H3_MIN_HOUSEHOLDS', 5, 1, 10_000),
    sessionHours: envInt(env, 'SESSION_HOURS', 12, 1, 24 * 30),
    loginMaxFailures,
    loginMaxFailuresPerAddress: envInt(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 2 * loginMaxFailures, 1, 100_000),
    loginMaxFailuresPerName: envInt(env, 'LOGIN_MAX_FAILURES_PER_NAME', 2 * loginMaxFailures, 1, 100_000),
    loginWindowMinutes: envInt(env, 'LOGIN_WINDOW_MINUTES', 15, 1, 24 * 60),
    writesRequireLogin: envInt(env, 'WRITES_REQUIRE_LOGIN', 1, 0, 1) === 1,
    draftsRequireLogin: envInt(env, 'DRAFTS_REQUIRE_LOGIN', 1, 0, 1) === 1,
  });
}

/**
 * The service: one express 5 application over one opened database. `WanggeApp` owns the HTTP server:
 * `start()` listens on the configured host and port (0 picks a free port), `stop()` closes it. The caller
 * owns the database and closes it after `stop()`.
 *
 * Order of the middleware: security headers (helmet, a CSP that allows only 'self'), request log (pino on
 * stderr: method, path, status, time; never query strings, bodies or addresses), the request's user, the
 * sign-in checks of heavy and write routes (before their bodies are read), JSON body limits, the edge check of
 * path, query and body (api/input-guard.ts: NUL and control characters → 400), the API routes, 404
 * problem+json for any other /api path, the web bundle (with the single-page fallback), and the one
 * problem+json error translator.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import type { Database } from '../data/db/connect.ts';
import { apiNotFound, problemMiddleware } from './errors.ts';
import type { RouteContext } from './routes/context.ts';
import { healthRouter } from './routes/health.ts';
import { jurisdictionsRouter } from './routes/jurisdictions.ts';
import { wallFiguresRouter } from './routes/wall-figures.ts';
import { layersRouter } from './routes/layers.ts';
import { plansRouter } from './routes/plans.ts';
import { jobsRouter } from './routes/jobs.ts';
import { importsRouter } from './routes/imports.ts';
import { validateRouter, VALIDATE_BODY_LIMIT } from './routes/validate.ts';
import { gridsLookupRouter } from './routes/grids-lookup.ts';
import { ogcRouter } from './routes/ogc.ts';
import { tilesRouter } from './routes/tiles.ts';
import { openapiRouter } from './routes/openapi.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { LayerVersions } from './tiles/layer-versions.ts';
import { requestUser } from './request-user.ts';
import { loadAuthConfig, type AuthConfig } from './auth/auth-config.ts';
import { corsAllowList } from './auth/cors.ts';
import { sessionRouter } from './routes/session.ts';
import { residentsRouter } from './routes/residents.ts';
import { auditRouter } from './routes/audit.ts';
import { writeGuard } from './auth/write-guard.ts';
import { auditChainOf, type AuditChain } from './auth/audit-log.ts';
import { inputGuard, lingerOnUnreadBody } from './input-guard.ts';
import { guestReads, HeavyGate, urgentReads } from './heavy-gate.ts';
import { AnswerCache } from './answer-cache.ts';
import { HEAVY_ROUTES, heavyAuth } from './routes/validate.ts';
import { eventsRouter } from './routes/events.ts';
import { EventFeed } from './routes/events-shared.ts';
import { open311Router, type PostRateLimit } from './routes/open311.ts';
import { emergencyRouter } from './routes/emergency.ts';
import { systemClock, type Clock } from '../domain/events/clock.ts';

/** Memory for open, heavy answers named by a version (vector tiles, plan exports): api/answer-cache.ts. */
const ANSWER_CACHE_BYTES = 32 * 1024 * 1024;

/** How long stop() lets running requests finish before cutting their connections. */
const STOP_GRACE_MS = 5_000;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the production web bundle is built (vite.config.ts: root web, outDir dist). */
export const DEFAULT_WEB_DIR = path.join(REPO_ROOT, 'web', 'dist');

export interface AppOptions {
  /** the built web bundle to serve; null serves the API only. Default web/dist. */
  webDir?: string | null;
  /** a logger; default pino on stderr at config.logLevel */
  logger?: Logger;
  /** largest accepted JSON body (default 1 MB) */
  jsonLimit?: string;
  /** largest accepted upload in bytes (default 50 MB) */
  uploadLimitBytes?: number;
  /** the job runner (default: a new one over the database) */
  jobs?: JobRunner;
  /** accounts and privacy settings (default: from the environment, api/auth/auth-config.ts) */
  auth?: Partial<AuthConfig>;
  /** the configuration (WanggeApp passes its own; default: from the environment) */
  config?: Readonly<Config>;
  /** the audit chain's key and checkpoint (default: AUDIT_KEY or <dataDir>/audit.key, <dataDir>/audit-checkpoint.json) */
  audit?: AuditChain;
  /** the base of absolute links (default: PUBLIC_URL, else the listen address) */
  publicBase?: () => string;
  /** the time of the events domain (default the system clock; tests move a ManualClock) */
  clock?: Clock;
  /** the limit on residents' Open311 posts (default 10 per client address and per api_key in 10 minutes) */
  open311RateLimit?: PostRateLimit;
}

/** The Content-Security-Policy: only our own origin; no inline scripts or styles, no eval. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  childSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  styleSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

function packageVersion(): string {
  try {
    return String(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

/** One log line per request: method, path (no query string: it may hold a position), status, duration. */
function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const t0 = performance.now();
    res.on('finish', () => {
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug';
      log[level]({ method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
    });
    next();
  };
}

const NO_BUNDLE_PAGE = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Wangge</title>
<body><p>网页尚未构建 / The web bundle is not built: run <code>npm run build:web</code> and restart.</p>
<p><a href="/api/health">/api/health</a></p></body></html>`;

function webBundle(webDir: string | null): RequestHandler[] {
  const index = webDir ? path.join(webDir, 'index.html') : null;
  if (!webDir || !index || !existsSync(index)) {
    return [(req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      if (req.path !== '/' && !req.accepts('html')) return next();
      res.status(req.path === '/' ? 200 : 404).type('html').send(NO_BUNDLE_PAGE);
    }];
  }
  const assets = express.static(webDir, {
    index: false,
    setHeaders: (res, file) => {
      // vite puts content hashes in asset names: cache them for good; everything else revalidates
      if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'no-cache');
    },
  });
  const spa: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (path.extname(req.path) !== '' || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  return [assets, spa];
}

/** Build the express application (exported for tests that need it without a listening server). */
export function createExpressApp(database: Database, log: Logger, opts: AppOptions = {}, jobs = opts.jobs ?? new JobRunner(database.db, log)): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  const config = opts.config ?? loadConfig();
  let audit: AuditChain | undefined = opts.audit;
  const ctx: RouteContext = {
    db: database.db, caps: database.caps, version: packageVersion(), log, jobs,
    layerVersions: new LayerVersions(database.db), uploadLimitBytes: opts.uploadLimitBytes ?? 50 * 1024 * 1024,
    publicBase: opts.publicBase ?? (() => config.publicUrl ?? `http://localhost:${config.port}`),
    audit: () => (audit ??= auditChainOf(config.auditKey, config.dataDir)),
    layerLimits: { maxFeatures: config.layerMaxFeatures, maxVertices: config.layerMaxVertices, maxFeatureVertices: config.featureMaxVertices },
    requestTimeoutMs: config.requestTimeoutMs,
    heavy: new HeavyGate(),
    answers: new AnswerCache<Buffer>(ANSWER_CACHE_BYTES),
  };
  // a request refused before its body was read does not make the event loop read the rest of a large body
  app.use(lingerOnUnreadBody);
  // read-only routes: on the embedded engine they read between the statements of a heavy request, lookups and
  // bundles ahead of every other request waiting for the session (api/heavy-gate.ts)
  app.use(['/api/lookup', '/api/grids/:code/bundle'], urgentReads);
  app.use(['/api/layers', '/tiles', '/ogc'], guestReads);
  // vector tiles are the wall screen's hot path: binary, public (no personal data, no login), so they are served
  // ahead of the page-oriented middleware with only the headers a tile needs; errors still end as problem+json
  app.use('/tiles', (_req, res, next) => { res.set('X-Content-Type-Options', 'nosniff').set('Cross-Origin-Resource-Policy', 'same-origin'); next(); });
  app.use(tilesRouter(ctx));
  app.use(helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES } },
    // served over plain HTTP on intranets and localhost: HSTS would lock browsers out
    strictTransportSecurity: false,
  }));
  app.use(requestLog(log));
  const auth: Readonly<AuthConfig> = { ...loadAuthConfig(), ...opts.auth };
  app.use(['/api', '/ogc', '/tiles'], corsAllowList(auth.corsOrigins));
  // the per-request user from `Authorization: Bearer <token>` (null: anonymous), known before any body is read
  app.use(['/api', '/ogc', '/tiles'], requestUser(database.db));
  // routes that compute for seconds or change data refuse anonymous callers before reading their bodies
  for (const p of HEAVY_ROUTES) app.post(p, heavyAuth);
  app.use(writeGuard(auth.writesRequireLogin));
  // grid layers sent for validation are larger than ordinary JSON bodies
  app.use(['/api/jurisdictions/:jcode/validate', '/api/jurisdictions/:jcode/repair', '/api/jurisdictions/:jcode/merge'], express.json({ limit: VALIDATE_BODY_LIMIT, type: ['application/json', 'application/geo+json'] }));
  app.use('/api', express.json({ limit: opts.jsonLimit ?? '1mb' }));
  // NUL bytes, control characters, broken Unicode and deep nesting end here as 400 (path, query, JSON body)
  app.use(['/api', '/ogc', '/tiles'], inputGuard);
  // events and work orders (issue 20): Open311 GeoReport v2 with its own parsing and error array, the staff routes
  const eventsDeps = { clock: opts.clock ?? systemClock, feed: new EventFeed() };
  app.use(open311Router(ctx, eventsDeps, { rateLimit: opts.open311RateLimit }));
  app.use(eventsRouter(ctx, eventsDeps));
  app.use(emergencyRouter(ctx, { clock: eventsDeps.clock }));

  // the hot read-only path first (lookup for phones): fewer layers to walk per request
  app.use(gridsLookupRouter(ctx, auth));
  app.use(healthRouter(ctx));
  app.use(sessionRouter(ctx, auth));
  app.use(residentsRouter(ctx, auth));
  app.use(auditRouter(ctx));
  app.use(jurisdictionsRouter(ctx));
  app.use(wallFiguresRouter(ctx));
  app.use(layersRouter(ctx));
  app.use(plansRouter(ctx, auth));
  app.use(jobsRouter(ctx));
  app.use(importsRouter(ctx));
  app.use(validateRouter(ctx));
  app.use(openapiRouter());
  app.use(ogcRouter(ctx));
  app.use(['/api', '/ogc', '/tiles'], apiNotFound);

  app.use(...webBundle(opts.webDir === undefined ? DEFAULT_WEB_DIR : opts.webDir));
  app.use(problemMiddleware(log));
  return app;
}

export class WanggeApp {
  readonly config: Readonly<Config>;
  readonly database: Database;
  readonly log: Logger;
  readonly express: Express;
  /** the background job runner (partition, import) */
  readonly jobs: JobRunner;
  #server: http.Server | null = null;

  constructor(config: Readonly<Config>, database: Database, opts: AppOptions = {}) {
    this.config = config;
    this.database = database;
    this.log = opts.logger ?? pino({ name: 'wangge', level: config.logLevel }, pino.destination(2));
    this.jobs = opts.jobs ?? new JobRunner(database.db, this.log);
    this.express = createExpressApp(database, this.log, {
      uploadLimitBytes: config.uploadLimitMb * 1024 * 1024, config,
      publicBase: () => config.publicUrl ?? this.listenBase, ...opts,
    }, this.jobs);
  }

  /**
   * Mark the jobs an earlier run left unfinished as failed (every other runner's on the embedded engine, which
   * one process owns; those with a stale heartbeat on a server shared by several), then listen on
   * config.host:config.port; resolves with the base URL once listening.
   */
  async start(): Promise<string> {
    if (this.#server) throw new Error('WanggeApp is already started');
    await this.jobs.recoverOrphans(this.database.caps.engine === 'embedded');
    const server = http.createServer(this.express);
    server.requestTimeout = 120_000;
    server.headersTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.log.info({ url: this.url, engine: this.database.caps.engine }, 'listening');
    return this.url;
  }

  /** The port actually listened on (useful with port 0). */
  get port(): number {
    if (!this.#server) throw new Error('WanggeApp is not started');
    return (this.#server.address() as AddressInfo).port;
  }

  /**
   * The base of absolute links when PUBLIC_URL is unset: the address listened on (http://127.0.0.1:PORT for the
   * default bind; localhost for a wildcard bind, where PUBLIC_URL should be set), never a request's Host header.
   */
  get listenBase(): string {
    const h = this.config.host;
    const host = ['0.0.0.0', '::'].includes(h) ? 'localhost' : h.includes(':') ? `[${h}]` : h;
    return `http://${host}:${this.#server ? this.port : this.config.port}`;
  }

  /** http://localhost:PORT for a loopback or wildcard bind, else http://HOST:PORT. */
  get url(): string {
    const h = this.config.host;
    const local = ['127.0.0.1', '::1', '0.0.0.0', '::', 'localhost'].includes(h);
    return `http://${local ? 'localhost' : h.includes(':') ? `[${h}]` : h}:${this.port}`;
  }

  /**
   * Stop accepting connections, end idle keep-alive ones, let running requests finish (5 s at most), then
   * let the running job finish (queued ones fail) so the caller can close the database.
   */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) {
      await this.jobs.close();
      return;
    }
    this.#server = null;
    await new Promise<void>((resolve, reject) => {
      server.close((e) => (e ? reject(e) : resolve()));
      server.closeIdleConnections();
      // a request still running after the grace period (a stuck client, a stream) is cut
      setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS).unref();
    });
    await this.jobs.close();
    this.log.info('stopped');
  }
}

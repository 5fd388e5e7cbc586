/**
 * The one translator from thrown errors to HTTP answers: RFC 9457 `application/problem+json`
 * {type, title, status, code, detail, where}. WanggeError codes map to statuses; body-parser failures become
 * bad_request / too_large; anything else is an `engine` 500 whose detail carries no stack trace or SQL.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_CODES, isWanggeError, WanggeError, type ErrorCode, type ErrorWhere } from '../spatial/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** HTTP status of each error code of the closed vocabulary. */
export const STATUS_OF: Readonly<Record<ErrorCode, number>> = Object.freeze({
  bad_request: 400,
  bad_file: 400,
  bad_feature: 400,
  bad_crs: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  engine: 500,
});

export interface ProblemWhere {
  parameter?: string;
  featureIndex?: number;
  gridCode?: string;
  file?: string;
  line?: number;
  field?: string;
}

/**
 * Refusals of the service itself, beside the closed vocabulary of spatial/errors.ts: too many requests (the login
 * limiter, the heavy-work gate), answered 429; a heavy request past its deadline, answered 503 timeout. Both with Retry-After.
 */
export const API_ERROR_CODES = { too_many_requests: 'too many requests', timeout: 'request timed out' } as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

/** Throw to answer 429 too_many_requests with a Retry-After of `retryAfterS` seconds. */
export class TooManyRequestsError extends Error {
  constructor(message: string, readonly retryAfterS: number, readonly where: ErrorWhere = {}) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

/** Throw to answer 503 timeout with a Retry-After: the request ran past its deadline (api/heavy-gate.ts). */
export class RequestTimeoutError extends TooManyRequestsError {
  override name = 'RequestTimeoutError';
}

/** PostgreSQL cancelled a statement that ran past its statement_timeout (SQLSTATE 57014). */
function isStatementTimeout(e: unknown): boolean {
  const c = e as { code?: unknown; cause?: { code?: unknown } } | null;
  return c?.code === '57014' || c?.cause?.code === '57014';
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode | ApiErrorCode;
  detail: string;
  where: ProblemWhere;
}

function cleanWhere(w: ErrorWhere): ProblemWhere {
  const out: ProblemWhere = {};
  if (w.parameter !== undefined) out.parameter = w.parameter;
  if (w.featureIndex !== undefined) out.featureIndex = w.featureIndex;
  if (w.gridCode !== undefined) out.gridCode = w.gridCode;
  if (w.file !== undefined) out.file = w.file;
  if (w.line !== undefined) out.line = w.line;
  if (w.field !== undefined) out.field = w.field;
  return out;
}

/** Build the problem document of one error code. */
export function problem(code: ErrorCode, detail: string, where: ErrorWhere = {}): Problem {
  return {
    type: `/api/problems/${code}`,
    title: ERROR_CODES[code],
    status: STATUS_OF[code],
    code,
    detail,
    where: cleanWhere(where),
  };
}

/** Body-parser (express.json) errors carry a `type` and a `status`. */
function fromBodyParser(e: unknown): WanggeError | null {
  const t = (e as { type?: unknown })?.type;
  if (t === 'entity.too.large') return new WanggeError('too_large', 'the request body is larger than the limit', { parameter: 'body' });
  if (t === 'entity.parse.failed') return new WanggeError('bad_request', 'the request body is not valid JSON', { parameter: 'body' });
  // a malformed percent-encoding in the path (express's router throws a URIError with status 400)
  if (e instanceof URIError) return new WanggeError('bad_request', 'the request path has a malformed percent-encoding', { parameter: 'path' });
  if ((typeof t === 'string' && t.startsWith('encoding.')) || t === 'charset.unsupported') {
    return new WanggeError('bad_request', 'the request body has an unsupported encoding', { parameter: 'body' });
  }
  return null;
}

/** Translate any thrown value into a problem document (no stack traces, no SQL). */
export function toProblem(e: unknown): Problem {
  if (e instanceof RequestTimeoutError) {
    return { type: '/api/problems/timeout', title: API_ERROR_CODES.timeout, status: 503, code: 'timeout', detail: e.message, where: cleanWhere(e.where) };
  }
  if (e instanceof TooManyRequestsError) {
    return { type: '/api/problems/too_many_requests', title: API_ERROR_CODES.too_many_requests, status: 429, code: 'too_many_requests', detail: e.message, where: cleanWhere(e.where) };
  }
  if (isStatementTimeout(e)) {
    return problem('too_large', 'the work took longer than this service allows for one request (REQUEST_TIMEOUT_MS); send less at once', { parameter: 'body' });
  }
  const known = isWanggeError(e) ? e : fromBodyParser(e);
  if (known) {
    // an engine failure's message may quote SQL or internals: answer with the generic title only
    const detail = known.code === 'engine' ? 'the spatial engine failed; the failure is logged on the server' : known.message;
    return problem(known.code, detail, known.where);
  }
  return problem('engine', 'internal error; the failure is logged on the server');
}

export function sendProblem(res: Response, p: Problem): void {
  res.status(p.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(p));
}

/** The service's one error middleware. Logs 5xx with the stack (server side only), 4xx at debug level. */
export function problemMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const p = toProblem(err);
    if (p.status >= 500) log.error({ err, method: req.method, path: req.path }, 'request failed');
    else log.debug({ code: p.code, where: p.where, method: req.method, path: req.path }, 'request refused');
    if (err instanceof TooManyRequestsError) res.set('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterS))));
    sendProblem(res, p);
  };
}

/** Any /api path no route answered: 404 problem+json. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new WanggeError('not_found', `no such API route: ${req.method} ${req.path}`, { parameter: 'path' }));
};

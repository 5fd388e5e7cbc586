/**
 * The closed error vocabulary. Every module throws `WanggeError` with a code from this list and says where
 * the problem is; the API's one error middleware and the CLI translate it (problem+json, stderr + exit code).
 * Throw only when a caller broke the contract or input is unusable: validation findings are reports.
 */
export const ERROR_CODES = {
  bad_request: 'a parameter is missing or malformed',
  bad_file: 'a file cannot be read or parsed',
  bad_feature: 'a feature is invalid',
  bad_crs: 'unknown coordinate system, or coordinates outside it',
  not_found: 'no such resource',
  conflict: 'the resource changed or already exists',
  precondition_failed: 'the resource changed since you read it',
  unauthorized: 'log in first',
  forbidden: 'not allowed for your role',
  too_large: 'the request or upload is too large',
  engine: 'the spatial engine failed on this input',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorWhere {
  file?: string;
  featureIndex?: number;
  line?: number;
  gridCode?: string;
  parameter?: string;
  field?: string;
}

export class WanggeError extends Error {
  readonly code: ErrorCode;
  readonly where: ErrorWhere;
  constructor(code: ErrorCode, message: string, where: ErrorWhere = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WanggeError';
    this.code = code;
    this.where = where;
  }

  /** "file streets.geojson, feature 12: …" — the place first, then the reason. */
  describe(): string {
    const w = this.where;
    const parts: string[] = [];
    if (w.file) parts.push(`file ${w.file}`);
    if (w.line !== undefined) parts.push(`line ${w.line}`);
    if (w.featureIndex !== undefined) parts.push(`feature ${w.featureIndex}`);
    if (w.field) parts.push(`field ${w.field}`);
    if (w.gridCode) parts.push(`grid ${w.gridCode}`);
    if (w.parameter) parts.push(`parameter ${w.parameter}`);
    return parts.length ? `${parts.join(', ')}: ${this.message}` : this.message;
  }
}

export function isWanggeError(e: unknown): e is WanggeError {
  return e instanceof WanggeError;
}

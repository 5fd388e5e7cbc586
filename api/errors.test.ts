// The one translator from errors to problem+json: every code of the vocabulary has its status, and
// internal failures leak neither messages nor stacks.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, WanggeError, type ErrorCode } from '../spatial/errors.ts';
import { STATUS_OF, toProblem } from './errors.ts';

describe('toProblem', () => {
  const expected: Record<ErrorCode, number> = {
    bad_request: 400, bad_file: 400, bad_feature: 400, bad_crs: 400, not_found: 404, conflict: 409,
    precondition_failed: 412, unauthorized: 401, forbidden: 403, too_large: 413, engine: 500,
  };

  it('maps every error code to its HTTP status', () => {
    expect(Object.keys(STATUS_OF).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const p = toProblem(new WanggeError(code, `msg ${code}`, { parameter: 'p' }));
      expect(p.status, code).toBe(expected[code]);
      expect(p.code).toBe(code);
      expect(p.title).toBe(ERROR_CODES[code]);
      expect(p.type).toBe(`/api/problems/${code}`);
    }
  });

  it('keeps the place of the error', () => {
    const p = toProblem(new WanggeError('bad_feature', 'ring not closed', { file: 'grids.geojson', featureIndex: 7, gridCode: 'G7' }));
    expect(p).toEqual({
      type: '/api/problems/bad_feature', title: ERROR_CODES.bad_feature, status: 400, code: 'bad_feature', detail: 'ring not closed',
      where: { file: 'grids.geojson', featureIndex: 7, gridCode: 'G7' },
    });
  });

  it('hides the message and stack of internal and engine failures', () => {
    const internal = toProblem(new TypeError('cannot read x of undefined at SELECT secret'));
    expect(internal.status).toBe(500);
    expect(internal.code).toBe('engine');
    expect(JSON.stringify(internal)).not.toMatch(/secret|TypeError|undefined/);
    const engine = toProblem(new WanggeError('engine', 'GEOS TopologyException in SELECT secret'));
    expect(engine.status).toBe(500);
    expect(JSON.stringify(engine)).not.toContain('secret');
  });

  it('translates body-parser failures', () => {
    expect(toProblem(Object.assign(new Error('x'), { type: 'entity.too.large' }))).toMatchObject({ status: 413, code: 'too_large', where: { parameter: 'body' } });
    expect(toProblem(Object.assign(new Error('x'), { type: 'entity.parse.failed' }))).toMatchObject({ status: 400, code: 'bad_request' });
  });
});

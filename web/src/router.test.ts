import { describe, expect, it } from 'vitest';
import { matchRoute } from './router.ts';

describe('routes', () => {
  it('match the four views and fall back to the overview', () => {
    expect(matchRoute('/plan/12')).toEqual({ view: 'plan', params: { id: '12' } });
    expect(matchRoute('/wall')).toEqual({ view: 'wall', params: {} });
    expect(matchRoute('/me/')).toEqual({ view: 'me', params: {} });
    expect(matchRoute('/grid/370199001001002')).toEqual({ view: 'grid', params: { code: '370199001001002' } });
    expect(matchRoute('/')).toEqual({ view: 'overview', params: {} });
    expect(matchRoute('/plan/abc')).toEqual({ view: 'overview', params: {} });
    expect(matchRoute('/grid/a%20b')).toEqual({ view: 'overview', params: {} });
  });
});

// Issue 17, finding 11: absolute links of /ogc and /tiles/*.json come from PUBLIC_URL, else from the listen address,
// never from the request's Host header (which any client sets and which was echoed into every link).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown } from '../test/tiny-town.ts';
import { ConfigError, publicUrlOf } from '../config.ts';

const EVIL = { host: 'evil.example.com', 'x-forwarded-host': 'evil.example.com', 'x-forwarded-proto': 'https' };

/** Every href and tile URL of a JSON answer. */
function links(body: any): string[] {
  const out: string[] = [];
  const walk = (v: any) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'href' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(body);
  if (Array.isArray(body?.tiles)) out.push(...body.tiles);
  return out;
}

describe('PUBLIC_URL', () => {
  it('is an http(s) URL, kept without a trailing slash', () => {
    expect(publicUrlOf('https://grids.example.org/')).toBe('https://grids.example.org');
    expect(publicUrlOf('http://10.1.2.3:8080/wangge/')).toBe('http://10.1.2.3:8080/wangge');
    expect(publicUrlOf(undefined)).toBeUndefined();
    expect(() => publicUrlOf('ftp://x')).toThrow(ConfigError);
    expect(() => publicUrlOf('https://x/?a=1')).toThrow(ConfigError);
    expect(() => publicUrlOf('not a url')).toThrow(ConfigError);
  });
});

describe.each(testEngines())('absolute links on the %s engine', (engine) => {
  let database: Database;
  let plain: TestServer;
  let configured: TestServer;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    plain = await startTestServer(database);
    configured = await startTestServer(database, {}, { PUBLIC_URL: 'https://grids.example.org/wangge/' });
  }, 120_000);
  afterAll(async () => {
    await plain?.app.stop();
    await configured?.app.stop();
    await database?.close();
  });

  const PATHS = ['/ogc', '/ogc/collections', '/ogc/collections/grids', '/ogc/collections/streets/items?limit=2', '/tiles/grids.json', '/tiles/basemap.json'];

  it('builds links from the listen address, whatever Host the request names', async () => {
    for (const p of PATHS) {
      const body = await (await plain.get(p, { headers: EVIL })).json();
      const hrefs = links(body);
      expect(hrefs.length, p).toBeGreaterThan(0);
      for (const h of hrefs) expect(h, p).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${plain.app.port}/`));
      expect(JSON.stringify(body)).not.toContain('evil.example.com');
    }
  });

  it('builds links from PUBLIC_URL when it is set', async () => {
    for (const p of PATHS) {
      const hrefs = links(await (await configured.get(p, { headers: EVIL })).json());
      for (const h of hrefs) expect(h, p).toMatch(/^https:\/\/grids\.example\.org\/wangge\/(ogc|tiles|api)(\/|$)/);
    }
  });
});

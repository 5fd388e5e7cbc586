// Fuzz-style: malformed ids, SQL fragments, bad encodings and oversized bodies at every route of the OpenAPI
// document, anonymous and as admin. Only 4xx answers, never a 500, no stack trace or SQL text, nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, tableCounts, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { bearer, createAccounts, loadPeople, login } from './test-people.ts';

const BAD_VALUES = [
  "1' OR '1'='1", '1; DROP TABLE residents; --', '../../etc/passwd', '-1', '0', '1e999', '999999999999999999999999',
  '<script>alert(1)</script>', '\u0000', '𠀀'.repeat(50), 'x'.repeat(3000), 'NaN', ' ', '${jndi:ldap://x}',
];
const RAW_SEGMENTS = ['%E0%A4%A', '%', '%00'];

async function counts(db: Database['db']): Promise<Record<string, number>> {
  const out = await tableCounts(db);
  for (const t of ['users', 'sessions', 'audit_log', 'jobs'] as const) {
    out[t] = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(t)}`.execute(db)).rows[0].n;
  }
  return out;
}

describe.each(testEngines())('fuzzing every route on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let admin: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    await loadPeople(database.db);
    await createAccounts(database.db);
    s = await startTestServer(database, { auth: { writesRequireLogin: true } });
    admin = await login(s.base, 'admin1');
  }, 120_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  it('answers malformed ids, SQL fragments and oversized bodies with 4xx only and writes nothing', async () => {
    const doc = await (await s.get('/api/openapi.json')).json();
    const before = await counts(database.db);
    const oversized = JSON.stringify({ type: 'FeatureCollection', features: [], pad: 'x'.repeat(21 * 1024 * 1024) });
    const tried: string[] = [];
    const check = async (method: string, url: string, init: RequestInit, takesInput = true) => {
      tried.push(`${method} ${url}`);
      const res = await fetch(`${s.base}${url}`, { ...init, method });
      const text = await res.text();
      const what = `${method} ${url.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
      // a route that takes no parameter at all may ignore the junk query string
      if (takesInput) expect(res.status, what).toBeGreaterThanOrEqual(400);
      expect(res.status, what).toBeLessThan(500);
      expect(text, what).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|SELECT |syntax error/i);
    };
    for (const [p, ops] of Object.entries<any>(doc.paths)) {
      const pathParams = (p.match(/\{(\w+)\}/g) ?? []).map((x) => x.slice(1, -1));
      for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
        const op = ops[method.toLowerCase()];
        const takesInput = (op.parameters ?? []).length > 0 || op.requestBody !== undefined;
        const body = method === 'POST' ? JSON.stringify({ name: "admin1' --", password: "' OR 1=1 --", min: "1; DROP TABLE grids", op: 'move', blocks: ["1' OR 1=1"], to: "x'; --" }) : undefined;
        for (const who of [null, admin]) {
          const headers: Record<string, string> = { 'content-type': 'application/json', 'if-match': "\"1' OR 1=1\"", ...(who ? bearer(who) : {}) };
          const variants: string[] = [];
          if (pathParams.length) {
            for (const v of BAD_VALUES) variants.push(p.replace(/\{\w+\}/g, encodeURIComponent(v)));
            for (const raw of RAW_SEGMENTS) variants.push(p.replace(/\{\w+\}/g, raw));
          } else {
            // values that no parameter accepts (a bare '-1' or '0' is a well-formed jurisdiction code)
            for (const v of BAD_VALUES.filter((x) => !/^[\w-]*$/.test(x))) variants.push(`${p}?jcode=${encodeURIComponent(v)}&lon=${encodeURIComponent(v)}&lat=1&bbox=${encodeURIComponent(v)}&limit=${encodeURIComponent(v)}&res=${encodeURIComponent(v)}&verify=${encodeURIComponent(v)}&q=${encodeURIComponent(v.repeat(40))}`);
          }
          for (const url of variants) {
            if (p === '/api/session' && method !== 'POST' && who) continue; // a good token: who am I / log out are meant to work
            if (p === '/api/audit' && who && !url.includes('verify=')) continue;
            await check(method, url, { headers, body }, takesInput);
          }
          if (method === 'POST') {
            await check(method, p.replace(/\{\w+\}/g, pathParams.length ? 'x%27%20OR%201' : ''), { headers, body: '{"name": "admin1", "password": ' });
            await check(method, p.replace(/\{(\w+)\}/g, (_m, n: string) => (n === 'jcode' ? TINY.jcode : '1')), { headers, body: oversized });
          }
        }
      }
    }
    expect(tried.length).toBeGreaterThan(300);
    expect(await counts(database.db)).toEqual(before);
  }, 300_000);
});

// Issue 17, finding 9: the audit log is a keyed chain (HMAC-SHA256 with a key kept outside the database) with a
// signed checkpoint outside the audit table, so that `GET /api/audit?verify=1` detects the newest rows deleted and
// a chain recomputed without the key. The key comes from AUDIT_KEY or is generated into the data directory.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { bearer, createAccounts, G1, loadPeople, login } from './test-people.ts';
import { canonicalEntry, chainHash, GENESIS_HASH } from './audit-log.ts';

const KEY = 'k'.repeat(16) + '0123456789abcdef0123456789abcdef';

describe.each(testEngines())('the keyed audit chain on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let admin: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    await loadPeople(database.db);
    await createAccounts(database.db);
    s = await startTestServer(database, {}, { AUDIT_KEY: KEY });
    admin = await login(s.base, 'admin1');
  }, 120_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const read = async (n: number) => {
    for (let i = 0; i < n; i++) expect((await s.get(`/api/grids/${G1}/residents?jcode=${TINY.jcode}`, { headers: bearer(admin) })).status).toBe(200);
  };
  const verify = async () => (await (await s.get('/api/audit?verify=1', { headers: bearer(admin) })).json()).verified;
  const tamper = async (fn: () => Promise<unknown>) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(database.db);
    try {
      await fn();
    } finally {
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(database.db);
    }
  };

  it('chains entries with HMAC-SHA256 under AUDIT_KEY and signs a checkpoint outside the table', async () => {
    await read(3);
    const v = await verify();
    expect(v).toMatchObject({ ok: true, entries: 3, brokenAt: null, checkpoint: { seq: 3 } });
    const { rows } = await sql<{ seq: number; prev_hash: string; hash: string; alg: string }>`SELECT seq, prev_hash, hash, alg FROM audit_log ORDER BY seq`.execute(database.db);
    expect(rows.every((r) => r.alg === 'hmac-sha256')).toBe(true);
    const entries = (await (await s.get('/api/audit', { headers: bearer(admin) })).json()).entries;
    expect(chainHash(GENESIS_HASH, canonicalEntry(entries[0]), Buffer.from(KEY))).toBe(entries[0].hash);
    expect(chainHash(GENESIS_HASH, canonicalEntry(entries[0]))).not.toBe(entries[0].hash); // not the unkeyed SHA-256
    const cp = JSON.parse(readFileSync(path.join(s.dataDir, 'audit-checkpoint.json'), 'utf8'));
    expect(cp).toMatchObject({ seq: 3, hash: entries[2].hash });
    expect(existsSync(path.join(s.dataDir, 'audit.key'))).toBe(false); // the configured key is used, none generated
  });

  it('detects the newest rows deleted (the chain alone still holds)', async () => {
    await read(2);
    await tamper(() => sql`DELETE FROM audit_log WHERE seq > 3`.execute(database.db));
    const v = await verify();
    expect(v).toMatchObject({ ok: false, entries: 3, brokenAt: 4 });
    expect(v.reason).toMatch(/newest entries were removed/);
  });

  it('detects a chain recomputed without the key', async () => {
    // the attacker rewrites entry 2 and recomputes every later hash, but can only use plain SHA-256 or a guessed key
    await tamper(async () => {
      const { rows } = await sql<any>`SELECT * FROM audit_log ORDER BY seq`.execute(database.db);
      let prev = GENESIS_HASH;
      for (const r of rows) {
        const e = { seq: Number(r.seq), at: r.at, jcode: r.jcode, userName: r.seq === '2' || r.seq === 2 ? 'nobody' : r.user_name, role: r.role, action: r.action, route: r.route,
          ip: r.ip, gridCode: r.grid_code, outcome: r.outcome, recordIds: (r.record_ids ?? []).map(Number) };
        const hash = chainHash(prev, canonicalEntry(e), Buffer.from('a guessed key of thirty-two chars!'));
        await sql`UPDATE audit_log SET user_name = ${e.userName}, prev_hash = ${prev}, hash = ${hash} WHERE seq = ${e.seq}`.execute(database.db);
        prev = hash;
      }
    });
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toBe(1);
  });

  it('detects a checkpoint not signed with the key', async () => {
    const file = path.join(s.dataDir, 'audit-checkpoint.json');
    const cp = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...cp, seq: 1 }));
    const v = await verify();
    expect(v.ok).toBe(false);
  });
});

describe.each(testEngines())('the generated audit key on the %s engine', (engine) => {
  it('is generated into the data directory on first use, readable by its owner only', async () => {
    const database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    await loadPeople(database.db);
    await createAccounts(database.db);
    const s = await startTestServer(database);
    try {
      const admin = await login(s.base, 'admin1');
      expect((await s.get(`/api/grids/${G1}/residents?jcode=${TINY.jcode}`, { headers: bearer(admin) })).status).toBe(200);
      const file = path.join(s.dataDir, 'audit.key');
      expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect((await (await s.get('/api/audit?verify=1', { headers: bearer(admin) })).json()).verified).toMatchObject({ ok: true, entries: 1 });
    } finally {
      await s.app.stop();
      await database.close();
    }
  }, 120_000);
});

// Open311 clients and their api_keys on real engines: a key is made once and only its hash kept, a name is unique
// in its jurisdiction, an unknown jurisdiction or client is not found, and a name used in two jurisdictions is
// revoked only with the jurisdiction named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadTinyTown, TINY } from '../../api/test/tiny-town.ts';
import { createOpen311Client, findOpen311Client, hashKey, listOpen311Clients, revokeOpen311Client } from './open311-clients.ts';

const J2 = '110108990077';

describe.each(testEngines())('Open311 clients on the %s engine', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    // a second jurisdiction (a client belongs to a jurisdiction only: no streets needed)
    await sql`INSERT INTO jurisdictions (jcode, code, name, level, geom) VALUES (${J2}, ${J2}, '另一街道', 'township', ST_Multi(ST_MakeEnvelope(0, 0, 1, 1, 4326)))`.execute(database.db);
  }, 180_000);
  afterAll(async () => { await database?.close(); });

  it('makes a random key, keeps only its hash and finds the client by the key', async () => {
    const key = await createOpen311Client(database.db, TINY.jcode, 'suishoupai');
    expect(key).toMatch(/^[\w-]{43}$/);
    const rows = await database.db.selectFrom('open311_clients').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ jcode: TINY.jcode, name: 'suishoupai', key_hash: hashKey(key) })]);
    expect(await findOpen311Client(database.db, key)).toEqual({ jcode: TINY.jcode, name: 'suishoupai' });
    expect(await findOpen311Client(database.db, `${key}x`)).toBeUndefined();
    expect(await createOpen311Client(database.db, TINY.jcode, 'given', 'a-key-of-my-own-0123456789')).toBe('a-key-of-my-own-0123456789');
  });

  it('refuses a name in use, an unknown jurisdiction, a bad name and a short key', async () => {
    await expect(createOpen311Client(database.db, TINY.jcode, 'suishoupai')).rejects.toMatchObject({ code: 'conflict' });
    await expect(createOpen311Client(database.db, '999999999999', 'x')).rejects.toMatchObject({ code: 'not_found' });
    await expect(createOpen311Client(database.db, TINY.jcode, 'a b; drop')).rejects.toMatchObject({ code: 'bad_request' });
    await expect(createOpen311Client(database.db, TINY.jcode, 'short', 'too-short')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('lists clients without keys and revokes by name, naming the jurisdiction when the name is in two', async () => {
    await createOpen311Client(database.db, J2, 'suishoupai');
    expect((await listOpen311Clients(database.db)).map((c) => `${c.jcode}/${c.name}`)).toEqual([`${TINY.jcode}/given`, `${TINY.jcode}/suishoupai`, `${J2}/suishoupai`]);
    expect(JSON.stringify(await listOpen311Clients(database.db))).not.toMatch(/key/i);
    await expect(revokeOpen311Client(database.db, 'suishoupai')).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('--jcode') });
    expect(await revokeOpen311Client(database.db, 'suishoupai', J2)).toBe(J2);
    expect(await revokeOpen311Client(database.db, 'suishoupai')).toBe(TINY.jcode);
    await expect(revokeOpen311Client(database.db, 'suishoupai')).rejects.toMatchObject({ code: 'not_found' });
    expect((await listOpen311Clients(database.db)).map((c) => c.name)).toEqual(['given']);
  });
});

/**
 * The outside clients allowed to post Open311 requests (residents' apps, a city's 随手拍 portal): one row per
 * api_key in `open311_clients`, keyed by jurisdiction and the key's SHA-256 (the key itself is never stored; the
 * operator sees it once, when it is made). A client's name is unique in its jurisdiction, so an operator can
 * revoke it by name (`wangge open311 key revoke <name>`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { WanggeError } from '../../data/errors.ts';

/** the shortest api_key taken (a guessable key would let anyone post as the client) */
export const OPEN311_KEY_MIN_LENGTH = 24;

export interface Open311Client { jcode: string; name: string; createdAt: string }

/** SHA-256 of an api_key, as `open311_clients.key_hash` holds it. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random api_key: 32 bytes, base64url (43 characters). */
export function newOpen311Key(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Register client `name` of jurisdiction `jcode` with `key` (a new random one when not given) and return the key:
 * the only time it is seen. Refuses an unknown jurisdiction (not_found), a name already in use there (conflict) and
 * a key shorter than 24 characters.
 * @example const key = await createOpen311Client(db, '370199000000', 'suishoupai-app') // 'kX3…' (43 characters)
 */
export async function createOpen311Client(db: Kysely<DB>, jcode: string, name: string, key = newOpen311Key()): Promise<string> {
  const clean = name.trim();
  if (!/^[\p{L}\p{N}_.-]{1,60}$/u.test(clean)) {
    throw new WanggeError('bad_request', 'a client name is 1 to 60 letters, digits, "_", "." or "-"', { parameter: 'name' });
  }
  if (key.length < OPEN311_KEY_MIN_LENGTH) throw new WanggeError('bad_request', `an api_key is at least ${OPEN311_KEY_MIN_LENGTH} characters`, { parameter: 'key' });
  const j = await db.selectFrom('jurisdictions').select('jcode').where('jcode', '=', jcode).limit(1).executeTakeFirst();
  if (!j) throw new WanggeError('not_found', `no jurisdiction ${jcode} is loaded`, { parameter: 'jcode' });
  const taken = await db.selectFrom('open311_clients').select('name').where('jcode', '=', jcode).where('name', '=', clean).executeTakeFirst();
  if (taken) throw new WanggeError('conflict', `jurisdiction ${jcode} already has an Open311 client ${clean}: revoke it first or choose another name`, { parameter: 'name' });
  await db.insertInto('open311_clients').values({ jcode, key_hash: hashKey(key), name: clean }).execute();
  return key;
}

/** The client an api_key belongs to, or undefined. */
export async function findOpen311Client(db: Kysely<DB>, key: string): Promise<{ jcode: string; name: string } | undefined> {
  return db.selectFrom('open311_clients').select(['jcode', 'name']).where('key_hash', '=', hashKey(key)).executeTakeFirst();
}

/** Every registered client (never a key nor its hash), by jurisdiction and name. */
export async function listOpen311Clients(db: Kysely<DB>): Promise<Open311Client[]> {
  const rows = await db.selectFrom('open311_clients').select(['jcode', 'name', 'created_at']).orderBy('jcode').orderBy('name').execute();
  return rows.map((r) => ({ jcode: r.jcode, name: r.name, createdAt: new Date(r.created_at).toISOString() }));
}

/**
 * Revoke client `name` (of jurisdiction `jcode`, needed when the name is in use in more than one): its key stops
 * working at once. Returns the jurisdiction it was revoked in.
 */
export async function revokeOpen311Client(db: Kysely<DB>, name: string, jcode?: string): Promise<string> {
  let q = db.selectFrom('open311_clients').select('jcode').where('name', '=', name.trim());
  if (jcode) q = q.where('jcode', '=', jcode);
  const found = [...new Set((await q.execute()).map((r) => r.jcode))];
  if (found.length === 0) throw new WanggeError('not_found', `no Open311 client ${name}${jcode ? ` in ${jcode}` : ''}`, { parameter: 'name' });
  if (found.length > 1) throw new WanggeError('bad_request', `Open311 client ${name} exists in ${found.join(', ')}: say which with --jcode`, { parameter: 'jcode' });
  await db.deleteFrom('open311_clients').where('jcode', '=', found[0]).where('name', '=', name.trim()).execute();
  return found[0];
}

/**
 * Accounts and sessions (tables of migrations/20261202T0100-auth.ts). Accounts are global: `jcode` limits an
 * account to one jurisdiction, NULL means all. All SQL through the `sql` tag with parameters.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../../spatial/errors.ts';
import { hashPassword, verifyPassword, DUMMY_HASH_PROMISE } from './password.ts';
import { hashToken, newToken } from './tokens.ts';
import { isRole, type AuthUser, type Role } from './roles.ts';

export const NAME_RE = /^[\p{L}\p{N}_.@-]{1,64}$/u;
export const GRID_RE = /^[0-9A-Za-z_-]{1,40}$/;
export const JCODE_RE = /^[0-9A-Za-z_-]{1,32}$/;

interface UserRow { id: string | number; name: string; role: string; jcode: string | null; grids: string[]; password_hash: string; disabled: boolean; created_at: Date | string }

function toUser(r: UserRow): AuthUser {
  if (!isRole(r.role)) throw new WanggeError('engine', `account ${r.id} has an unknown role`);
  return { id: Number(r.id), name: r.name, role: r.role, jcode: r.jcode, grids: [...(r.grids ?? [])] };
}

export interface NewUser {
  name: string;
  role: Role;
  password: string;
  grids?: string[];
  jcode?: string | null;
}

/** Check a new account's fields (bad_request naming the field). */
export function checkNewUser(u: NewUser): void {
  if (!NAME_RE.test(u.name)) throw new WanggeError('bad_request', 'a user name is 1-64 letters, digits or _ . @ -', { parameter: 'name' });
  if (!isRole(u.role)) throw new WanggeError('bad_request', 'role must be admin, planner, commander or grid_worker', { parameter: 'role' });
  if (u.password.length < 10 || u.password.length > 1024) throw new WanggeError('bad_request', 'a password has 10 to 1024 characters', { parameter: 'password' });
  for (const g of u.grids ?? []) if (!GRID_RE.test(g)) throw new WanggeError('bad_request', `grid code ${JSON.stringify(g.slice(0, 40))} is not 1-40 letters or digits`, { parameter: 'grid' });
  if (u.role === 'grid_worker' && !(u.grids ?? []).length) throw new WanggeError('bad_request', 'a grid_worker needs at least one --grid', { parameter: 'grid' });
  if (u.role !== 'grid_worker' && (u.grids ?? []).length) throw new WanggeError('bad_request', 'only a grid_worker has grids', { parameter: 'grid' });
  // grid codes repeat across jurisdictions: a grid worker's scope is (jurisdiction, grid)
  if (u.role === 'grid_worker' && (u.jcode === undefined || u.jcode === null)) throw new WanggeError('bad_request', 'a grid_worker needs --jcode: grid codes repeat across jurisdictions', { parameter: 'jcode' });
  if (u.jcode != null && !JCODE_RE.test(u.jcode)) throw new WanggeError('bad_request', 'jcode must be 1-32 letters or digits', { parameter: 'jcode' });
}

export async function createUser(db: Kysely<any>, u: NewUser): Promise<AuthUser> {
  checkNewUser(u);
  const exists = await sql`SELECT 1 FROM users WHERE name = ${u.name}`.execute(db);
  if (exists.rows.length) throw new WanggeError('conflict', `user ${u.name} exists`, { parameter: 'name' });
  const hash = await hashPassword(u.password);
  const { rows } = await sql<UserRow>`INSERT INTO users (name, role, jcode, grids, password_hash)
    VALUES (${u.name}, ${u.role}, ${u.jcode ?? null}, ${[...(u.grids ?? [])]}::text[], ${hash}) RETURNING *`.execute(db);
  return toUser(rows[0]);
}

export interface UserListing extends AuthUser { disabled: boolean; createdAt: string }

export async function listUsers(db: Kysely<any>): Promise<UserListing[]> {
  const { rows } = await sql<UserRow>`SELECT * FROM users ORDER BY name`.execute(db);
  return rows.map((r) => ({ ...toUser(r), disabled: r.disabled, createdAt: new Date(r.created_at).toISOString() }));
}

/** Disable an account and end its sessions. */
export async function disableUser(db: Kysely<any>, name: string): Promise<void> {
  const { rows } = await sql<{ id: string }>`UPDATE users SET disabled = true WHERE name = ${name} RETURNING id`.execute(db);
  if (!rows.length) throw new WanggeError('not_found', `no user ${name}`, { parameter: 'name' });
  await sql`DELETE FROM sessions WHERE user_id = ${rows[0].id}`.execute(db);
}

/** The account of a name and password, or null (an unknown name costs as much time as a wrong password). */
export async function checkLogin(db: Kysely<any>, name: string, password: string): Promise<AuthUser | null> {
  const { rows } = await sql<UserRow>`SELECT * FROM users WHERE name = ${name}`.execute(db);
  const row = rows[0];
  const ok = await verifyPassword(password, row ? row.password_hash : await DUMMY_HASH_PROMISE);
  return row && ok && !row.disabled ? toUser(row) : null;
}

/** Open a session; returns the token (only its hash is stored). */
export async function createSession(db: Kysely<any>, userId: number, hours: number): Promise<{ token: string; expiresAt: string }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + hours * 3600_000).toISOString();
  await sql`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (${hashToken(token)}, ${userId}, ${expiresAt}::timestamptz)`.execute(db);
  // expired sessions are swept on each login
  await sql`DELETE FROM sessions WHERE expires_at < now()`.execute(db);
  return { token, expiresAt };
}

/** The account of a live session token, or null (unknown, expired, or the account is disabled). */
export async function userOfToken(db: Kysely<any>, token: string): Promise<AuthUser | null> {
  const { rows } = await sql<UserRow>`SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ${hashToken(token)} AND s.expires_at > now() AND NOT u.disabled`.execute(db);
  return rows[0] ? toUser(rows[0]) : null;
}

export async function deleteSession(db: Kysely<any>, token: string): Promise<void> {
  await sql`DELETE FROM sessions WHERE token_hash = ${hashToken(token)}`.execute(db);
}

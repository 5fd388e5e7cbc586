import { describe, expect, it } from 'vitest';
import { hashPassword, randomPassword, verifyPassword } from './password.ts';
import { bearerToken, hashToken, newToken } from './tokens.ts';
import { backoffSeconds } from './login-limiter.ts';

describe('passwords, tokens and the login limiter', () => {
  it('hashes with scrypt and a per-password salt, and verifies', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
  });

  it('makes random passwords and 32-byte tokens stored only as sha256', () => {
    expect(randomPassword()).toMatch(/^[\w-]{18}$/);
    expect(randomPassword()).not.toBe(randomPassword());
    const t = newToken();
    expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(bearerToken(`Bearer ${t}`)).toBe(t);
    expect(bearerToken(`Basic ${t}`)).toBeNull();
    expect(bearerToken("Bearer ' OR 1=1 --")).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('backs off exponentially past a threshold, capped', () => {
    expect(backoffSeconds(2, 3, 900)).toBe(0);
    expect(backoffSeconds(3, 3, 900)).toBe(30);
    expect(backoffSeconds(4, 3, 900)).toBe(60);
    expect(backoffSeconds(6, 3, 900)).toBe(240);
    expect(backoffSeconds(30, 3, 900)).toBe(900);
    expect(backoffSeconds(1000, 3, 120)).toBe(120);
    expect(backoffSeconds(4, 3, 900, 1)).toBe(2);
  });
});

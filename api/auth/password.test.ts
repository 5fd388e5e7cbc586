import { describe, expect, it } from 'vitest';
import { hashPassword, randomPassword, verifyPassword } from './password.ts';
import { bearerToken, hashToken, newToken } from './tokens.ts';
import { LoginLimiter } from './login-limiter.ts';

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

  it('locks a key after max failures within the window and frees it afterwards', () => {
    let now = 1_000_000;
    const l = new LoginLimiter(3, 60_000, 100, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter('a')).toBe(0);
      l.fail('a');
    }
    expect(l.retryAfter('a')).toBe(60);
    expect(l.retryAfter('b')).toBe(0);
    now += 30_000;
    expect(l.retryAfter('a')).toBe(30);
    now += 30_001;
    expect(l.retryAfter('a')).toBe(0);
    l.fail('a');
    l.succeed('a');
    expect(l.retryAfter('a')).toBe(0);
  });
});

// The cache of open, heavy answers named by a version (tiles, plan exports; issue 17): one computation for callers
// asking at once, the least recently used answers dropped past the budget, nothing kept that is too large or failed.
import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache.ts';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('AnswerCache', () => {
  it('computes an answer once for callers asking at once and after', async () => {
    const cache = new AnswerCache<Buffer>(1000);
    let runs = 0;
    const compute = async () => { runs += 1; await new Promise((r) => setTimeout(r, 20)); return bytes(10); };
    const answers = await Promise.all([cache.get('a', compute), cache.get('a', compute), cache.get('a', compute)]);
    expect(runs).toBe(1);
    expect(answers[1]).toBe(answers[0]);
    expect(await cache.get('a', compute)).toBe(answers[0]);
    expect(runs).toBe(1);
    expect(cache.bytes).toBe(10);
  });

  it('drops the least recently used answers past its budget, and keeps none larger than an entry may be', async () => {
    const cache = new AnswerCache<Buffer>(300, 150);
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => bytes(100));
    await cache.get('a', async () => bytes(100, 2)); // a hit: 'a' is now the most recent
    await cache.get('d', async () => bytes(100)); // over 300: 'b' goes
    expect(cache.bytes).toBe(300);
    let recomputed = 0;
    const again = async () => { recomputed += 1; return bytes(100, 3); };
    expect((await cache.get('a', again))[0]).toBe(1);
    expect((await cache.get('b', again))[0]).toBe(3);
    expect(recomputed).toBe(1);
    await cache.get('big', async () => bytes(151));
    expect(await cache.get('big', async () => bytes(7))).toHaveLength(7);
  });

  it('computes again an answer older than the age asked for', async () => {
    const cache = new AnswerCache<Buffer>(1000);
    await cache.get('t', async () => bytes(10, 1));
    await new Promise((r) => setTimeout(r, 30));
    expect((await cache.get('t', async () => bytes(10, 2), 60_000))[0]).toBe(1);
    expect((await cache.get('t', async () => bytes(10, 3), 10))[0]).toBe(3);
    expect(cache.bytes).toBe(10);
  });

  it('keeps no failure: the next caller computes again', async () => {
    const cache = new AnswerCache<Buffer>(1000);
    await expect(cache.get('x', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await cache.get('x', async () => bytes(3))).toHaveLength(3);
  });
});

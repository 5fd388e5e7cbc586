// Duplicates among many new events at once: the first open event of the type within 50 m and 24 h, stored or new.
import { describe, expect, it } from 'vitest';
import { linkDuplicates, type DupCandidate } from './link-duplicates.ts';

const H = 3_600_000;
const at = (h: number) => Date.UTC(2026, 11, 1) + h * H;
// 0.0001° of latitude is 11 m
const ev = (id: number, h: number, dLat: number, typeCode = '09009', root: number | null = null): DupCandidate => ({ id, typeCode, at: at(h), lon: 116.3, lat: 39.98 + dLat, root });

describe('linking duplicates in bulk', () => {
  it('links to the first stored or new event of the type within 50 m and 24 h, and follows chains to their first', () => {
    const stored = [ev(1, 0, 0), ev(2, 1, 0.0002, '09009', 1), ev(3, 0, 0, '06010')];
    const fresh = [ev(10, 5, 0.0003), ev(11, 30, 0.0001), ev(12, 6, 0.0010), ev(13, 7, 0.0011), ev(14, 8, 0, '07001')];
    const links = linkDuplicates(fresh, stored);
    expect(links.get(10)).toBe(1); // 33 m from 1, 11 m from 2 (which repeats 1): the first of the chain
    expect(links.has(11)).toBe(false); // 25 h after 10 and 30 h after 1: out of the window
    expect(links.has(12)).toBe(false); // 111 m away from everything before it
    expect(links.get(13)).toBe(12); // 11 m from 12, a new one
    expect(links.has(14)).toBe(false); // another type
  });

  it('keeps the 24-hour window and the 50-metre radius exact', () => {
    expect(linkDuplicates([ev(2, 24.01, 0)], [ev(1, 0, 0)]).size).toBe(0);
    expect(linkDuplicates([ev(2, 23.99, 0)], [ev(1, 0, 0)]).get(2)).toBe(1);
    expect(linkDuplicates([ev(2, 1, 0.00046)], [ev(1, 0, 0)]).size).toBe(0); // 51 m
    expect(linkDuplicates([ev(2, 1, 0.00044)], [ev(1, 0, 0)]).get(2)).toBe(1); // 49 m
  });
});

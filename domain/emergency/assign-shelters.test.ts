// The walking graph and the shelter assignment, pure: streets that cross without a shared vertex are joined, the
// distance is along the streets (not the crow's), capacity is never exceeded, vulnerable households go first.
import { describe, expect, it } from 'vitest';
import { buildWalkGraph, type LonLat } from './walk-graph.ts';
import { assignShelters } from './assign-shelters.ts';

const x0 = 116.3, y0 = 39.98;
const M = 1 / 111_320 / Math.cos((y0 * Math.PI) / 180); // degrees of longitude per metre
const N = 1 / 110_574; // degrees of latitude per metre
const at = (e: number, n: number): LonLat => [x0 + e * M, y0 + n * N];

describe('walking distance and shelter assignment', () => {
  // a cross: a west–east street and a south–north street crossing at (500, 0), no shared vertex;
  // a wall between (0, 0) and (0, 300): no street, so the way north goes round by the cross
  const lines: LonLat[][] = [[at(0, 0), at(1000, 0)], [at(500, -500), at(500, 500)], [at(500, 300), at(0, 300)]];
  const crossings: LonLat[][] = [[at(500, 0)], [at(500, 0), at(500, 300)], [at(500, 300)]];
  const graph = buildWalkGraph(lines, crossings, at(0, 0));

  it('joins streets at their crossings and measures along them', () => {
    const from = graph.nearestNode(at(0, 0));
    const to = graph.nearestNode(at(0, 300));
    expect(from.metres).toBeLessThan(1);
    const d = graph.distancesFrom(from.node)[to.node];
    expect(d).toBeGreaterThan(1290);
    expect(d).toBeLessThan(1310); // 500 east, 300 north, 500 west
    const path = graph.pathsFrom(from.node)(to.node);
    expect(path.length).toBeGreaterThan(3);
  });

  it('fills the nearest shelter first, never beyond its capacity, vulnerable households first', () => {
    const near = { id: 1, at: at(0, 300), capacity: 5 };
    const far = { id: 2, at: at(1000, 0), capacity: 100 };
    const households = [
      { id: 10, at: at(0, 310), persons: 3, vulnerable: false },
      { id: 11, at: at(0, 320), persons: 3, vulnerable: true },
      { id: 12, at: at(100, 300), persons: 2, vulnerable: false },
      { id: 13, at: at(900, 0), persons: 200, vulnerable: false },
    ];
    const out = new Map(assignShelters(graph, households, [near, far]).map((a) => [a.householdId, a]));
    expect(out.get(11)!.shelterId).toBe(1); // vulnerable first, though farther than 10
    expect(out.get(12)!.shelterId).toBe(1); // 3 + 2 = 5: full
    expect(out.get(10)!.shelterId).toBe(2);
    expect(out.get(13)!.shelterId).toBeNull(); // no shelter has room for 200
    const load = (id: number) => households.filter((h) => out.get(h.id)!.shelterId === id).reduce((s, h) => s + h.persons, 0);
    expect(load(1)).toBeLessThanOrEqual(near.capacity);
    expect(load(2)).toBeLessThanOrEqual(far.capacity);
    expect(out.get(10)!.walkM).toBeGreaterThan(1000);
  });
});

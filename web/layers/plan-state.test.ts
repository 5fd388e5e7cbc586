import { describe, expect, it } from 'vitest';
import type { Feature, FeatureCollection } from 'geojson';
import { applyEdit, blockAdjacency, inverseEdit, neighbourGrids, neighbourGridsOfGrid, planStateFrom, validatePlan, withServerCounts } from './plan-state.ts';

// a row of 4 blocks of 0.002° separated by 10 m streets: A = blocks 1, 2; B = blocks 3, 4; a far block 5 in B
const S = 0.002;
const gap = 0.0001;
const block = (i: number, id: number, grid: string, households: number, community = 'C1'): Feature => {
  const x = 116.3 + i * (S + gap);
  const y = 39.98;
  return { type: 'Feature', id, properties: { id, grid, community, households }, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + S, y], [x + S, y + S], [x, y + S], [x, y]]] } };
};
const blocks: FeatureCollection = { type: 'FeatureCollection', features: [block(0, 1, 'A', 300), block(1, 2, 'A', 200), block(2, 3, 'B', 250), block(3, 4, 'B', 260), block(9, 5, 'B', 10)] };
const grids: FeatureCollection = { type: 'FeatureCollection', features: ['A', 'B'].map((code) => ({ type: 'Feature', id: code, properties: { code, community: 'C1' }, geometry: null as never })) };

describe('plan state', () => {
  const s0 = planStateFrom(blocks, grids, 400, 600);
  const adj = blockAdjacency(blocks);

  it('tallies grids from their blocks unless the server gave counts', () => {
    expect(s0.grids.get('A')).toMatchObject({ households: 500, blocks: 2 });
    expect(s0.grids.get('B')).toMatchObject({ households: 520, blocks: 3 });
    const withServer = planStateFrom(blocks, { ...grids, features: grids.features.map((f) => ({ ...f, properties: { ...f.properties, households: 1, blocks: 9 } })) }, 400, 600);
    expect(withServer.grids.get('A')).toMatchObject({ households: 1, blocks: 9 });
  });

  it('finds neighbouring blocks across a street and the grids a block may move to', () => {
    expect(adj.get(2)).toEqual([1, 3]);
    expect(adj.get(5)).toEqual([]);
    expect(neighbourGrids(s0, adj, 2)).toEqual(['B']);
    expect(neighbourGrids(s0, adj, 1)).toEqual([]);
    expect(neighbourGridsOfGrid(s0, adj, 'A')).toEqual(['B']);
  });

  it('moves a block with a live recount, leaving the input alone, and validates range and contiguity', () => {
    expect(validatePlan(s0, adj).issues.map((i) => `${i.kind}:${i.grid}`)).toEqual(['split:B']);
    const s1 = applyEdit(s0, { op: 'move', blocks: [3], to: 'A' });
    expect(s1.grids.get('A')).toMatchObject({ households: 750, blocks: 3 });
    expect(s1.grids.get('B')).toMatchObject({ households: 270, blocks: 2 });
    expect(s0.grids.get('A')!.households).toBe(500);
    expect(s0.blocks.get(3)!.grid).toBe('B');
    expect(validatePlan(s1, adj).issues.map((i) => `${i.kind}:${i.grid}`)).toEqual(['over:A', 'under:B', 'split:B']);
  });

  it('undoes a move, a split and a merge', () => {
    const move = { op: 'move' as const, blocks: [2, 3], to: 'B' };
    expect(inverseEdit(s0, move)).toEqual([{ op: 'move', blocks: [2], to: 'A' }]);
    const split = { op: 'split' as const, grid: 'B', blocks: [5] };
    const s2 = applyEdit(s0, split, 'B2');
    expect(s2.grids.get('B2')).toMatchObject({ households: 10, blocks: 1 });
    expect(s2.grids.get('B')).toMatchObject({ households: 510, blocks: 2 });
    expect(inverseEdit(s0, split, ['B2'])).toEqual([{ op: 'merge', grids: ['B', 'B2'] }]);
    const merge = { op: 'merge' as const, grids: ['A', 'B'] as [string, string] };
    const s3 = applyEdit(s0, merge);
    expect([...s3.grids.keys()]).toEqual(['A']);
    expect(s3.grids.get('A')).toMatchObject({ households: 1020, blocks: 5 });
    expect(inverseEdit(s0, merge)).toEqual([{ op: 'split', grid: 'A', blocks: [3, 4, 5] }]);
  });

  it('takes the server counts as the truth', () => {
    const s = withServerCounts(applyEdit(s0, { op: 'move', blocks: [3], to: 'A' }), [{ code: 'A', households: 749, blocks: 3 }], []);
    expect(s.grids.get('A')!.households).toBe(749);
    expect(s.grids.get('B')!.households).toBe(270);
  });
});

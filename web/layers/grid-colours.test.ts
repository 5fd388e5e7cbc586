import { describe, expect, it } from 'vitest';
import type { Feature, FeatureCollection } from 'geojson';
import { colourIndices, GRID_PALETTE, nearNeighbours, withGridColours } from './grid-colours.ts';

// squares of 0.002° (about 170 m × 220 m at 40° N) near Beijing
const S = 0.002;
const square = (i: number, j: number, code: string, gap = 0): Feature => {
  const x = 116.3 + i * S + gap;
  const y = 39.98 + j * S;
  return { type: 'Feature', properties: { code }, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + S, y], [x + S, y + S], [x, y + S], [x, y]]] } };
};

describe('grid colours', () => {
  it('finds neighbours by shared vertices, corners included', () => {
    const quads = [square(0, 0, 'a'), square(1, 0, 'b'), square(0, 1, 'c'), square(1, 1, 'd'), square(5, 5, 'far')];
    expect(nearNeighbours(quads)).toEqual([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2], []]);
  });

  it('counts grids across a street as neighbours, but not grids a block apart', () => {
    const street = 0.00015; // about 13 m
    expect(nearNeighbours([square(0, 0, 'a'), square(1, 0, 'b', street)])).toEqual([[1], [0]]);
    expect(nearNeighbours([square(0, 0, 'a'), square(2, 0, 'c')])).toEqual([[], []]);
  });

  it('gives neighbours different colours', () => {
    // a 6 × 5 block of squares: every grid touches up to 8 others
    const grid: Feature[] = [];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) grid.push(square(i, j, `${i}-${j}`));
    const colours = colourIndices(grid);
    const nb = nearNeighbours(grid);
    nb.forEach((list, i) => list.forEach((j) => expect(colours[i], `${i} vs ${j}`).not.toBe(colours[j])));
    expect(Math.max(...colours)).toBeLessThan(GRID_PALETTE.length);
  });

  it('is deterministic, falls back to the least used colour when the palette is short, and does not mutate', () => {
    const quads = [square(0, 0, 'a'), square(1, 0, 'b'), square(0, 1, 'c'), square(1, 1, 'd')];
    expect(colourIndices(quads)).toEqual(colourIndices(quads));
    expect(new Set(colourIndices(quads)).size).toBe(4);
    const two = colourIndices(quads, 2);
    expect(two.every((c) => c === 0 || c === 1)).toBe(true);
    const fc: FeatureCollection = { type: 'FeatureCollection', features: quads };
    const before = JSON.stringify(fc);
    const out = withGridColours(fc);
    expect(JSON.stringify(fc)).toBe(before);
    expect(out.features.map((f) => f.properties!.colour).every((c) => (GRID_PALETTE as readonly string[]).includes(c))).toBe(true);
    expect(out.features.map((f) => f.properties!.code)).toEqual(['a', 'b', 'c', 'd']);
  });
});

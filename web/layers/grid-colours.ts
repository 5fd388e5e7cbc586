/**
 * Distinct colours for neighbouring grids: grids whose boundaries come within a street's width of each
 * other are neighbours (see nearNeighbours); a greedy colouring in Welsh-Powell order
 * (most neighbours first) gives each grid the smallest palette index no neighbour holds. Pure and
 * deterministic: the same grids give the same colours.
 */
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';

/** ColorBrewer Set3, reordered so the orange and red tones (units, hazards) come last. */
export const GRID_PALETTE = ['#8dd3c7', '#bebada', '#ffffb3', '#80b1d3', '#b3de69', '#fccde5', '#ccebc5', '#bc80bd', '#fdb462', '#fb8072'] as const;

function eachPosition(g: Geometry | null, fn: (p: Position) => void): void {
  if (!g) return;
  switch (g.type) {
    case 'Point': fn(g.coordinates); break;
    case 'MultiPoint': case 'LineString': g.coordinates.forEach(fn); break;
    case 'MultiLineString': case 'Polygon': g.coordinates.forEach((r) => r.forEach(fn)); break;
    case 'MultiPolygon': g.coordinates.forEach((p) => p.forEach((r) => r.forEach(fn))); break;
    case 'GeometryCollection': g.geometries.forEach((x) => eachPosition(x, fn)); break;
  }
}

/**
 * Neighbour lists: features with vertices within about `gapM` metres of each other. Grids bounded by
 * streets often do not touch (the street runs between them), but their corners face each other across the
 * street; vertices are bucketed into cells of `gapM` and features meeting in the same or an adjacent cell
 * are neighbours.
 */
export function nearNeighbours(features: Feature[], gapM = 30): number[][] {
  let latSum = 0;
  let count = 0;
  features.forEach((f) => eachPosition(f.geometry, (p) => { latSum += p[1]; count++; }));
  const lat = count ? latSum / count : 0;
  const cy = gapM / 111_320;
  const cx = gapM / (111_320 * Math.max(0.05, Math.cos((lat * Math.PI) / 180)));
  const byCell = new Map<string, Set<number>>();
  features.forEach((f, i) => {
    eachPosition(f.geometry, (p) => {
      const k = `${Math.floor(p[0] / cx)},${Math.floor(p[1] / cy)}`;
      const set = byCell.get(k);
      if (set) set.add(i);
      else byCell.set(k, new Set([i]));
    });
  });
  const nb = features.map(() => new Set<number>());
  for (const [k, members] of byCell) {
    const [x, y] = k.split(',').map(Number);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const other = byCell.get(`${x + dx},${y + dy}`);
        if (!other) continue;
        for (const a of members) for (const b of other) if (a !== b) nb[a].add(b);
      }
    }
  }
  return nb.map((s) => [...s].sort((a, b) => a - b));
}

/** A palette index per feature, neighbours differing whenever the palette allows it. */
export function colourIndices(features: Feature[], paletteSize: number = GRID_PALETTE.length): number[] {
  const nb = nearNeighbours(features);
  const order = features.map((_, i) => i).sort((a, b) => nb[b].length - nb[a].length || a - b);
  const colour = new Array<number>(features.length).fill(-1);
  for (const i of order) {
    const uses = new Array<number>(paletteSize).fill(0);
    for (const j of nb[i]) if (colour[j] >= 0) uses[colour[j]]++;
    let best = 0;
    for (let c = 1; c < paletteSize; c++) if (uses[c] < uses[best]) best = c; // first free colour, else the least used
    colour[i] = best;
  }
  return colour;
}

/** The collection with `properties.colour` (a palette colour) on each grid; the input is not changed. */
export function withGridColours(fc: FeatureCollection): FeatureCollection {
  const idx = colourIndices(fc.features);
  return {
    ...fc,
    features: fc.features.map((f, i) => ({ ...f, properties: { ...f.properties, colour: GRID_PALETTE[idx[i] % GRID_PALETTE.length] } })),
  };
}

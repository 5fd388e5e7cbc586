/**
 * Data preparation for the hazards heat layer, pure: hazard points binned into H3 cells (h3-js) with a
 * weight per cell (open hazards weighted by severity), and the colour of a weight on a heat ramp.
 */
import { latLngToCell } from 'h3-js';
import type { Feature, FeatureCollection, Point } from 'geojson';
import type { RGBA } from './grid-features.ts';

export interface HexBin {
  hex: string;
  count: number;
  weight: number;
}

/** Weight of one hazard: its severity (1-5, default 1); closed hazards weigh nothing. */
export function hazardWeight(f: Feature): number {
  const p = f.properties ?? {};
  if (p.status === 'closed' || p.status === 'resolved') return 0;
  const s = Number(p.severity);
  return Number.isFinite(s) && s > 0 ? s : 1;
}

/** Hazard points binned into H3 cells of `resolution` (default 9, about 170 m across), heaviest first. */
export function hexBins(fc: FeatureCollection, resolution = 9, weight: (f: Feature) => number = hazardWeight): HexBin[] {
  const bins = new Map<string, HexBin>();
  for (const f of fc.features) {
    if (f.geometry?.type !== 'Point') continue;
    const w = weight(f);
    if (w <= 0) continue;
    const [lon, lat] = (f.geometry as Point).coordinates;
    const hex = latLngToCell(lat, lon, resolution);
    const b = bins.get(hex) ?? { hex, count: 0, weight: 0 };
    b.count++;
    b.weight += w;
    bins.set(hex, b);
  }
  return [...bins.values()].sort((a, b) => b.weight - a.weight || a.hex.localeCompare(b.hex));
}

const HEAT: readonly RGBA[] = [[255, 237, 160, 150], [254, 178, 76, 180], [253, 141, 60, 200], [240, 59, 32, 220], [189, 0, 38, 235]];

/** Heat colour of a weight relative to the heaviest cell. */
export function heatColour(weight: number, maxWeight: number): RGBA {
  const t = maxWeight > 0 ? Math.min(1, weight / maxWeight) : 0;
  return HEAT[Math.min(HEAT.length - 1, Math.floor(t * HEAT.length))];
}

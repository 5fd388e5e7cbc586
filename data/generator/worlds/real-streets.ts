/**
 * The real street networks of the shared OpenStreetMap extracts (ODbL), read at run time from
 * `<repo>/../shared/data/<name>/problem/` and never copied into the project. A real-streets world keeps the
 * real boundary and streets and lays synthetic households on them (see generate-real.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Position, StreetKind } from './world-types.ts';

export const REAL_SOURCES = ['beijing-haidian-wudaokou', 'beijing-haidian-xueyuanlu', 'shenzhen-longgang-center'] as const;
export type RealSource = (typeof REAL_SOURCES)[number];

const KINDS: ReadonlySet<string> = new Set(['motorway', 'primary', 'secondary', 'tertiary', 'residential', 'service', 'path', 'river', 'rail']);

/** The repository root (this file is data/generator/worlds/real-streets.ts). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** Directory of a shared problem. */
export function realProblemDir(name: RealSource): string {
  return path.resolve(repoRoot(), '../shared/data', name, 'problem');
}

/** Are the shared extracts there? (callers skip real-streets worlds when not) */
export function realDataAvailable(): boolean {
  return REAL_SOURCES.every((n) => existsSync(path.join(realProblemDir(n), 'streets.geojson')));
}

export interface RealData {
  name: RealSource;
  boundaryName: string;
  /** county part of the real code (first 6 characters, digits) */
  county: string;
  /** lon/lat bounds of the boundary: [west, south, east, north] */
  bbox: [number, number, number, number];
  streets: { kind: StreetKind; name?: string; coords: Position[] }[];
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Read a shared problem's boundary (an axis-aligned lon/lat rectangle) and streets. */
export function loadRealData(name: RealSource): RealData {
  const dir = realProblemDir(name);
  const bfile = path.join(dir, 'boundary.geojson'), sfile = path.join(dir, 'streets.geojson');
  if (!existsSync(bfile) || !existsSync(sfile)) {
    throw new Error(`real-streets world: shared data not found at ${dir} (needs ../shared/data beside the repository)`);
  }
  const b = readJson(bfile).features[0];
  if (b.geometry.type !== 'Polygon') throw new Error(`real-streets world: ${bfile} is not a Polygon`);
  const ring: Position[] = b.geometry.coordinates[0];
  const lons = ring.map((p) => p[0]), lats = ring.map((p) => p[1]);
  const bbox: [number, number, number, number] = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  const rectangular = ring.length === 5 && ring.every((p) => (p[0] === bbox[0] || p[0] === bbox[2]) && (p[1] === bbox[1] || p[1] === bbox[3]));
  if (!rectangular) throw new Error(`real-streets world: the boundary of ${name} is not an axis-aligned rectangle`);
  const streets: RealData['streets'] = [];
  for (const f of readJson(sfile).features) {
    const kind = f.properties?.kind;
    if (!KINDS.has(kind)) continue;
    const g = f.geometry;
    const parts: Position[][] = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : [];
    for (const coords of parts) if (coords.length >= 2) streets.push({ kind, name: f.properties.name || undefined, coords });
  }
  const code = String(b.properties?.code ?? '');
  return { name, boundaryName: String(b.properties?.name ?? name), county: /^\d{6}/.test(code) ? code.slice(0, 6) : '110108', bbox, streets };
}

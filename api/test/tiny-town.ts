/**
 * A tiny jurisdiction for route and browser tests, independent of the sample-town generator: a 4 × 4 block
 * street grid (about 1 km × 0.9 km in Haidian, Beijing; fictitious names), a river on the south side, two
 * communities, 48 address points, two units, hazards, cameras, a published plan of four grids and a draft
 * plan of one grid (which must never show on the map).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { importProblemDir } from '../../data/importers/problem-dir.ts';

export const TINY = {
  jcode: '110108990000',
  name: '示例街道',
  communities: ['110108990001', '110108990002'],
  x0: 116.3, y0: 39.98, dx: 0.0025, dy: 0.002, n: 4,
  addressPoints: 48,
  streets: 0, // filled below
  hazards: 3,
  cameras: 3,
  units: 2,
  publishedGrids: 4,
} as const;

type Pos = [number, number];
const X = (i: number) => +(TINY.x0 + i * TINY.dx).toFixed(6);
const Y = (j: number) => +(TINY.y0 + j * TINY.dy).toFixed(6);
const rect = (x0: number, y0: number, x1: number, y1: number): Pos[][] => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];
const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const feat = (geometry: unknown, properties: Record<string, unknown>) => ({ type: 'Feature', geometry, properties });

/** The street lines of the tiny town, with kinds. */
export function tinyStreets(): Array<{ kind: string; name: string; coords: Pos[] }> {
  const out: Array<{ kind: string; name: string; coords: Pos[] }> = [];
  for (let i = 0; i <= TINY.n; i++) {
    const kind = i === 0 || i === TINY.n ? 'primary' : i === 2 ? 'secondary' : 'residential';
    out.push({ kind, name: `示例${i + 1}路`, coords: [[X(i), Y(0)], [X(i), Y(TINY.n)]] });
  }
  for (let j = 0; j <= TINY.n; j++) {
    const kind = j === TINY.n ? 'tertiary' : j === 2 ? 'secondary' : j === 0 ? 'primary' : 'residential';
    out.push({ kind, name: `示例${j + 1}街`, coords: [[X(0), Y(j)], [X(TINY.n), Y(j)]] });
  }
  out.push({ kind: 'path', name: '林间小路', coords: [[X(0) + 0.0005, Y(1) + 0.0004], [X(1) - 0.0004, Y(2) - 0.0005]] });
  out.push({ kind: 'service', name: '', coords: [[X(3) + 0.0008, Y(3)], [X(3) + 0.0008, Y(3) + 0.0012]] });
  out.push({ kind: 'river', name: '示例河', coords: [[X(0) - 0.001, Y(0) - 0.0006], [X(1), Y(0) - 0.0004], [X(2), Y(0) - 0.0007], [X(3), Y(0) - 0.0003], [X(4) + 0.001, Y(0) - 0.0006]] });
  return out;
}

/** Write the tiny town as a partition-problem directory (../shared/FORMAT.md); returns the directory. */
export function writeTinyProblemDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-tiny-'));
  const xm = X(TINY.n / 2);
  writeFileSync(path.join(dir, 'boundary.geojson'), fc([feat({ type: 'Polygon', coordinates: rect(X(0), Y(0), X(TINY.n), Y(TINY.n)) }, { code: TINY.jcode, name: TINY.name })]));
  writeFileSync(path.join(dir, 'communities.geojson'), fc([
    feat({ type: 'Polygon', coordinates: rect(X(0), Y(0), xm, Y(TINY.n)) }, { code: TINY.communities[0], name: '东湖社区' }),
    feat({ type: 'Polygon', coordinates: rect(xm, Y(0), X(TINY.n), Y(TINY.n)) }, { code: TINY.communities[1], name: '西山社区' }),
  ]));
  writeFileSync(path.join(dir, 'streets.geojson'), fc(tinyStreets().map((s) => feat({ type: 'LineString', coordinates: s.coords }, { kind: s.kind, name: s.name || undefined }))));
  const hh: unknown[] = [];
  const sizes = [18, 64, 180];
  for (let i = 0; i < TINY.n; i++) {
    for (let j = 0; j < TINY.n; j++) {
      sizes.forEach((h, k) => {
        const x = X(i) + TINY.dx * (0.25 + 0.25 * k);
        const y = Y(j) + TINY.dy * (0.3 + 0.2 * ((k + i + j) % 3));
        hh.push(feat({ type: 'Point', coordinates: [+x.toFixed(6), +y.toFixed(6)] }, { households: h + ((i * 7 + j * 3) % 11), name: `${i + 1}-${j + 1}-${k + 1}号楼` }));
      });
    }
  }
  writeFileSync(path.join(dir, 'households.geojson'), fc(hh));
  writeFileSync(path.join(dir, 'units.geojson'), fc([
    feat({ type: 'Polygon', coordinates: rect(X(1) + 0.0003, Y(1) + 0.0003, X(2) - 0.0003, Y(2) - 0.0003) }, { code: 'U1', name: '示例小学', kind: 'school' }),
    feat({ type: 'Polygon', coordinates: rect(X(3) + 0.0003, Y(0) + 0.0003, X(4) - 0.0003, Y(1) - 0.0003) }, { code: 'U2', name: '示例机械厂', kind: 'enterprise', dedicated: true }),
  ]));
  writeFileSync(path.join(dir, 'params.json'), JSON.stringify({ min: 400, max: 600 }));
  return dir;
}

export interface TinyTown {
  jcode: string;
  publishedPlanId: number;
  draftPlanId: number;
}

/** Load the tiny town into `db`: the problem directory, then hazards, cameras and two plans. */
export async function loadTinyTown(db: Kysely<DB>): Promise<TinyTown> {
  const dir = writeTinyProblemDir();
  try {
    await importProblemDir(db, dir, { jcode: TINY.jcode });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const jcode = TINY.jcode;
  await bulkInsert(db, 'hazards', [
    { name: 'jcode', kind: 'text' }, { name: 'kind', kind: 'text' }, { name: 'severity', kind: 'integer' },
    { name: 'status', kind: 'text' }, { name: 'description', kind: 'text' }, { name: 'geom', kind: 'geometry' },
  ], [
    { jcode, kind: 'fire', severity: 4, status: 'open', description: '楼道堆物', geom: { type: 'Point', coordinates: [X(1) + 0.001, Y(2) + 0.0012] } },
    { jcode, kind: 'flood', severity: 2, status: 'handling', description: '低洼积水', geom: { type: 'Point', coordinates: [X(3) + 0.0012, Y(0) + 0.0005] } },
    { jcode, kind: 'construction', severity: 3, status: 'open', description: '施工区域', geom: { type: 'Polygon', coordinates: rect(X(2) + 0.0004, Y(3) + 0.0004, X(2) + 0.0014, Y(3) + 0.0012) } },
  ]);
  await bulkInsert(db, 'cameras', [
    { name: 'jcode', kind: 'text' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'bearing', kind: 'double precision' },
    { name: 'fov', kind: 'double precision' }, { name: 'range_m', kind: 'double precision' }, { name: 'geom', kind: 'geometry' },
  ], [0, 1, 2].map((k) => ({ jcode, code: `C${k + 1}`, name: `${k + 1}号探头`, bearing: 90 * k, fov: 60, range_m: 60, geom: { type: 'Point', coordinates: [X(k + 1), Y(k + 1)] } })));

  const published = await db.insertInto('grid_plans')
    .values({ jcode, name: '四格方案', status: 'published', method: 'test', params: '{}', summary: '{}', published_at: new Date().toISOString() })
    .returning('id').executeTakeFirstOrThrow();
  const draft = await db.insertInto('grid_plans')
    .values({ jcode, name: '草稿', status: 'draft', method: 'test', params: '{}', summary: '{}' })
    .returning('id').executeTakeFirstOrThrow();
  const half = TINY.n / 2;
  const quads: Array<[number, number]> = [[0, 0], [half, 0], [0, half], [half, half]];
  await bulkInsert(db, 'grids', [
    { name: 'jcode', kind: 'text' }, { name: 'plan_id', kind: 'bigint' }, { name: 'code', kind: 'text' }, { name: 'community_code', kind: 'text' },
    { name: 'households', kind: 'integer' }, { name: 'geom', kind: 'geometry' },
  ], [
    ...quads.map(([i, j], k) => ({
      jcode, plan_id: Number(published.id), code: `${TINY.communities[i === 0 ? 0 : 1]}${String(k + 1).padStart(3, '0')}`,
      community_code: TINY.communities[i === 0 ? 0 : 1], households: 1000 + k,
      geom: { type: 'MultiPolygon', coordinates: [rect(X(i), Y(j), X(i + half), Y(j + half))] },
    })),
    { jcode, plan_id: Number(draft.id), code: 'DRAFT001', community_code: null, households: 1, geom: { type: 'MultiPolygon', coordinates: [rect(X(0), Y(0), X(1), Y(1))] } },
  ]);
  return { jcode, publishedPlanId: Number(published.id), draftPlanId: Number(draft.id) };
}

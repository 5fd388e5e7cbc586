/**
 * Render one vector tile (Mapbox Vector Tile 2.1, extent 4096, buffer 64) of a tile set, on either engine:
 * - native PostGIS with protobuf (capabilities().mvt): ONE statement, `ST_AsMVTGeom` + `ST_AsMVT` per layer,
 *   the layers' bytes concatenated, each layer cut at TILE_FEATURE_LIMIT features;
 * - embedded PostGIS (built without protobuf): the same rows as GeoJSON clipped to the buffered tile
 *   (`ST_ClipByBox2D`), read in steps (a tile of the whole town is an open, heavy read: lookups go between its
 *   FETCHes, data/db/read-in-steps.ts), cut into the tile by geojson-vt and encoded by vt-pbf.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import GeoJSONVT from 'geojson-vt';
import vtpbf from 'vt-pbf';
import { capabilitiesOf } from '../../data/db/capabilities.ts';
import { PREPARED_MARKER } from '../../data/db/connect.ts';
import { readInSteps } from '../../data/db/read-in-steps.ts';
import { TILE_FEATURE_LIMIT, type TileLayerDef } from './tile-layers.ts';

export const EXTENT = 4096;
export const BUFFER = 64;

export interface TileAddress { z: number; x: number; y: number }

/** WGS-84 bounds [w, s, e, n] of a tile, widened by `margin` tile widths. */
export function tileBounds({ z, x, y }: TileAddress, margin = 0): [number, number, number, number] {
  const n = 2 ** z;
  const lon = (v: number) => (v / n) * 360 - 180;
  const lat = (v: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * v) / n))) * 180) / Math.PI;
  const clampX = (v: number) => Math.max(0, Math.min(n, v));
  return [lon(clampX(x - margin)), lat(clampX(y + 1 + margin)), lon(clampX(x + 1 + margin)), lat(clampX(y - margin))];
}

/** The layers of a set that a tile at zoom z carries. */
export function layersAt(layers: readonly TileLayerDef[], z: number): TileLayerDef[] {
  return layers.filter((l) => z >= l.minzoom);
}

/** The one native statement of a tile (exported so the benchmark can time the bare SQL). */
export function nativeTileSql(layers: readonly TileLayerDef[], t: TileAddress, limit = TILE_FEATURE_LIMIT): RawBuilder<{ tile: Uint8Array | null }> {
  const parts = layers.map((l) => {
    const cols = l.columns.map(([name, expr]) => sql`${expr} AS ${sql.id(name)}`);
    if (l.id) cols.push(sql`${l.id} AS "__fid"`);
    return sql`(SELECT coalesce(ST_AsMVT(q, ${l.name}, ${EXTENT}::int, 'geom'${l.id ? sql`, '__fid'` : sql``}), ''::bytea) FROM (
        SELECT ${sql.join(cols)}, ST_AsMVTGeom(ST_Transform(t.geom, 3857), env.e, ${EXTENT}::int, ${BUFFER}::int, true) AS geom
        FROM ${l.from}, env WHERE t.geom && env.w ${l.where ? sql`AND ${l.where}` : sql``}
        LIMIT ${limit}::int) q WHERE q.geom IS NOT NULL)`;
  });
  return sql<{ tile: Uint8Array | null }>`${sql.raw(PREPARED_MARKER)}
    WITH env AS (SELECT ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int) AS e,
      ST_Transform(ST_TileEnvelope(${t.z}::int, ${t.x}::int, ${t.y}::int, margin => ${BUFFER / EXTENT}::float8), 4326) AS w)
    SELECT ${parts.length ? sql.join(parts, sql` || `) : sql`''::bytea`} AS tile`;
}

async function nativeTile(db: Kysely<any>, layers: readonly TileLayerDef[], t: TileAddress): Promise<Uint8Array> {
  const { rows } = await nativeTileSql(layers, t).execute(db);
  const b = rows[0]?.tile;
  return b ? new Uint8Array(b) : new Uint8Array(0);
}

interface GeoRow { g: string | null; p: string; fid: number | null }

async function embeddedTile(db: Kysely<any>, layers: readonly TileLayerDef[], t: TileAddress): Promise<Uint8Array> {
  const [w, s, e, n] = tileBounds(t, BUFFER / EXTENT);
  const box = sql`ST_MakeEnvelope(${w}::float8, ${s}::float8, ${e}::float8, ${n}::float8, 4326)`;
  const out: Record<string, { features: unknown[] }> = {};
  for (const l of layers) {
    const props = sql`json_build_object(${sql.join(l.columns.map(([name, expr]) => sql`${name}::text, ${expr}`))})`;
    const geom = l.kind === 'point' ? sql`t.geom` : sql`ST_ClipByBox2D(t.geom, ${box}::box2d)`;
    const rows = await readInSteps(db, sql<GeoRow>`
      SELECT ST_AsGeoJSON(${geom}, 9) AS g, ${props}::text AS p, ${l.id ?? sql`NULL::bigint`} AS fid
      FROM ${l.from} WHERE t.geom && ${box} ${l.where ? sql`AND ${l.where}` : sql``}
      LIMIT ${TILE_FEATURE_LIMIT}::int`);
    const features: unknown[] = [];
    for (const r of rows) {
      if (!r.g) continue;
      const geometry = JSON.parse(r.g) as { type: string; coordinates?: unknown; geometries?: unknown[] };
      if ((geometry.coordinates as unknown[] | undefined)?.length === 0 || geometry.type === 'GeometryCollection') continue;
      const raw = JSON.parse(r.p) as Record<string, unknown>;
      const properties: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) if (v !== null && v !== undefined) properties[k] = v;
      features.push({ type: 'Feature', id: r.fid === null ? undefined : Number(r.fid), geometry, properties });
    }
    const index = new GeoJSONVT({ type: 'FeatureCollection', features } as any, { maxZoom: t.z, indexMaxZoom: Math.min(t.z, 5), extent: EXTENT, buffer: BUFFER, tolerance: 1 });
    const tile = index.getTile(t.z, t.x, t.y);
    out[l.name] = { features: tile ? tile.features : [] };
  }
  return vtpbf.fromGeojsonVt(out, { version: 2, extent: EXTENT });
}

/** The tile's bytes (uncompressed MVT); layers below their minzoom are left out. */
export async function renderTile(db: Kysely<any>, layers: readonly TileLayerDef[], t: TileAddress): Promise<Uint8Array> {
  const carried = layersAt(layers, t.z);
  if (carried.length === 0) return new Uint8Array(0);
  const caps = await capabilitiesOf(db);
  return caps.mvt ? nativeTile(db, carried, t) : embeddedTile(db, carried, t);
}

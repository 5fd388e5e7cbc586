/**
 * Vector tiles: GET /tiles/{set}/{z}/{x}/{y}.mvt and TileJSON 3.0 at GET /tiles/{set}.json, for the sets
 * of api/tiles/tile-layers.ts (grids, blocks, streets, buildings, hazards, cameras, tracks, basemap).
 * Caching: each tile's ETag is "<set>.<version>.<z>.<x>.<y>" where the version follows the published plans
 * (id + version) for plan layers and the data generation for the others; TileJSON puts the version in the
 * tile URLs (`?v=`), and a tile asked for with the current `v` may be cached for a day (immutable). The service keeps
 * the tiles it rendered by their ETag for a minute (api/answer-cache.ts): the same tile again costs no database work.
 */
import { Router, type Request } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { PLAN_LAYERS } from '../tiles/layer-versions.ts';
import { renderTile } from '../tiles/render-tile.ts';
import { TILE_SET_NAMES, TILE_SETS } from '../tiles/tile-layers.ts';
import { dataExtent } from '../ogc/collections.ts';
import { optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';

export const MAX_ZOOM = 22;
export const MVT_TYPE = 'application/vnd.mapbox-vector-tile';
/** How long a rendered tile is served again from memory, ms. */
export const TILE_KEEP_MS = 60_000;

function tileSet(name: string) {
  const layers = TILE_SETS[name];
  if (!layers) throw new WanggeError('bad_request', `unknown tile layer ${JSON.stringify(name.slice(0, 40))}; layers: ${TILE_SET_NAMES.join(', ')}`, { parameter: 'layer' });
  return layers;
}

function coord(raw: string, name: 'z' | 'x' | 'y', max: number): number {
  if (!/^\d{1,8}$/.test(raw)) throw new WanggeError('bad_request', `${name} must be a non-negative integer, got ${JSON.stringify(raw.slice(0, 20))}`, { parameter: name });
  const v = Number(raw);
  if (v > max) throw new WanggeError('bad_request', `${name} ${v} is above ${max}`, { parameter: name });
  return v;
}

const hasPlanLayer = (set: string) => TILE_SETS[set].some((l) => PLAN_LAYERS.has(l.name));

export function tilesRouter(ctx: RouteContext): Router {
  const r = Router();
  // absolute tile URLs from PUBLIC_URL or the listen address, never the Host header (issue 17)
  const base = (_req: Request) => ctx.publicBase();

  r.get('/tiles/:layer.json', async (req, res) => {
    const name = req.params.layer;
    const layers = tileSet(name);
    const version = await ctx.layerVersions.of(name, hasPlanLayer(name));
    const bounds = await dataExtent(ctx.db);
    res.set('Cache-Control', 'no-cache').json({
      tilejson: '3.0.0',
      name: `wangge-${name}`,
      version: '1.0.0',
      attribution: 'Wangge 网格',
      scheme: 'xyz',
      tiles: [`${base(req)}/tiles/${name}/{z}/{x}/{y}.mvt?v=${version}`],
      minzoom: Math.min(...layers.map((l) => l.minzoom)),
      maxzoom: MAX_ZOOM,
      bounds,
      center: [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 13],
      vector_layers: layers.map((l) => ({ id: l.name, description: l.description, minzoom: l.minzoom, maxzoom: MAX_ZOOM, fields: l.fields })),
    });
  });

  r.get('/tiles/:layer/:z/:x/:y.mvt', async (req, res) => {
    const name = req.params.layer;
    const layers = tileSet(name);
    const z = coord(req.params.z, 'z', MAX_ZOOM);
    const x = coord(req.params.x, 'x', 2 ** z - 1);
    const y = coord(req.params.y, 'y', 2 ** z - 1);
    const version = await ctx.layerVersions.of(name, hasPlanLayer(name));
    const etag = `"${name}.${version}.${z}.${x}.${y}"`;
    const pinned = optionalString(req.query, 'v') === version;
    res.set('ETag', etag).set('Cache-Control', pinned ? 'public, max-age=86400, immutable' : 'no-cache').set('Vary', 'Accept-Encoding');
    const inm = req.get('If-None-Match');
    if (inm && inm.split(',').map((s) => s.trim()).includes(etag)) {
      res.status(304).end();
      return;
    }
    // the tile its ETag names, rendered once a minute at most while that version lasts (a tile of the whole town is an
    // open, heavy read); the minute bounds how long a write by another process on a server engine goes unseen
    const body = await ctx.answers.get(`tile:${etag}`, async () => {
      const bytes = await renderTile(ctx.db, layers, { z, x, y });
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }, TILE_KEEP_MS);
    res.type(MVT_TYPE).send(body);
  });

  return r;
}

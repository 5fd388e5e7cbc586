/**
 * OGC API – Features – Part 1: Core, GeoJSON, OpenAPI 3.0 (https://docs.ogc.org/is/17-069r4/17-069r4.html):
 *   GET /ogc                                  landing page
 *   GET /ogc/conformance                      conformance classes
 *   GET /ogc/collections                      the collections (api/ogc/collections.ts)
 *   GET /ogc/collections/{id}                 one collection
 *   GET /ogc/collections/{id}/items           bbox, limit (clamped to 10,000), offset, jcode; next/prev links,
 *                                             numberMatched / numberReturned
 *   GET /ogc/collections/{id}/items/{fid}     one feature
 * Links are absolute, as GDAL's OAPIF driver follows them: built from PUBLIC_URL, else the listen address, never
 * from the request's Host header (which any client sets: it would be echoed into every link; issue 17).
 */
import { Router, type Request } from 'express';
import { WanggeError } from '../../spatial/errors.ts';
import { COLLECTIONS, collectionById, dataExtent, readItem, readItems, type CollectionDef } from '../ogc/collections.ts';
import { bboxParam, jcodeParam, limitParam, optionalString } from './query-params.ts';
import type { RouteContext } from './context.ts';

export const OGC_LIMIT_DEFAULT = 100;
export const OGC_LIMIT_MAX = 10_000;
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];
const GEOJSON = 'application/geo+json';

function collectionJson(b: string, c: CollectionDef, bbox: number[]) {
  return {
    id: c.id, title: c.title, description: c.description, itemType: 'feature', crs: [CRS84],
    extent: { spatial: { bbox: [bbox], crs: CRS84 } },
    links: [
      { href: `${b}/ogc/collections/${c.id}`, rel: 'self', type: 'application/json', title: c.title },
      { href: `${b}/ogc/collections/${c.id}/items`, rel: 'items', type: GEOJSON, title: `${c.title} (GeoJSON)` },
    ],
  };
}

function collection(id: string): CollectionDef {
  const c = collectionById(id);
  if (!c) throw new WanggeError('not_found', `no collection ${JSON.stringify(id.slice(0, 40))}; collections: ${COLLECTIONS.map((x) => x.id).join(', ')}`, { parameter: 'collectionId' });
  return c;
}

function formatParam(req: Request): void {
  const f = optionalString(req.query, 'f');
  if (f !== undefined && !['json', 'geojson'].includes(f)) throw new WanggeError('bad_request', 'f must be json (only JSON is served)', { parameter: 'f' });
}

export function ogcRouter(ctx: RouteContext): Router {
  const r = Router();
  const base = (_req: Request) => ctx.publicBase();

  r.get('/ogc', (req, res) => {
    formatParam(req);
    const b = base(req);
    res.json({
      title: 'Wangge 网格 OGC API – Features',
      description: 'Grids, blocks, streets, units, hazards and cameras of Wangge; no personal data.',
      links: [
        { href: `${b}/ogc`, rel: 'self', type: 'application/json', title: 'this document' },
        { href: `${b}/api/openapi.json`, rel: 'service-desc', type: 'application/vnd.oai.openapi+json;version=3.0', title: 'the API definition' },
        { href: `${b}/ogc/conformance`, rel: 'conformance', type: 'application/json', title: 'conformance classes' },
        { href: `${b}/ogc/collections`, rel: 'data', type: 'application/json', title: 'feature collections' },
      ],
    });
  });

  r.get('/ogc/conformance', (req, res) => {
    formatParam(req);
    res.json({ conformsTo: CONFORMANCE });
  });

  r.get('/ogc/collections', async (req, res) => {
    formatParam(req);
    const b = base(req);
    const bbox = await dataExtent(ctx.db);
    res.json({
      links: [{ href: `${b}/ogc/collections`, rel: 'self', type: 'application/json' }],
      collections: COLLECTIONS.map((c) => collectionJson(b, c, bbox)),
    });
  });

  r.get('/ogc/collections/:collectionId', async (req, res) => {
    formatParam(req);
    const c = collection(req.params.collectionId);
    res.json(collectionJson(base(req), c, await dataExtent(ctx.db)));
  });

  r.get('/ogc/collections/:collectionId/items', async (req, res) => {
    formatParam(req);
    const c = collection(req.params.collectionId);
    const bbox = bboxParam(req.query);
    const limit = limitParam(req.query, OGC_LIMIT_DEFAULT, OGC_LIMIT_MAX);
    const offRaw = optionalString(req.query, 'offset') ?? '0';
    if (!/^\d{1,9}$/.test(offRaw)) throw new WanggeError('bad_request', 'offset must be a non-negative integer', { parameter: 'offset' });
    const offset = Number(offRaw);
    const jcode = optionalString(req.query, 'jcode') === undefined ? undefined : jcodeParam(req.query);
    const page = await readItems(ctx.db, c, { bbox, jcode, limit, offset });
    const b = base(req);
    const url = (off: number) => {
      const u = new URLSearchParams();
      if (bbox) u.set('bbox', bbox.join(','));
      if (jcode) u.set('jcode', jcode);
      u.set('limit', String(limit));
      u.set('offset', String(off));
      return `${b}/ogc/collections/${c.id}/items?${u}`;
    };
    const links: Array<Record<string, string>> = [
      { href: url(offset), rel: 'self', type: GEOJSON, title: 'this page' },
      { href: `${b}/ogc/collections/${c.id}`, rel: 'collection', type: 'application/json', title: c.title },
    ];
    if (offset + page.features.length < page.numberMatched) links.push({ href: url(offset + limit), rel: 'next', type: GEOJSON, title: 'next page' });
    if (offset > 0) links.push({ href: url(Math.max(0, offset - limit)), rel: 'prev', type: GEOJSON, title: 'previous page' });
    const body = `{"type":"FeatureCollection","timeStamp":${JSON.stringify(new Date().toISOString())},"numberMatched":${page.numberMatched},`
      + `"numberReturned":${page.features.length},"links":${JSON.stringify(links)},"features":[${page.features.join(',')}]}`;
    res.type(GEOJSON).send(body);
  });

  r.get('/ogc/collections/:collectionId/items/:featureId', async (req, res) => {
    formatParam(req);
    const c = collection(req.params.collectionId);
    const fid = req.params.featureId;
    if (fid.length > 64) throw new WanggeError('not_found', 'no such feature', { parameter: 'featureId' });
    const f = await readItem(ctx.db, c, fid);
    if (!f) throw new WanggeError('not_found', `no feature ${JSON.stringify(fid)} in ${c.id}`, { parameter: 'featureId' });
    const b = base(req);
    const links = [
      { href: `${b}/ogc/collections/${c.id}/items/${encodeURIComponent(fid)}`, rel: 'self', type: GEOJSON },
      { href: `${b}/ogc/collections/${c.id}`, rel: 'collection', type: 'application/json' },
    ];
    res.type(GEOJSON).send(`${f.slice(0, -1)},"links":${JSON.stringify(links)}}`);
  });

  return r;
}

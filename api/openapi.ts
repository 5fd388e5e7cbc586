/**
 * The OpenAPI 3.0 description of every route of the service (served at /api/openapi.json). Hand-written;
 * a test walks the express router and checks each route is described here.
 */
import { OGC_LIMIT_DEFAULT, OGC_LIMIT_MAX } from './routes/ogc.ts';
import { TILE_SET_NAMES } from './tiles/tile-layers.ts';
import { LAYER_NAMES } from './repos/layers.ts';
import { AUTH_PATHS } from './auth/openapi-auth.ts';
import { EXPECTED_PATROLS_PER_DAY, PATROL_MIN_SHARE } from './repos/wall-figures.ts';
import { EXPECTED_PATROLS_MAX } from './routes/wall-figures.ts';
import { EVENTS_PATHS } from './routes/events-openapi.ts';
import { EMERGENCY_PATHS } from './routes/emergency-openapi.ts';

type Obj = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (description: string, schema: Obj = { type: 'object' }, headers?: Obj) => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } });
const geojson = (description: string, schema: Obj = ref('FeatureCollection')) => ({ description, content: { 'application/geo+json': { schema } } });
const q = (name: string, description: string, schema: Obj = { type: 'string' }, required = false) => ({ name, in: 'query', required, description, schema });
const p = (name: string, description: string, schema: Obj = { type: 'string' }) => ({ name, in: 'path', required: true, description, schema });
const errors = { 400: problemResponse('bad parameter (where.parameter names it)'), 404: problemResponse('unknown resource') };
const bearer = [{ bearer: [] }];
/** the answers of a route that computes for seconds (issue 17): an account of the jurisdiction, bounded input, one at a time */
const heavy = {
  401: problemResponse('no account: validation and repair need an admin, planner or commander account'), 403: problemResponse('another role or jurisdiction'),
  413: problemResponse('body larger than 20 MB, more features or positions than LAYER_MAX_FEATURES / LAYER_MAX_VERTICES / FEATURE_MAX_VERTICES, or longer than REQUEST_TIMEOUT_MS'),
  429: problemResponse('another heavy request is running (Retry-After)'),
};

const jcodeP = p('jcode', 'jurisdiction code', { type: 'string', pattern: '^[0-9A-Za-z_-]{1,32}$' });
const planIdP = p('planId', 'plan id', { type: 'integer', minimum: 1 });
const jcodeQ = q('jcode', 'jurisdiction code', { type: 'string' }, true);
const bboxQ = q('bbox', 'minLon,minLat,maxLon,maxLat (WGS-84); inverted or out-of-range boxes are refused with 400', { type: 'string' });
const ifMatch = { name: 'If-Match', in: 'header', required: true, description: 'the plan version you read (its ETag), e.g. "3"', schema: { type: 'string' } };
const etag = { ETag: { description: 'the plan version, quoted', schema: { type: 'string' } } };
const accepted = { description: 'job accepted', headers: { Location: { description: '/api/jobs/{id}', schema: { type: 'string' } } }, content: { 'application/json': { schema: ref('Job') } } };

/** The document (a fresh object each call). */
export function openApiDocument(version: string): Obj {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Wangge 网格 API', version,
      description: 'REST API, OGC API – Features and vector tiles of Wangge. Errors are application/problem+json '
        + '{type, title, status, code, detail, where{parameter, featureIndex, gridCode, file, line, field}}. '
        + 'NUL bytes, control characters and broken Unicode in a path, query or JSON body are refused with 400. '
        + 'URL scheme: plans nest under their jurisdiction (/api/jurisdictions/{jcode}/plans/{planId}/…); jobs, grids, lookup at /api; OGC at /ogc; tiles at /tiles.',
    },
    servers: [{ url: '/' }],
    tags: [{ name: 'service' }, { name: 'jurisdictions' }, { name: 'plans' }, { name: 'jobs' }, { name: 'grids' }, { name: 'ogc' }, { name: 'tiles' }],
    paths: {
      ...AUTH_PATHS,
      ...EVENTS_PATHS,
      ...EMERGENCY_PATHS,
      '/api/health': { get: { tags: ['service'], summary: 'engine, capabilities, versions', responses: { 200: json('ok') } } },
      '/api/openapi.json': { get: { tags: ['service'], summary: 'this document', responses: { 200: json('OpenAPI 3.0 document') } } },
      '/api/jurisdictions': { get: { tags: ['jurisdictions'], summary: 'loaded jurisdictions with their townships and communities nested', responses: { 200: json('forest') } } },
      '/api/jurisdictions/{jcode}': { get: { tags: ['jurisdictions'], summary: 'one jurisdiction', parameters: [jcodeP], responses: { 200: json('jurisdiction'), ...errors } } },
      '/api/jurisdictions/{jcode}/wall-figures': {
        get: {
          tags: ['jurisdictions'],
          summary: "the wall screen's key figures and per-grid patrol compliance (aggregates only; no login needed, an account of another jurisdiction gets 403)",
          description: 'Grids of the published plan; workers = distinct people (name and phone) among their staff; households = sum over the grids; '
            + 'patrolsToday = patrol tracks of `day`; openHazards = hazards not closed. Per grid: households, open hazards (by point on surface), '
            + `patrols (tracks of \`day\` with at least ${PATROL_MIN_SHARE * 100}% of their length in the grid) and compliance = min(1, patrols / expected). \`day\` in the answer is the day the patrol `
            + 'figures are of: the requested day if it has tracks, else the latest earlier day that has, else the latest day that has (null: no tracks).',
          parameters: [jcodeP, q('day', 'YYYY-MM-DD (default today on the server)', { type: 'string', format: 'date' }),
            q('expected', `patrols expected per grid per day (default ${EXPECTED_PATROLS_PER_DAY})`, { type: 'integer', minimum: 1, maximum: EXPECTED_PATROLS_MAX, default: EXPECTED_PATROLS_PER_DAY })],
          responses: { 200: json('figures', ref('WallFigures')), ...errors, 403: problemResponse('the account works in another jurisdiction') },
        },
      },
      '/api/layers/{layer}.geojson': {
        get: {
          tags: ['jurisdictions'], summary: 'one map layer of a jurisdiction (no personal data)',
          parameters: [p('layer', 'layer', { type: 'string', enum: [...LAYER_NAMES] }), jcodeQ, bboxQ, q('limit', 'most features (clamped)', { type: 'integer', minimum: 1 })],
          responses: { 200: geojson('features'), ...errors },
        },
      },
      '/api/jurisdictions/{jcode}/plans': {
        get: { tags: ['plans'], summary: 'plans of a jurisdiction, newest first', parameters: [jcodeP], responses: { 200: json('plans', { type: 'object', properties: { plans: { type: 'array', items: ref('Plan') } } }), ...errors } },
        post: {
          tags: ['plans'], summary: 'partition the jurisdiction into a new draft plan (a job)', parameters: [jcodeP],
          requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { min: { type: 'integer', default: 400 }, max: { type: 'integer', default: 600 }, seed: { type: 'integer', default: 1 }, name: { type: 'string' } } } } } },
          responses: { 202: accepted, ...errors },
        },
      },
      '/api/jurisdictions/{jcode}/plans/{planId}': { get: { tags: ['plans'], summary: 'one plan (ETag: its version)', parameters: [jcodeP, planIdP], responses: { 200: json('plan', ref('Plan'), etag), ...errors } } },
      '/api/jurisdictions/{jcode}/plans/{planId}/grids.geojson': { get: { tags: ['plans'], summary: 'grids of a plan', parameters: [jcodeP, planIdP], responses: { 200: geojson('grids'), ...errors } } },
      '/api/jurisdictions/{jcode}/plans/{planId}/blocks.geojson': { get: { tags: ['plans'], summary: 'blocks of a plan with their grid (what edits move)', parameters: [jcodeP, planIdP], responses: { 200: geojson('blocks'), ...errors } } },
      '/api/jurisdictions/{jcode}/plans/{planId}/export.{format}': {
        get: {
          tags: ['plans'], summary: 'grids of a plan as a file to download: GeoJSON, GeoPackage (table grids), zipped Shapefile (UTF-8 .dbf) or KML',
          parameters: [jcodeP, planIdP, p('format', 'file format', { type: 'string', enum: ['geojson', 'gpkg', 'shp.zip', 'kml'] })],
          responses: {
            200: {
              description: 'the file (Content-Disposition: attachment)',
              content: {
                'application/geo+json': { schema: ref('FeatureCollection') }, 'application/geopackage+sqlite3': { schema: { type: 'string', format: 'binary' } },
                'application/zip': { schema: { type: 'string', format: 'binary' } }, 'application/vnd.google-earth.kml+xml': { schema: { type: 'string' } },
              },
            },
            ...errors,
          },
        },
      },
      '/api/jurisdictions/{jcode}/plans/{planId}/diff': {
        get: {
          tags: ['plans'], summary: 'blocks and households that changed grid from plan `against` to this plan; moved blocks as GeoJSON',
          parameters: [jcodeP, planIdP, q('against', 'the earlier plan', { type: 'integer' }, true)], responses: { 200: json('diff', ref('PlanDiff')), ...errors },
        },
      },
      '/api/jurisdictions/{jcode}/plans/{planId}/edits': {
        post: {
          tags: ['plans'], summary: 'edit a draft: move blocks, split a grid, merge two grids; recomputes geometry and households, bumps the version',
          parameters: [jcodeP, planIdP, ifMatch],
          requestBody: { required: true, content: { 'application/json': { schema: ref('PlanEdit') } } },
          responses: {
            200: json('edited; ETag is the new version', { type: 'object' }, etag), ...errors,
            409: problemResponse('the plan is published or archived'), 412: problemResponse('stale If-Match: nothing was written'),
          },
        },
      },
      '/api/jurisdictions/{jcode}/plans/{planId}/copy': { post: { tags: ['plans'], summary: 'copy a plan into a new draft', parameters: [jcodeP, planIdP], responses: { 201: json('the new draft', ref('Plan'), etag), ...errors } } },
      '/api/jurisdictions/{jcode}/plans/{planId}/publish': {
        post: {
          tags: ['plans'], summary: 'publish the plan (the one before is archived); tiles of plan layers get a new version',
          parameters: [jcodeP, planIdP, { ...ifMatch, required: false }], responses: { 200: json('published plan', ref('Plan'), etag), ...errors, 412: problemResponse('stale If-Match') },
        },
      },
      '/api/jurisdictions/{jcode}/plans/{planId}/validate': { post: { tags: ['plans'], summary: 'validate a stored plan (report of located issues); needs an account', security: bearer, parameters: [jcodeP, planIdP], responses: { 200: json('report'), ...errors, ...heavy } } },
      '/api/jurisdictions/{jcode}/validate': {
        post: {
          tags: ['plans'], summary: 'validate an uploaded grid layer (GeoJSON in WGS-84 on the jurisdiction, up to 20 MB and the layer limits); needs an account', parameters: [jcodeP],
          security: bearer,
          requestBody: { required: true, content: { 'application/geo+json': { schema: ref('FeatureCollection') } } },
          responses: { 200: json('report'), ...errors, ...heavy },
        },
      },
      '/api/jurisdictions/{jcode}/repair': {
        post: {
          tags: ['plans'], summary: 'repair an uploaded grid layer: gaps, overlaps, slivers and invalid rings; households never dropped (nothing stored); needs an account', parameters: [jcodeP],
          security: bearer,
          requestBody: { required: true, content: { 'application/geo+json': { schema: ref('FeatureCollection') } } },
          responses: { 200: json('{layer, changes, summary}'), ...errors, ...heavy },
        },
      },
      '/api/jurisdictions/{jcode}/merge': {
        post: {
          tags: ['jobs'], summary: '多网合一: merge departmental layers into comprehensive grids as a job (a new draft plan; crosswalk, roster, conflicts and fidelity in the job result); needs a planner or admin', parameters: [jcodeP],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['layers'], properties: {
            layers: { type: 'array', items: { type: 'object', required: ['name', 'features'], properties: { name: { type: 'string' }, features: { type: 'array', items: { type: 'object' } } } } },
            min: { type: 'integer' }, max: { type: 'integer' }, seed: { type: 'integer' } } } } } },
          responses: { 202: json('job started'), ...errors },
        },
      },
      '/api/jurisdictions/{jcode}/imports': {
        post: {
          tags: ['jobs'], summary: 'import an uploaded file (GeoJSON, CSV, OSM, PBF, GeoPackage) as a job', parameters: [jcodeP],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object', required: ['file'],
                  properties: {
                    file: { type: 'string', format: 'binary' }, format: { type: 'string' }, layer: { type: 'string' }, crs: { type: 'string' },
                    encoding: { type: 'string' }, table: { type: 'string' }, replace: { type: 'boolean' }, append: { type: 'boolean' }, create: { type: 'string', description: 'create the jurisdiction with this name' },
                  },
                },
              },
            },
          },
          responses: { 202: accepted, ...errors, 413: problemResponse('file larger than UPLOAD_LIMIT_MB') },
        },
      },
      '/api/jobs': { get: { tags: ['jobs'], summary: "jobs of this service process, newest first (an account's own jurisdiction only)", security: bearer, parameters: [q('jcode', 'only this jurisdiction')], responses: { 200: json('jobs'), 401: problemResponse('no account'), 403: problemResponse('another jurisdiction') } } },
      '/api/jobs/{id}': { get: { tags: ['jobs'], summary: "poll a job (its id is the capability; a merge roster's names and phones are masked unless an admin or planner of the jurisdiction reads it)", parameters: [p('id', 'job id', { type: 'string', format: 'uuid' })], responses: { 200: json('job', ref('Job')), ...errors } } },
      '/api/jobs/{id}/events': {
        get: {
          tags: ['jobs'], summary: 'Server-Sent Events: `progress` events, then one `done` event (failed jobs: with their problem and reason), then the stream ends', parameters: [p('id', 'job id', { type: 'string', format: 'uuid' })],
          responses: { 200: { description: 'event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors },
        },
      },
      '/api/grids/{code}/bundle': {
        get: {
          tags: ['grids'], summary: "a grid's one-map bundle: boundary, household counts by tag, staff, service phone, hazards, cameras, the day's patrol tracks. "
            + 'Without an account of the jurisdiction: staff names masked, no personal phones (servicePhone instead), patrolCount but no tracks (`view` says which)',
          parameters: [p('code', 'grid code'), jcodeQ, q('planId', 'a plan (default: the published one)', { type: 'integer' }), q('day', 'YYYY-MM-DD of the patrol tracks (default today)', { type: 'string', format: 'date' })],
          responses: { 200: json('bundle'), ...errors },
        },
      },
      '/api/lookup': {
        get: {
          tags: ['grids'], summary: "grid (with its servicePhone), community, township, jurisdiction and staff contacts at a position, or address points matching a text; "
            + 'without an account of the jurisdiction staff names are masked and their phones left out',
          parameters: [
            q('lon', 'longitude (-180..180)', { type: 'number' }), q('lat', 'latitude (-90..90)', { type: 'number' }),
            q('crs', 'crs of lon/lat', { type: 'string', enum: ['wgs84', 'gcj02', 'bd09'], default: 'wgs84' }),
            q('q', 'address text (instead of lon/lat)'), q('jcode', 'with q: only this jurisdiction'), q('limit', 'with q: most matches (clamped to 50)', { type: 'integer' }),
          ],
          responses: { 200: json('what is there'), ...errors },
        },
      },
      '/ogc': { get: { tags: ['ogc'], summary: 'OGC API – Features landing page', responses: { 200: json('landing page') } } },
      '/ogc/conformance': { get: { tags: ['ogc'], summary: 'conformance classes', responses: { 200: json('conformance') } } },
      '/ogc/collections': { get: { tags: ['ogc'], summary: 'feature collections', responses: { 200: json('collections') } } },
      '/ogc/collections/{collectionId}': { get: { tags: ['ogc'], summary: 'one collection', parameters: [p('collectionId', 'collection', { type: 'string', enum: ['grids', 'blocks', 'streets', 'units', 'hazards', 'cameras'] })], responses: { 200: json('collection'), ...errors } } },
      '/ogc/collections/{collectionId}/items': {
        get: {
          tags: ['ogc'], summary: 'features of a collection, paged by next links',
          parameters: [
            p('collectionId', 'collection', { type: 'string' }), bboxQ,
            { name: 'limit', in: 'query', required: false, style: 'form', explode: false, schema: { type: 'integer', minimum: 1, maximum: OGC_LIMIT_MAX, default: OGC_LIMIT_DEFAULT } },
            q('offset', 'features to skip', { type: 'integer', minimum: 0 }), q('jcode', 'only this jurisdiction'),
          ],
          responses: { 200: geojson('features with numberMatched, numberReturned and links'), ...errors },
        },
      },
      '/ogc/collections/{collectionId}/items/{featureId}': {
        get: { tags: ['ogc'], summary: 'one feature', parameters: [p('collectionId', 'collection'), p('featureId', 'feature id')], responses: { 200: geojson('feature', ref('Feature')), ...errors } },
      },
      '/tiles/{layer}.json': { get: { tags: ['tiles'], summary: 'TileJSON 3.0 of a tile layer (tile URLs carry the layer version)', parameters: [p('layer', 'tile layer', { type: 'string', enum: TILE_SET_NAMES })], responses: { 200: json('TileJSON'), ...errors } } },
      '/tiles/{layer}/{z}/{x}/{y}.mvt': {
        get: {
          tags: ['tiles'], summary: 'a Mapbox Vector Tile (no personal data); ETag follows the layer version',
          parameters: [
            p('layer', 'tile layer', { type: 'string', enum: TILE_SET_NAMES }), p('z', 'zoom 0..22', { type: 'integer', minimum: 0, maximum: 22 }),
            p('x', 'column', { type: 'integer', minimum: 0 }), p('y', 'row', { type: 'integer', minimum: 0 }), q('v', 'layer version from TileJSON (enables long caching)'),
          ],
          responses: { 200: { description: 'tile', content: { 'application/vnd.mapbox-vector-tile': { schema: { type: 'string', format: 'binary' } } } }, 304: { description: 'not modified' }, ...errors },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'token from POST /api/session' } },
      schemas: {
        Problem: {
          type: 'object', required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
            code: { type: 'string', enum: ['bad_request', 'bad_file', 'bad_feature', 'bad_crs', 'not_found', 'conflict', 'precondition_failed', 'unauthorized', 'forbidden', 'too_large', 'too_many_requests', 'engine'] },
            where: { type: 'object', properties: { parameter: { type: 'string' }, featureIndex: { type: 'integer' }, gridCode: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, field: { type: 'string' } } },
          },
        },
        Feature: { type: 'object', properties: { type: { type: 'string', enum: ['Feature'] }, id: {}, geometry: { type: 'object', nullable: true }, properties: { type: 'object', nullable: true } } },
        FeatureCollection: { type: 'object', properties: { type: { type: 'string', enum: ['FeatureCollection'] }, features: { type: 'array', items: ref('Feature') } } },
        Plan: {
          type: 'object',
          properties: {
            id: { type: 'integer' }, jcode: { type: 'string' }, name: { type: 'string' }, status: { type: 'string', enum: ['draft', 'published', 'archived'] },
            version: { type: 'integer' }, method: { type: 'string' }, params: { type: 'object' }, parentId: { type: 'integer', nullable: true },
            createdAt: { type: 'string', format: 'date-time' }, publishedAt: { type: 'string', format: 'date-time', nullable: true },
            grids: { type: 'integer' }, households: { type: 'integer' }, summary: { type: 'object' }, links: { type: 'object' },
          },
        },
        PlanEdit: {
          oneOf: [
            { type: 'object', required: ['op', 'blocks', 'to'], properties: { op: { type: 'string', enum: ['move'] }, blocks: { type: 'array', items: { type: 'integer' } }, to: { type: 'string' } } },
            { type: 'object', required: ['op', 'grid', 'blocks'], properties: { op: { type: 'string', enum: ['split'] }, grid: { type: 'string' }, blocks: { type: 'array', items: { type: 'integer' } } } },
            { type: 'object', required: ['op', 'grids'], properties: { op: { type: 'string', enum: ['merge'] }, grids: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } } },
          ],
        },
        PlanDiff: {
          type: 'object',
          properties: {
            from: { type: 'integer' }, to: { type: 'integer' }, blocks: { type: 'object' }, households: { type: 'object' }, grids: { type: 'object' },
            movedBlocks: ref('FeatureCollection'),
          },
        },
        WallFigures: {
          type: 'object',
          properties: {
            jcode: { type: 'string' }, planId: { type: 'integer', nullable: true }, requestedDay: { type: 'string', format: 'date' },
            day: { type: 'string', format: 'date', nullable: true, description: 'the day the patrol figures are of' }, expectedPatrols: { type: 'integer' },
            grids: { type: 'integer' }, workers: { type: 'integer' }, households: { type: 'integer' }, patrolsToday: { type: 'integer' }, openHazards: { type: 'integer' },
            compliance: { type: 'number', description: 'mean over the grids, 0..1' }, gridsFullyPatrolled: { type: 'integer' },
            perGrid: {
              type: 'array',
              items: { type: 'object', properties: { code: { type: 'string' }, households: { type: 'integer' }, hazards: { type: 'integer' }, patrols: { type: 'integer' }, compliance: { type: 'number', minimum: 0, maximum: 1 } } },
            },
          },
        },
        Job: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' }, kind: { type: 'string', enum: ['partition', 'import', 'merge'] }, jcode: { type: 'string' },
            status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed'] }, phase: { type: 'string', nullable: true },
            percent: { type: 'number' }, message: { type: 'string', nullable: true }, params: { type: 'object' }, result: { nullable: true },
            error: { allOf: [ref('Problem')], nullable: true }, createdAt: { type: 'string' }, startedAt: { type: 'string', nullable: true },
            finishedAt: { type: 'string', nullable: true }, links: { type: 'object' },
          },
        },
      },
    },
  };
}

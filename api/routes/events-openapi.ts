/** OpenAPI 3.0 paths of events and work orders and of Open311 GeoReport v2 (merged into api/openapi.ts). */
import { LIGHTS } from '../../domain/events/lights.ts';
import { ACTIONS, STAGES } from '../../domain/events/workflow.ts';
import { EVENT_SOURCES } from '../../domain/events/event-repository.ts';

type Obj = Record<string, unknown>;

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (description: string, schema: Obj = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const o311Errors = (statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, json('GeoReport error array [{code, description}] (code = the HTTP status)', { type: 'array', items: { type: 'object', properties: { code: { type: 'integer' }, description: { type: 'string' } } } })]));
const bearer = [{ bearer: [] }];
const q = (name: string, description: string, schema: Obj = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const p = (name: string, description: string, schema: Obj = { type: 'string' }) => ({ name, in: 'path', required: true, description, schema });
const jcodeP = p('jcode', 'jurisdiction code', { type: 'string', pattern: '^[0-9A-Za-z_-]{1,32}$' });
const idP = p('id', 'event id', { type: 'integer', minimum: 1 });
const staffErrors = { 400: problem('bad parameter or body (where.parameter names it)'), 401: problem('not logged in'), 403: problem('another jurisdiction, or a role or grid that may not'), 404: problem('no such event in scope') };
const gridQ = q('grid', 'grid code');
const listParams = [
  jcodeP, gridQ, q('light', 'light now', { type: 'string', enum: [...LIGHTS] }), q('stage', 'stage', { type: 'string', enum: [...STAGES] }),
  q('type', '5-digit type code'), q('class', '2-digit class'), q('source', 'source', { type: 'string', enum: [...EVENT_SOURCES] }),
  q('status', 'open or closed', { type: 'string', enum: ['open', 'closed'] }), q('from', 'reported at or after (ISO 8601)', { type: 'string', format: 'date-time' }),
  q('to', 'reported at or before', { type: 'string', format: 'date-time' }), q('bbox', 'minLon,minLat,maxLon,maxLat (WGS-84)'),
  q('limit', 'at most (1..1000, default 100)', { type: 'integer' }), q('offset', 'skip', { type: 'integer' }),
];
const newEvent = {
  type: 'object', required: ['typeCode', 'description'],
  properties: {
    typeCode: { type: 'string', pattern: '^\\d{5}$' }, description: { type: 'string' }, source: { type: 'string', enum: [...EVENT_SOURCES] },
    priority: { type: 'string', enum: ['normal', 'urgent'] }, lon: { type: 'number' }, lat: { type: 'number' }, crs: { type: 'string', enum: ['wgs84', 'gcj02', 'bd09'] },
    address: { type: 'string' }, reporterName: { type: 'string' }, reporterPhone: { type: 'string' },
  },
};

export const EVENTS_PATHS: Obj = {
  '/api/event-types': { get: { tags: ['events'], summary: 'the code tables: GB/T 47678.5 urban management matters and social-governance matters, with deadlines', responses: { 200: json('classes and types') } } },
  '/api/jurisdictions/{jcode}/events': {
    get: { tags: ['events'], summary: 'events as the account may see them (a grid worker: their grids), open and most urgent first', security: bearer, parameters: listParams, responses: { 200: json('{total, totalExact, events}: total counts up to 10,000 (totalExact false beyond)'), ...staffErrors } },
    post: {
      tags: ['events'], summary: 'report an event, routed to its grid by point (WGS-84, GCJ-02, BD-09) or address; a duplicate within 50 m and 24 h is linked (grid workers, commanders, admins)',
      security: bearer, parameters: [jcodeP],
      requestBody: { required: true, content: { 'application/json': { schema: newEvent }, 'multipart/form-data': { schema: { ...newEvent, properties: { ...newEvent.properties, photo: { type: 'string', format: 'binary' } } } } } },
      responses: { 201: json('the event'), ...staffErrors },
    },
  },
  '/api/jurisdictions/{jcode}/events.geojson': { get: { tags: ['events'], summary: 'the same list as GeoJSON points (the map)', security: bearer, parameters: listParams, responses: { 200: { description: 'features', content: { 'application/geo+json': { schema: { type: 'object' } } } }, ...staffErrors } } },
  '/api/jurisdictions/{jcode}/events/{id}': { get: { tags: ['events'], summary: 'one event with its history; the reporter in full (admin, own grid worker), masked (commander) or left out; audited', security: bearer, parameters: [jcodeP, idP], responses: { 200: json('event'), ...staffErrors } } },
  '/api/jurisdictions/{jcode}/events/{id}/transitions': {
    post: {
      tags: ['events'], summary: 'move an event along accept → register → dispatch → handle → verify → close → evaluate, or reject / return with a reason; audited',
      security: bearer, parameters: [jcodeP, idP],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['action'], properties: {
        action: { type: 'string', enum: [...ACTIONS] }, reason: { type: 'string' }, note: { type: 'string' },
        to: { type: 'object', properties: { kind: { type: 'string', enum: ['department', 'grid_worker'] }, name: { type: 'string' } } },
        mediation: { type: 'object', properties: { outcome: { type: 'string', enum: ['agreement', 'referral'] }, referredTo: { type: 'string' } } },
        rating: { type: 'integer', minimum: 1, maximum: 5 }, followUp: { type: 'string' },
      } } } } },
      responses: { 200: json('{from, to, event}'), ...staffErrors, 409: problem('not possible at this stage') },
    },
  },
  '/api/jurisdictions/{jcode}/events/{id}/photos': {
    post: {
      tags: ['events'], summary: 'add photos (JPEG, PNG, WebP; kind=report|result)', security: bearer, parameters: [jcodeP, idP],
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { photo: { type: 'string', format: 'binary' }, kind: { type: 'string', enum: ['report', 'result'] } } } } } },
      responses: { 201: json('photo links'), ...staffErrors, 413: problem('photo too large') },
    },
  },
  '/api/jurisdictions/{jcode}/events/{id}/photos/{n}': { get: { tags: ['events'], summary: 'one photo', security: bearer, parameters: [jcodeP, idP, p('n', 'photo number', { type: 'integer', minimum: 1 })], responses: { 200: { description: 'image' }, ...staffErrors } } },
  '/api/jurisdictions/{jcode}/event-board': { get: { tags: ['events'], summary: '一牌 per grid: open, green, yellow, red, closed, closed on time, on-time rate', security: bearer, parameters: [jcodeP, gridQ], responses: { 200: json('board'), ...staffErrors } } },
  '/api/jurisdictions/{jcode}/event-hotspots': { get: { tags: ['events'], summary: 'places with ≥ 3 events of a type within 30 days and 50 m, per grid, with their H3 cell', security: bearer, parameters: [jcodeP, gridQ], responses: { 200: json('hotspots'), ...staffErrors } } },
  '/api/jurisdictions/{jcode}/event-type-settings': {
    get: { tags: ['events'], summary: "every type's deadline (hours), yellow share and result-photo rule in force in the jurisdiction, and its own values (null: the code table's)", security: bearer, parameters: [jcodeP], responses: { 200: json('{jcode, types: [{typeCode, name, settings, local}]}'), ...staffErrors } },
  },
  '/api/jurisdictions/{jcode}/event-type-settings/{typeCode}': {
    put: {
      tags: ['events'], summary: "set a type's deadline, yellow share or result-photo rule in the jurisdiction (null: back to the code table's); events reported afterwards follow it; admins; audited",
      security: bearer, parameters: [jcodeP, p('typeCode', '5-digit type code', { type: 'string', pattern: '^\\d{5}$' })],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties: {
        deadlineHours: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 8784, nullable: true }, yellowShare: { type: 'number', minimum: 0, maximum: 1, exclusiveMinimum: true, exclusiveMaximum: true, nullable: true },
        resultPhotoRequired: { type: 'boolean', nullable: true } } } } } },
      responses: { 200: json('the type\'s settings'), ...staffErrors },
    },
  },
  '/api/jurisdictions/{jcode}/events-live': {
    get: { tags: ['events'], summary: 'Server-Sent Events for the wall screen: `snapshot` (open events), then `event` per change; no description or reporter', parameters: [jcodeP], responses: { 200: { description: 'event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 400: problem('bad jcode'), 404: problem('no such jurisdiction') } },
  },
  '/api/jurisdictions/{jcode}/event-figures': {
    get: {
      tags: ['events'], summary: 'figures per grid, community or street over a period (default the last 30 days): events by class, open, red, closed, on-time rate, mean hours per stage, hotspots as H3 cells',
      security: bearer,
      parameters: [jcodeP, q('by', 'level', { type: 'string', enum: ['grid', 'community', 'street'], default: 'grid' }), q('from', 'ISO 8601', { type: 'string', format: 'date-time' }),
        q('to', 'ISO 8601', { type: 'string', format: 'date-time' }), q('format', 'answer as', { type: 'string', enum: ['json', 'csv', 'xlsx'], default: 'json' })],
      responses: {
        200: { description: 'figures', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } }, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } },
        ...staffErrors,
      },
    },
  },
  '/api/jurisdictions/{jcode}/hotline-imports': {
    post: {
      tags: ['events'], summary: '12345 hotline orders from CSV (UTF-8 or GBK) or .xlsx: all or nothing; bad rows with their row number in `report.errors`; orders already imported are skipped (admins, commanders)',
      security: bearer, parameters: [jcodeP],
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } } },
      responses: { 201: json('{ok, rows, inserted, skipped, duplicates, errors: [], ms}'), ...staffErrors, 400: problem('bad rows: nothing imported; `report.errors` lists [{row, orderNo, field, message}]'), 413: problem('file larger than UPLOAD_LIMIT_MB') },
    },
  },
  '/open311/v2/discovery.json': { get: { tags: ['open311'], summary: 'Open311 service discovery', responses: { 200: json('discovery') } } },
  '/open311/v2/services.json': { get: { tags: ['open311'], summary: 'GeoReport v2: services (the event types)', responses: { 200: json('services', { type: 'array', items: { type: 'object' } }) } } },
  '/open311/v2/services/{code}.json': { get: { tags: ['open311'], summary: 'GeoReport v2: a service definition', parameters: [p('code', 'service_code')], responses: { 200: json('definition'), ...o311Errors([400, 404]) } } },
  '/open311/v2/requests.json': {
    get: {
      tags: ['open311'], summary: 'GeoReport v2: service requests (default the last 90 days, at most 1000)',
      parameters: [q('service_request_id', 'comma list of <jurisdiction>-<number>'), q('service_code', 'comma list'), q('start_date', 'ISO 8601'), q('end_date', 'ISO 8601 (≤ 90 days after start_date)'),
        q('status', 'open or closed'), q('jurisdiction_id', 'jurisdiction code')],
      responses: { 200: json('requests', { type: 'array', items: { type: 'object' } }), ...o311Errors([400]) },
    },
    post: {
      tags: ['open311'], summary: 'GeoReport v2: post a service request (api_key or session; residents rate-limited)',
      requestBody: { required: true, content: Object.fromEntries(['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data'].map((t) => [t, { schema: { type: 'object', required: ['service_code'], properties: {
        api_key: { type: 'string' }, service_code: { type: 'string' }, lat: { type: 'number' }, long: { type: 'number' }, address_string: { type: 'string' },
        description: { type: 'string' }, media_url: { type: 'string' }, 'attribute[crs]': { type: 'string', enum: ['wgs84', 'gcj02', 'bd09'] },
        'attribute[priority]': { type: 'string', enum: ['normal', 'urgent'] }, first_name: { type: 'string' }, last_name: { type: 'string' }, phone: { type: 'string' }, email: { type: 'string' },
      } } }])) },
      responses: { 201: json('[{service_request_id, service_notice, account_id}]'), ...o311Errors([400, 403, 413, 429]) },
    },
  },
  '/open311/v2/requests/{id}.json': { get: { tags: ['open311'], summary: 'GeoReport v2: one service request', parameters: [p('id', '<jurisdiction>-<number>')], responses: { 200: json('[request]'), ...o311Errors([400, 404]) } } },
  '/open311/v2/media/{id}.jpg': { get: { tags: ['open311'], summary: "the photo a resident sent with a request", parameters: [p('id', '<jurisdiction>-<number>')], responses: { 200: { description: 'image' }, ...o311Errors([400, 404]) } } },
};

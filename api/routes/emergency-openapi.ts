/** OpenAPI 3.0 paths of the emergency rosters (issue 14; merged into api/openapi.ts). */
import { HAZARD_KINDS, WARNING_LEVELS } from '../../domain/emergency/build-roster.ts';
import { TICK_STATUSES } from '../../domain/emergency/roster-repository.ts';

type Obj = Record<string, unknown>;

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (description: string, schema: Obj = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const bearer = [{ bearer: [] }];
const p = (name: string, description: string, schema: Obj = { type: 'string' }) => ({ name, in: 'path', required: true, description, schema });
const idP = p('id', 'roster id (its hazard area)', { type: 'integer', minimum: 1 });
const codeP = p('code', 'grid code', { type: 'string', pattern: '^[0-9A-Za-z_-]{1,40}$' });
const errors = { 400: problem('bad parameter or body (where.parameter names it)'), 401: problem('not logged in'), 403: problem('another jurisdiction, or a role or grid that may not'), 404: problem('no such roster') };
const polygon = { type: 'object', required: ['type', 'coordinates'], properties: { type: { type: 'string', enum: ['Polygon', 'MultiPolygon'] }, coordinates: { type: 'array', items: {} } } };
const tag = ['emergency'];

export const EMERGENCY_PATHS: Obj = {
  '/api/emergency/rosters': {
    get: { tags: tag, summary: "the rosters of the account's jurisdiction, newest first (no people)", security: bearer, responses: { 200: json('{rosters}'), 401: errors[401] } },
    post: {
      tags: tag, summary: 'make a roster for a hazard area: every household in it, the vulnerable flagged, a shelter each by walking distance (capacity kept); commanders, admins; audited',
      security: bearer,
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'kind', 'deadline'], properties: {
        name: { type: 'string' }, kind: { type: 'string', enum: [...HAZARD_KINDS] }, level: { type: 'string', enum: [...WARNING_LEVELS] },
        deadline: { type: 'string', format: 'date-time' }, area: polygon, jcode: { type: 'string' },
        grids: { type: 'array', items: { type: 'string' } }, communities: { type: 'array', items: { type: 'string' } }, riverBufferM: { type: 'number' },
        hazards: { type: 'object', properties: { kind: { type: 'string' }, bufferM: { type: 'number' } } },
      } } } } },
      responses: { 201: json('{id}'), ...errors },
    },
  },
  '/api/emergency/rosters/{id}': { get: { tags: tag, summary: 'counts: households, residents, vulnerable, by_grid[], by_community[], shelters[{id, capacity, assigned, arrived}], lights; a grid worker their grids; audited', security: bearer, parameters: [idP], responses: { 200: json('summary'), ...errors } } },
  '/api/emergency/rosters/{id}.xlsx': { get: { tags: tag, summary: 'the roster as .xlsx (totals, shelters, and the people for roles that see them, masked as the API masks them); audited', security: bearer, parameters: [idP], responses: { 200: { description: 'workbook' }, ...errors } } },
  '/api/emergency/rosters/{id}/people': {
    get: { tags: tag, summary: 'the people, vulnerable first per grid: full for admins and the grid\'s workers, masked for commanders, 403 for planners; audited', security: bearer,
      parameters: [idP, { name: 'grid', in: 'query', required: false, description: 'one grid', schema: { type: 'string' } }], responses: { 200: json('{people, staff}'), ...errors } },
  },
  '/api/emergency/rosters/{id}/grids/{code}.pdf': { get: { tags: tag, summary: "one grid's printable sheet: map with the area, houses, shelters and routes, and the list; audited", security: bearer, parameters: [idP, codeP], responses: { 200: { description: 'PDF' }, ...errors } } },
  '/api/emergency/rosters/{id}/ticks': {
    post: { tags: tag, summary: 'tick a person (append-only; the latest wins); a grid worker only their grids; audited', security: bearer, parameters: [idP],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['residentId', 'status'], properties: {
        residentId: { type: 'integer' }, status: { type: 'string', enum: [...TICK_STATUSES] }, note: { type: 'string' }, at: { type: 'string', format: 'date-time' } } } } } },
      responses: { 201: json('the tick and the person\'s status now'), ...errors } },
  },
  '/api/emergency/rosters/{id}/ticks/{residentId}': { get: { tags: tag, summary: "a person's ticks, oldest first; audited", security: bearer, parameters: [idP, p('residentId', 'resident id', { type: 'integer', minimum: 1 })], responses: { 200: json('{ticks}'), ...errors } } },
  '/api/emergency/rosters/{id}/live': { get: { tags: tag, summary: 'Server-Sent Events: `progress` (the counts) now and after every tick', security: bearer, parameters: [idP], responses: { 200: { description: 'text/event-stream' }, ...errors } } },
  '/api/emergency/attributes': {
    post: { tags: tag, summary: 'dangerous houses and needs from CSV or .xlsx (身份证号 or 住户编号, 危房, 需求); all or nothing; commanders, admins; audited', security: bearer,
      parameters: [{ name: 'jcode', in: 'query', required: false, description: 'jurisdiction (accounts of every jurisdiction)', schema: { type: 'string' } }],
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } } },
      responses: { 200: json('{rows, residents, households}'), ...errors } },
  },
};

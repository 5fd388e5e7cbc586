/** OpenAPI 3.0 paths of accounts, residents, H3 aggregates and the audit log (merged into api/openapi.ts). */
type Obj = Record<string, unknown>;

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const bearer = [{ bearer: [] }];
const e401 = { 401: problem('not logged in') };

export const AUTH_PATHS: Obj = {
  '/api/session': {
    post: {
      tags: ['session'], summary: 'log in: {name, password} → {token, expiresAt, user}',
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name', 'password'], properties: { name: { type: 'string' }, password: { type: 'string', format: 'password' } } } } } },
      responses: { 201: json('session token (send as Authorization: Bearer <token>)'), 400: problem('bad body'), 401: problem('wrong name or password'), 429: problem('too many failed logins (Retry-After says when to try again)') },
    },
    get: { tags: ['session'], summary: 'the account of the bearer token', security: bearer, responses: { 200: json('account'), ...e401 } },
    delete: { tags: ['session'], summary: 'log out (end the session of the bearer token)', security: bearer, responses: { 204: { description: 'logged out' }, ...e401 } },
  },
  '/api/grids/{code}/residents': {
    get: {
      tags: ['grids'], summary: "residents of a grid of the published plan as the caller's role allows (admin and own grid worker: full; commander: masked); every read is audited",
      security: bearer,
      parameters: [
        { name: 'code', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'jcode', in: 'query', required: false, description: "the grid's jurisdiction; default the account's own, else the one whose published plan has a grid of this code (400 naming them when several have)", schema: { type: 'string' } },
      ],
      responses: { 200: json('residents'), 400: problem('bad parameter, or a grid code of several jurisdictions without jcode'), ...e401, 403: problem('the role may not read this grid'), 404: problem('no such grid') },
    },
  },
  '/api/h3': {
    get: {
      tags: ['grids'], summary: 'households per H3 cell; cells below H3_MIN_HOUSEHOLDS are suppressed', security: bearer,
      parameters: [
        { name: 'jcode', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'res', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 15, default: 8 } },
      ],
      responses: { 200: json('cells'), 400: problem('bad parameter'), ...e401, 403: problem('other jurisdiction'), 404: problem('unknown jurisdiction') },
    },
  },
  '/api/audit': {
    get: {
      tags: ['session'], summary: 'audit log of personal-data reads (admin); verify=1 recomputes the hash chain', security: bearer,
      parameters: [
        { name: 'verify', in: 'query', required: false, schema: { type: 'string', enum: ['0', '1'] } },
        { name: 'jcode', in: 'query', required: false, schema: { type: 'string' } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
      ],
      responses: { 200: json('entries and the verification'), 400: problem('bad parameter'), ...e401, 403: problem('not an admin') },
    },
  },
};

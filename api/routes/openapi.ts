/** GET /api/openapi.json: the OpenAPI 3.0 description of every route (api/openapi.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { openApiDocument } from '../openapi.ts';

function version(): string {
  try {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    return String(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

export function openapiRouter(): Router {
  const r = Router();
  const body = JSON.stringify(openApiDocument(version()));
  r.get('/api/openapi.json', (_req, res) => {
    res.type('application/vnd.oai.openapi+json;version=3.0').set('Cache-Control', 'no-cache').send(body);
  });
  return r;
}

/** GET /api/health: the engine, its capabilities and versions, after a round trip to the database. */
import { Router } from 'express';
import { sql } from 'kysely';
import type { RouteContext } from './context.ts';

export function healthRouter(ctx: RouteContext): Router {
  const r = Router();
  r.get('/api/health', async (_req, res) => {
    const t0 = performance.now();
    await sql`SELECT 1`.execute(ctx.db);
    res.set('Cache-Control', 'no-store').json({
      status: 'ok',
      version: ctx.version,
      engine: ctx.caps.engine,
      capabilities: { coverage: ctx.caps.coverage, coverageClean: ctx.caps.coverageClean, mvt: ctx.caps.mvt },
      postgis: ctx.caps.postgis,
      geos: ctx.caps.geos,
      databaseMs: Math.round((performance.now() - t0) * 100) / 100,
    });
  });
  return r;
}

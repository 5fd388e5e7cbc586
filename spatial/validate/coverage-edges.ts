/**
 * The coverage check: which boundary segments of the loaded grids (wv_grid, see load-layer.ts) do not form a
 * clean polygonal coverage. Two paths that agree on what they report:
 *
 * - native: `ST_CoverageInvalidEdges` (PostGIS 3.4+, GEOS 3.12+), where the engine has it;
 * - portable: edge matching, for engines without it. Every ring segment is keyed by its two end points
 *   (order-free, exact coordinates); as in GEOS, a segment is invalid when no other grid has the same
 *   segment but the segment's interior meets another grid's interior or boundary (a segment with no other
 *   grid around, or touching one only at its end points, is on the edge of the coverage: the outline, a wide
 *   gap, a hole), or when three or more grids share it.
 *
 * Both leave their findings in wv_badseg (idx, s): one row per invalid segment. Validate then explains every
 * invalid segment that lies along a gap, overlap, sliver or spill it has measured, and drops mere vertex
 * mismatches, so both paths end in the same issues.
 *
 * Also built here, for everyone: wv_seg (idx, s, x1, y1, x2, y2, n, on_outline), every ring segment with the
 * number of grids that have it.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { capabilitiesOf } from '../../data/db/capabilities.ts';

export type CoveragePath = 'native' | 'portable';

/**
 * Build wv_seg and wv_badseg with the chosen path (default: native where the engine has it). Throws
 * bad_request when 'native' is forced on an engine without ST_CoverageInvalidEdges.
 *
 * @example const path = await coverageEdges(trx, { noiseM: 0.01, srid: 32650 }); // 'native' on embedded PostGIS
 */
export async function coverageEdges(db: Kysely<any>, opts: { noiseM: number; srid: number; path?: CoveragePath }): Promise<CoveragePath> {
  const caps = await capabilitiesOf(db);
  const path: CoveragePath = opts.path ?? (caps.coverage ? 'native' : 'portable');
  if (path === 'native' && !caps.coverage) {
    throw new WanggeError('bad_request', `this engine (PostGIS ${caps.postgis}) has no ST_CoverageInvalidEdges: use the portable coverage path`, { parameter: 'coveragePath' });
  }
  const x = (q: ReturnType<typeof sql>) => q.execute(db);
  const noise = opts.noiseM;
  await x(sql`DROP TABLE IF EXISTS wv_seg, wv_cov, wv_badseg`);
  await x(sql`CREATE TEMP TABLE wv_seg ON COMMIT DROP AS
    SELECT idx, s, x1, y1, x2, y2,
      CASE WHEN min(idx) OVER w = max(idx) OVER w THEN 1 ELSE count(*) OVER w END::int AS n, false AS on_outline
    FROM (SELECT idx, s,
        CASE WHEN sw THEN ST_X(p2) ELSE ST_X(p1) END AS x1, CASE WHEN sw THEN ST_Y(p2) ELSE ST_Y(p1) END AS y1,
        CASE WHEN sw THEN ST_X(p1) ELSE ST_X(p2) END AS x2, CASE WHEN sw THEN ST_Y(p1) ELSE ST_Y(p2) END AS y2
      FROM (SELECT idx, s, p1, p2, (ST_X(p1), ST_Y(p1)) > (ST_X(p2), ST_Y(p2)) AS sw
            FROM (SELECT idx, s, ST_StartPoint(s) AS p1, ST_EndPoint(s) AS p2
                  FROM (SELECT idx, (ST_DumpSegments(g)).geom AS s FROM wv_grid WHERE g IS NOT NULL) d) e
            WHERE NOT ST_Equals(p1, p2)) f) k
    WINDOW w AS (PARTITION BY x1, y1, x2, y2)`);
  await x(sql`CREATE INDEX ON wv_seg USING gist (s)`);
  await x(sql`ANALYZE wv_seg`);
  await x(sql`UPDATE wv_seg s SET on_outline = true WHERE n = 1
    AND EXISTS (SELECT 1 FROM wv_oseg o WHERE ST_DWithin(o.s, ST_StartPoint(s.s), ${noise}::float8))
    AND EXISTS (SELECT 1 FROM wv_oseg o WHERE ST_DWithin(o.s, ST_EndPoint(s.s), ${noise}::float8))
    AND EXISTS (SELECT 1 FROM wv_oseg o WHERE ST_DWithin(o.s, ST_LineInterpolatePoint(s.s, 0.5), ${noise}::float8))`);
  const segs = (await sql<{ n: number; grids: number }>`SELECT count(*)::int AS n, count(DISTINCT idx)::int AS grids FROM wv_seg`.execute(db)).rows[0];
  const usable = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM wv_grid WHERE g IS NOT NULL`.execute(db)).rows[0];
  if (!segs || !usable || segs.grids !== usable.n) throw new WanggeError('engine', `segmenting grid outlines returned ${segs?.grids ?? 0} of ${usable?.n ?? '?'} grids`);

  if (path === 'native') {
    await x(sql`CREATE TEMP TABLE wv_cov ON COMMIT DROP AS
      SELECT idx, ST_CoverageInvalidEdges(g, 0) OVER () AS e FROM wv_grid WHERE g IS NOT NULL`);
    const cov = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM wv_cov`.execute(db)).rows[0];
    if (!cov || cov.n !== usable.n) throw new WanggeError('engine', `ST_CoverageInvalidEdges returned ${cov?.n ?? 0} rows for ${usable.n} grids (a swallowed GEOS failure?)`);
    await x(sql`CREATE TEMP TABLE wv_badseg ON COMMIT DROP AS
      SELECT idx, ST_SetSRID((ST_DumpSegments(e)).geom, ${opts.srid}::int) AS s FROM wv_cov WHERE e IS NOT NULL AND NOT ST_IsEmpty(e)`);
  } else {
    await x(sql`CREATE TEMP TABLE wv_badseg ON COMMIT DROP AS
      SELECT s.idx, s.s FROM wv_seg s
      WHERE s.n >= 3
         OR (s.n = 1 AND EXISTS (SELECT 1 FROM wv_grid o WHERE o.idx <> s.idx AND o.g && s.s
               AND (ST_Relate(s.s, o.g, 'T********') OR ST_Relate(s.s, o.g, '*T*******'))))`);
  }
  await x(sql`DELETE FROM wv_badseg WHERE ST_Length(s) = 0`);
  return path;
}

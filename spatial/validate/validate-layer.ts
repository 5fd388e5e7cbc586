/**
 * Validate a grid layer against a stored jurisdiction: a report of located issues, never an exception for
 * what is wrong with the layer (ARCHITECTURE.md). Everything is measured in the jurisdiction's UTM zone,
 * set-based in PostGIS, inside one transaction whose temporary tables (wv_*) are dropped at commit.
 *
 * Households are recounted the way the independent scorer and the partition engine count them: a point in
 * one grid's interior goes to that grid, a point in several interiors to each of them (and is reported), a
 * point only on edges to the first of its grids in code order.
 */
import { sql, type Kysely } from 'kysely';
import { inTransaction } from '../../data/db/capabilities.ts';
import { WanggeError } from '../errors.ts';
import { loadLayer } from './load-layer.ts';
import { coverageEdges } from './coverage-edges.ts';
import { offStreetStretches } from './off-street.ts';
import { resolveValidateOptions, type ValidateOptions } from './validate-options.ts';
import { ISSUE_KINDS, type GeoJsonGeometry, type GridLayer, type IssueKind, type ValidateContext, type ValidationIssue, type ValidationReport } from './types.ts';

/** Precision grid of unions and differences (m): far below every tolerance. */
const GRID = 0.0001;
/** Distance within which a grid borders a gap or an invalid edge (m). */
const NEAR = 0.01;

const one = <T>(rows: T[], what: string): T => {
  if (rows.length !== 1) throw new WanggeError('engine', `${what}: expected one row, got ${rows.length} (a swallowed GEOS failure?)`);
  return rows[0];
};

/**
 * Check `layer` (grids with properties code, households, community?) against jurisdiction `context.jcode`.
 * Returns `{ ok, summary, issues }`; `ok` is true when there is no issue at all.
 *
 * @example
 * const report = await validate(db, grids, { jcode: '110108990000' }, { min: 400, max: 600 });
 * for (const i of report.issues) console.log(i.kind, i.grids.join(','), i.message);
 */
export async function validate(db: Kysely<any>, layer: GridLayer, context: ValidateContext, options: ValidateOptions = {}): Promise<ValidationReport> {
  const o = resolveValidateOptions(options);
  if (!context || typeof context.jcode !== 'string' || context.jcode === '') throw new WanggeError('bad_request', 'context.jcode is required', { parameter: 'jcode' });
  const t0 = performance.now();
  return inTransaction(db, async (trx) => {
    const timings: Record<string, number> = {};
    let tLap = performance.now();
    const lap = (k: string) => { const now = performance.now(); timings[k] = +((now - tLap) / 1000).toFixed(3); tLap = now; };
    const loaded = await loadLayer(trx, layer, context.jcode);
    lap('load');
    const { codes } = loaded;
    const issues: ValidationIssue[] = [];
    const q = async <T>(query: ReturnType<typeof sql<T>>): Promise<T[]> => (await query.execute(trx)).rows;
    const x = (query: ReturnType<typeof sql>) => query.execute(trx);
    const geo = (s: string | null): GeoJsonGeometry | null => (s ? JSON.parse(s) as GeoJsonGeometry : null);
    const named = (idx: number[]) => [...new Set(idx.map((i) => codes[i]))].sort();
    const r1 = (v: number) => Math.round(v * 10) / 10;
    const area = (v: number) => (v >= 10 ? Math.round(v) : +v.toPrecision(3));

    // --- codes
    const byCode = new Map<string, number[]>();
    codes.forEach((c, i) => { if (!loaded.missingCode.includes(i)) byCode.set(c, [...(byCode.get(c) ?? []), i]); });
    const geomOf = async (idx: number[]): Promise<GeoJsonGeometry | null> => geo((await q(sql<{ gj: string | null }>`
      SELECT ST_AsGeoJSON(ST_Transform(ST_Collect(g ORDER BY idx), 4326), 8) AS gj FROM wv_grid WHERE idx = ANY(${idx}::int[]) AND g IS NOT NULL`))[0]?.gj ?? null);
    for (const [code, idx] of byCode) {
      if (idx.length > 1) issues.push({ kind: 'duplicate_code', grids: [code], geometry: await geomOf(idx), message: `code ${code} is used by ${idx.length} grids (features ${idx.join(', ')})` });
    }
    for (const i of loaded.missingCode) issues.push({ kind: 'bad_code', grids: [codes[i]], geometry: await geomOf([i]), message: `feature ${i} has no code` });

    // --- geometry validity
    for (const r of await q(sql<{ idx: number; note: string | null; why: string | null; gj: string | null; usable: boolean }>`
      SELECT idx, note, why, ST_AsGeoJSON(ST_Transform(COALESCE(loc, ST_PointOnSurface(g)), 4326), 8) AS gj, g IS NOT NULL AS usable
      FROM wv_grid WHERE note IS NOT NULL OR why IS NOT NULL ORDER BY idx`)) {
      const what = [r.note, r.why].filter(Boolean).join('; ');
      issues.push({ kind: 'invalid_geometry', grids: [codes[r.idx]], geometry: geo(r.gj),
        message: `grid ${codes[r.idx]}: ${what}${r.usable ? ' (checked further as made valid)' : ' (no usable polygon: left out of every other check)'}` });
    }

    // --- coverage: invalid edges (native or portable), then gaps, overlaps and spills measured by area
    lap('codes_validity');
    const coveragePath = await coverageEdges(trx, { noiseM: o.noiseM, srid: loaded.srid, path: o.coveragePath });
    lap('coverage_edges');
    await x(sql`DROP TABLE IF EXISTS wv_obuf, wv_union, wv_gap, wv_ovpair, wv_ov, wv_spill, wv_explain`);
    await x(sql`CREATE TEMP TABLE wv_obuf ON COMMIT DROP AS SELECT ST_Buffer(outline, ${o.noiseM}::float8, 'quad_segs=2') AS g FROM wv_bnd`);
    await x(sql`CREATE TEMP TABLE wv_explain (g geometry) ON COMMIT DROP`);
    const widthSql = sql`2 * ST_Area(p.g) / NULLIF(ST_Perimeter(p.g), 0)`;
    // overlaps: every pair whose interiors meet
    await x(sql`CREATE TEMP TABLE wv_ovpair ON COMMIT DROP AS
      SELECT a.idx AS a, b.idx AS b FROM wv_grid a JOIN wv_grid b ON a.idx < b.idx AND a.g && b.g AND ST_Relate(a.g, b.g, 'T********')`);
    await x(sql`CREATE TEMP TABLE wv_ov ON COMMIT DROP AS
      SELECT p.a, p.b, ST_Intersection(a.g, b.g, ${GRID}::float8) AS g FROM wv_ovpair p JOIN wv_grid a ON a.idx = p.a JOIN wv_grid b ON b.idx = p.b`);
    const ovn = await q(sql<{ pairs: number; ov: number }>`SELECT (SELECT count(*) FROM wv_ovpair)::int AS pairs, (SELECT count(*) FROM wv_ov WHERE g IS NOT NULL)::int AS ov`);
    if (ovn[0].pairs !== ovn[0].ov) throw new WanggeError('engine', `intersecting ${ovn[0].pairs} overlapping pairs returned ${ovn[0].ov} rows (a swallowed GEOS failure?)`);
    await x(sql`INSERT INTO wv_explain SELECT g FROM wv_ov`);
    let overlapArea = 0;
    for (const r of await q(sql<{ a: number; b: number; sliver: boolean; gj: string; area: number; width: number; hh: number }>`
      WITH p AS (SELECT a, b, (ST_Dump(ST_CollectionExtract(g, 3))).geom AS g FROM wv_ov),
      k AS (SELECT a, b, g, ${widthSql} < ${o.sliverWidthM}::float8 AS sliver, ${widthSql} AS width FROM p WHERE ST_Area(g) >= ${o.minAreaM2}::float8 AND ${widthSql} >= ${o.noiseM}::float8)
      SELECT a, b, sliver, ST_AsGeoJSON(ST_Transform(ST_Collect(g), 4326), 8) AS gj, sum(ST_Area(g)) AS area, min(width) AS width,
        (SELECT COALESCE(sum(pt.hh), 0)::int FROM wv_pts pt WHERE pt.g && ST_Collect(k.g) AND ST_Intersects(ST_Collect(k.g), pt.g)) AS hh
      FROM k GROUP BY a, b, sliver ORDER BY a, b, sliver`)) {
      overlapArea += r.area;
      const g = named([r.a, r.b]);
      issues.push({ kind: r.sliver ? 'sliver' : 'overlap', grids: g, geometry: geo(r.gj), areaM2: area(r.area), households: r.hh,
        message: `${r.sliver ? `sliver overlap ${r.width.toFixed(3)} m wide` : 'overlap'} of ${area(r.area)} m² between ${g.join(' and ')}${r.hh ? `, holding ${r.hh} households` : ''}` });
    }

    lap('overlaps');
    // spills outside the jurisdiction
    await x(sql`CREATE TEMP TABLE wv_spill ON COMMIT DROP AS
      SELECT gr.idx, ST_Difference(gr.g, b.g, ${GRID}::float8) AS g FROM wv_grid gr, wv_bnd b WHERE gr.g IS NOT NULL AND NOT ST_Covers(b.g, gr.g)`);
    await x(sql`INSERT INTO wv_explain SELECT g FROM wv_spill WHERE g IS NOT NULL`);
    for (const r of await q(sql<{ idx: number; gj: string; area: number; hh: number }>`
      WITH p AS (SELECT s.idx, d.geom AS g FROM wv_spill s, ST_Dump(ST_CollectionExtract(s.g, 3)) d, wv_obuf ob
                 WHERE ST_Area(d.geom) >= ${o.minAreaM2}::float8 AND 2 * ST_Area(d.geom) / NULLIF(ST_Perimeter(d.geom), 0) >= ${o.noiseM}::float8 AND NOT ST_CoveredBy(d.geom, ob.g))
      SELECT idx, ST_AsGeoJSON(ST_Transform(ST_Collect(g), 4326), 8) AS gj, sum(ST_Area(g)) AS area,
        (SELECT COALESCE(sum(pt.hh), 0)::int FROM wv_pts pt WHERE NOT pt.inb AND pt.g && ST_Collect(p.g) AND ST_Intersects(ST_Collect(p.g), pt.g)) AS hh
      FROM p GROUP BY idx ORDER BY idx`)) {
      issues.push({ kind: 'outside_jurisdiction', grids: [codes[r.idx]], geometry: geo(r.gj), areaM2: area(r.area), households: r.hh,
        message: `grid ${codes[r.idx]} reaches ${area(r.area)} m² outside the jurisdiction` });
    }
    await x(sql`CREATE INDEX ON wv_explain USING gist (g)`);

    lap('spills');
    // gaps. When no grids overlap and none spills out, the union covers exactly the sum of the grids' areas: if
    // that equals the jurisdiction's area (to 1e-9 of it), nothing is uncovered and the union is not needed (a
    // gap too small for this test still leaves edges that do not match: reported below). Otherwise: the
    // jurisdiction minus the union of the grids.
    const closed = one(await q(sql<{ ov: number; spill: number; a: number; b: number }>`
      SELECT (SELECT COALESCE(sum(ST_Area(g)), 0) FROM wv_ov) AS ov, (SELECT COALESCE(sum(ST_Area(g)), 0) FROM wv_spill) AS spill,
        (SELECT COALESCE(sum(ST_Area(g)), 0) FROM wv_grid WHERE g IS NOT NULL) AS a, (SELECT ST_Area(g) FROM wv_bnd) AS b`), 'coverage');
    const tolA = Math.max(o.minAreaM2, closed.b * 1e-9);
    if (closed.ov <= tolA && closed.spill <= tolA && Math.abs(closed.a - closed.b) <= tolA) {
      await x(sql`CREATE TEMP TABLE wv_gap ON COMMIT DROP AS SELECT ST_SetSRID('POLYGON EMPTY'::geometry, ${loaded.srid}::int) AS d`);
    } else {
      await x(sql`CREATE TEMP TABLE wv_union ON COMMIT DROP AS SELECT ST_UnaryUnion(ST_Collect(g), ${GRID}::float8) AS u, count(*)::int AS n FROM wv_grid WHERE g IS NOT NULL`);
      const un = await q(sql<{ ok: boolean; n: number }>`SELECT (u IS NOT NULL OR n = 0) AS ok, n FROM wv_union`);
      if (un.length !== 1 || !un[0].ok) throw new WanggeError('engine', 'the union of the grids returned nothing (a swallowed GEOS failure?)');
      await x(sql`CREATE TEMP TABLE wv_gap ON COMMIT DROP AS
        SELECT CASE WHEN u.u IS NULL THEN b.g ELSE ST_Difference(b.g, u.u, ${GRID}::float8) END AS d FROM wv_bnd b, wv_union u`);
    }
    const gd = await q(sql<{ ok: boolean }>`SELECT d IS NOT NULL AS ok FROM wv_gap`);
    if (gd.length !== 1 || !gd[0].ok) throw new WanggeError('engine', 'jurisdiction minus grids returned nothing (a swallowed GEOS failure?)');

    lap('union');
    let gapArea = 0;
    for (const r of await q(sql<{ gj: string; area: number; width: number; hh: number; grids: number[] }>`
      WITH parts AS (SELECT (ST_Dump(ST_CollectionExtract(d, 3))).geom AS g FROM wv_gap),
      p AS (SELECT p.g FROM parts p, wv_obuf ob WHERE ST_Area(p.g) >= ${o.minAreaM2}::float8 AND ${widthSql} >= ${o.noiseM}::float8 AND NOT ST_CoveredBy(p.g, ob.g)),
      ins AS (INSERT INTO wv_explain SELECT g FROM parts RETURNING 1)
      SELECT ST_AsGeoJSON(ST_Transform(p.g, 4326), 8) AS gj, ST_Area(p.g) AS area, ${widthSql} AS width,
        (SELECT COALESCE(sum(pt.hh), 0)::int FROM wv_pts pt WHERE pt.inb AND pt.g && p.g AND ST_Intersects(p.g, pt.g)) AS hh,
        ARRAY(SELECT gr.idx FROM wv_grid gr WHERE gr.g && ST_Expand(p.g, ${NEAR}::float8) AND ST_DWithin(gr.g, p.g, ${NEAR}::float8) ORDER BY gr.idx) AS grids
      FROM p ORDER BY ST_XMin(p.g), ST_YMin(p.g)`)) {
      const sliver = r.width < o.sliverWidthM;
      gapArea += r.area;
      const g = named(r.grids);
      issues.push({ kind: sliver ? 'sliver' : 'gap', grids: g, geometry: geo(r.gj), areaM2: area(r.area), households: r.hh,
        message: `${sliver ? `sliver gap ${r.width.toFixed(3)} m wide` : 'gap'} of ${area(r.area)} m² covered by no grid${g.length ? ` (between ${g.join(', ')})` : ''}${r.hh ? `, holding ${r.hh} households` : ''}` });
    }

    lap('gaps');
    // invalid edges not explained by a measured gap, overlap, sliver or spill, nor by a mere vertex mismatch (an
    // edge following other grids' boundaries within noiseM: probed at its ends, quarters and middle; a
    // T-junction, no area either side)
    for (const r of await q(sql<{ grids: number[]; gj: string; len: number }>`
      WITH u AS (SELECT s.idx, s.s FROM wv_badseg s
        WHERE NOT EXISTS (SELECT 1 FROM wv_explain e WHERE e.g && ST_Expand(s.s, ${NEAR}::float8) AND ST_DWithin(e.g, s.s, ${NEAR}::float8))
          AND NOT (SELECT bool_and(EXISTS (SELECT 1 FROM wv_seg o WHERE o.idx <> s.idx AND o.s && ST_Expand(pt, ${o.noiseM}::float8) AND ST_DWithin(o.s, pt, ${o.noiseM}::float8)))
                   FROM (SELECT ST_LineInterpolatePoint(s.s, f) AS pt FROM unnest(ARRAY[0, 0.25, 0.5, 0.75, 1]::float8[]) AS f) probes)),
      k AS (SELECT u.s, ARRAY(SELECT DISTINCT gr.idx FROM wv_grid gr WHERE gr.idx = u.idx OR (gr.g && ST_Expand(u.s, ${NEAR}::float8) AND ST_DWithin(gr.g, u.s, ${NEAR}::float8)) ORDER BY gr.idx) AS grids FROM u)
      SELECT grids, ST_AsGeoJSON(ST_Transform(ST_LineMerge(ST_Collect(s ORDER BY ST_XMin(s), ST_YMin(s))), 4326), 8) AS gj, sum(ST_Length(s)) AS len
      FROM k GROUP BY grids ORDER BY grids`)) {
      const g = named(r.grids);
      issues.push({ kind: 'sliver', grids: g, geometry: geo(r.gj), lengthM: r1(r.len),
        message: `${r1(r.len)} m of boundary of ${g.join(' and ')} do not match vertex for vertex (a gap or overlap too thin to measure)` });
    }

    lap('unmatched_edges');
    // --- shape: several parts
    for (const r of await q(sql<{ idx: number; parts: number; gj: string }>`
      SELECT idx, ST_NumGeometries(g)::int AS parts, ST_AsGeoJSON(ST_Transform(g, 4326), 8) AS gj FROM wv_grid WHERE ST_NumGeometries(g) > 1 ORDER BY idx`)) {
      issues.push({ kind: 'non_contiguous', grids: [codes[r.idx]], geometry: geo(r.gj), message: `grid ${codes[r.idx]} has ${r.parts} separate parts` });
    }

    // --- communities: nesting and codes
    const mainCom = new Map<number, string>();
    if (loaded.communities > 0) {
      await x(sql`DROP TABLE IF EXISTS wv_comsub, wv_gcov, wv_gcom`);
      await x(sql`CREATE TEMP TABLE wv_comsub ON COMMIT DROP AS SELECT code, ST_Subdivide(g, 256) AS g FROM wv_com`);
      await x(sql`CREATE INDEX ON wv_comsub USING gist (g)`);
      // a grid inside one community (the usual case, tested with the community prepared once) needs no overlay
      await x(sql`CREATE TEMP TABLE wv_gcov ON COMMIT DROP AS
        SELECT gr.idx, c.code, ST_Covers(c.g, gr.g) AS inside FROM wv_com c JOIN wv_grid gr ON gr.g && c.g AND ST_Intersects(c.g, gr.g)`);
      await x(sql`CREATE TEMP TABLE wv_gcom ON COMMIT DROP AS
        SELECT x.idx, x.code, ST_Area(gr.g) AS a FROM wv_gcov x JOIN wv_grid gr ON gr.idx = x.idx WHERE x.inside
        UNION ALL
        SELECT gr.idx, c.code, sum(ST_Area(ST_Intersection(gr.g, c.g, ${GRID}::float8))) AS a
        FROM wv_grid gr JOIN wv_comsub c ON gr.g && c.g AND ST_Intersects(gr.g, c.g)
        WHERE gr.idx IN (SELECT idx FROM wv_gcov GROUP BY idx HAVING NOT bool_or(inside))
        GROUP BY gr.idx, c.code`);
      const rows = await q(sql<{ idx: number; code: string; share: number; gj: string | null; hh: number; outside: number }>`
        WITH best AS (SELECT DISTINCT ON (idx) idx, code, a FROM wv_gcom ORDER BY idx, a DESC, code)
        SELECT gr.idx, best.code, best.a / NULLIF(ST_Area(gr.g), 0) AS share, ST_Area(gr.g) - best.a AS outside,
          CASE WHEN 1 - best.a / NULLIF(ST_Area(gr.g), 0) > ${o.nestTol}::float8 THEN
            ST_AsGeoJSON(ST_Transform(ST_CollectionExtract(ST_Difference(gr.g, (SELECT c.g FROM wv_com c WHERE c.code = best.code), ${GRID}::float8), 3), 4326), 8) END AS gj,
          CASE WHEN 1 - best.a / NULLIF(ST_Area(gr.g), 0) > ${o.nestTol}::float8 THEN
            (SELECT COALESCE(sum(pt.hh), 0)::int FROM wv_pts pt, wv_com c WHERE c.code = best.code AND pt.g && gr.g AND ST_Intersects(gr.g, pt.g) AND NOT ST_Intersects(c.g, pt.g)) ELSE 0 END AS hh
        FROM wv_grid gr JOIN best ON best.idx = gr.idx ORDER BY gr.idx`);
      for (const r of rows) {
        mainCom.set(r.idx, r.code);
        if (1 - r.share > o.nestTol) {
          const others = [...new Set((await q(sql<{ code: string }>`SELECT code FROM wv_gcom WHERE idx = ${r.idx}::int AND code <> ${r.code} AND a >= ${o.minAreaM2}::float8 ORDER BY code`)).map((c) => c.code))];
          issues.push({ kind: 'crosses_community', grids: [codes[r.idx]], geometry: geo(r.gj), areaM2: area(r.outside), households: r.hh,
            message: `grid ${codes[r.idx]} lies ${(100 * (1 - r.share)).toFixed(1)}% (${area(r.outside)} m²) outside its community ${r.code}, in ${others.join(', ') || 'no community'}` });
        }
      }
      for (const [idx, com] of mainCom) {
        const code = codes[idx];
        if (loaded.missingCode.includes(idx)) continue;
        if (!(code.startsWith(com) && code.length > com.length)) {
          issues.push({ kind: 'bad_code', grids: [code], geometry: await geomOf([idx]), message: `code ${code} does not extend the code of its community ${com}` });
        }
      }
    }

    lap('communities');
    // --- units kept whole
    for (const r of await q(sql<{ code: string; name: string | null; grids: number[]; gj: string; hh: number }>`
      WITH x AS (SELECT u.code, gr.idx FROM wv_unit u JOIN wv_grid gr ON gr.g && u.g AND ST_Intersects(gr.g, u.g)
                 WHERE ST_Area(ST_Intersection(gr.g, u.g, ${GRID}::float8)) > ${o.unitTol}::float8 * ST_Area(u.g))
      SELECT u.code, u.name, array_agg(x.idx ORDER BY x.idx) AS grids, ST_AsGeoJSON(ST_Transform(u.g, 4326), 8) AS gj,
        (SELECT COALESCE(sum(pt.hh), 0)::int FROM wv_pts pt WHERE pt.g && u.g AND ST_Intersects(u.g, pt.g)) AS hh
      FROM wv_unit u JOIN x ON x.code = u.code GROUP BY u.code, u.name, u.g HAVING count(*) > 1 ORDER BY u.code`)) {
      const g = named(r.grids);
      issues.push({ kind: 'unit_split', grids: g, geometry: geo(r.gj), households: r.hh, message: `unit ${r.code}${r.name ? ` (${r.name})` : ''} is split between ${g.join(', ')}` });
    }

    lap('units');
    // --- households: assignment and recount
    await x(sql`DROP TABLE IF EXISTS wv_hit, wv_pstat`);
    await x(sql`CREATE TEMP TABLE wv_hit ON COMMIT DROP AS
      SELECT p.id AS pid, gr.idx, ST_Contains(gr.g, p.g) AS inside FROM wv_pts p JOIN wv_grid gr ON gr.g && p.g AND ST_Intersects(gr.g, p.g)`);
    await x(sql`CREATE TEMP TABLE wv_pstat ON COMMIT DROP AS
      SELECT p.id AS pid, p.hh, p.inb, count(h.idx)::int AS ncov, count(h.idx) FILTER (WHERE h.inside)::int AS nin,
        array_agg(h.idx ORDER BY h.idx) FILTER (WHERE h.idx IS NOT NULL) AS grids
      FROM wv_pts p LEFT JOIN wv_hit h ON h.pid = p.id GROUP BY p.id, p.hh, p.inb`);
    const tot = (await q(sql<{ hh: number; unassigned: number; outside: number }>`
      SELECT COALESCE(sum(hh) FILTER (WHERE inb), 0)::int AS hh, COALESCE(sum(hh) FILTER (WHERE inb AND ncov = 0), 0)::int AS unassigned,
        COALESCE(sum(hh) FILTER (WHERE NOT inb), 0)::int AS outside FROM wv_pstat`))[0];
    const recount = new Map<number, number>(codes.map((_, i) => [i, 0]));
    for (const r of await q(sql<{ idx: number; hh: number }>`
      WITH credit AS (
        SELECT h.pid, h.idx FROM wv_hit h WHERE h.inside
        UNION ALL
        (SELECT DISTINCT ON (h.pid) h.pid, h.idx FROM wv_hit h JOIN wv_pstat s ON s.pid = h.pid AND s.nin = 0
          JOIN wv_grid gr ON gr.idx = h.idx ORDER BY h.pid, gr.code, gr.idx))
      SELECT c.idx, sum(p.hh)::int AS hh FROM credit c JOIN wv_pts p ON p.id = c.pid GROUP BY c.idx`)) recount.set(r.idx, r.hh);

    for (const r of await q(sql<{ near: number | null; n: number; hh: number; gj: string }>`
      SELECT (SELECT gr.idx FROM wv_grid gr WHERE gr.g IS NOT NULL ORDER BY gr.g <-> p.g, gr.idx LIMIT 1) AS near, count(*)::int AS n, sum(p.hh)::int AS hh,
        ST_AsGeoJSON(ST_Transform(ST_Collect(p.g ORDER BY p.id), 4326), 8) AS gj
      FROM wv_pstat s JOIN wv_pts p ON p.id = s.pid WHERE s.inb AND s.ncov = 0 GROUP BY 1 ORDER BY 1`)) {
      const g = r.near === null ? [] : [codes[r.near]];
      issues.push({ kind: 'household_unassigned', grids: g, geometry: geo(r.gj), households: r.hh,
        message: `${r.hh} households at ${r.n} address points lie in no grid${g.length ? ` (nearest grid ${g[0]})` : ''}` });
    }
    for (const r of await q(sql<{ grids: number[]; edge: boolean; n: number; hh: number; gj: string }>`
      SELECT s.grids, s.nin = 0 AS edge, count(*)::int AS n, sum(s.hh)::int AS hh, ST_AsGeoJSON(ST_Transform(ST_Collect(p.g ORDER BY p.id), 4326), 8) AS gj
      FROM wv_pstat s JOIN wv_pts p ON p.id = s.pid WHERE s.nin >= 2 OR (s.nin = 0 AND s.ncov >= 2) GROUP BY s.grids, s.nin = 0 ORDER BY s.grids, 2`)) {
      const g = named(r.grids);
      const first = [...r.grids].sort((a, b) => (codes[a] < codes[b] ? -1 : codes[a] > codes[b] ? 1 : a - b))[0];
      issues.push({ kind: 'household_in_two_grids', grids: g, geometry: geo(r.gj), households: r.hh,
        message: r.edge
          ? `${r.hh} households at ${r.n} address points lie on the shared boundary of ${g.join(' and ')}: counted in ${codes[first]} (first in code order)`
          : `${r.hh} households at ${r.n} address points lie inside ${g.join(' and ')} at once: counted in each` });
    }

    // claimed counts and bounds
    const dedicated = new Set((await q(sql<{ idx: number }>`
      SELECT DISTINCT gr.idx FROM wv_grid gr JOIN wv_unit u ON u.dedicated AND gr.g && u.g AND ST_Intersects(gr.g, u.g)
      WHERE ST_Area(ST_Intersection(gr.g, u.g, ${GRID}::float8)) > 0.5 * ST_Area(u.g)`)).map((r) => r.idx));
    const indivisible = new Set((await q(sql<{ idx: number }>`
      SELECT DISTINCT h.idx FROM wv_hit h JOIN wv_pts p ON p.id = h.pid WHERE p.hh > ${o.max}::int`)).map((r) => r.idx));
    const meta = await q(sql<{ idx: number; claimed: number | null; reason: string | null; usable: boolean; gj: string | null }>`
      SELECT idx, claimed, reason, g IS NOT NULL AS usable, ST_AsGeoJSON(ST_Transform(g, 4326), 8) AS gj FROM wv_grid ORDER BY idx`);
    for (const m of meta) {
      const code = codes[m.idx];
      const hh = recount.get(m.idx) ?? 0;
      if (m.claimed === null) {
        issues.push({ kind: 'households_mismatch', grids: [code], geometry: geo(m.gj), households: hh, message: `grid ${code} states no household count; ${hh} recounted` });
      } else if (m.claimed !== hh) {
        issues.push({ kind: 'households_mismatch', grids: [code], geometry: geo(m.gj), households: hh, message: `grid ${code} states ${m.claimed} households; ${hh} recounted` });
      }
      if (!m.usable) continue;
      if (hh < o.min || hh > o.max) {
        const excused = (m.reason === 'dedicated' && dedicated.has(m.idx)) || (m.reason === 'indivisible' && indivisible.has(m.idx));
        if (!excused) {
          issues.push({ kind: 'households_out_of_range', grids: [code], geometry: geo(m.gj), households: hh,
            message: `grid ${code} holds ${hh} households, ${hh < o.min ? `below ${o.min}` : `above ${o.max}`}${m.reason ? ` (stated reason "${m.reason}" not confirmed)` : ''}` });
        }
      }
    }

    lap('households');
    // --- streets as boundaries
    const off = await offStreetStretches(trx, context.jcode, { streetTolM: o.streetTolM, minOffStreetM: o.minOffStreetM, max: o.max, srid: loaded.srid });
    const byPair = new Map<string, { a: number; b: number | null; len: number; parts: GeoJsonGeometry[] }>();
    for (const s of off.stretches) {
      const rest = s.lengthM - s.excusedM;
      if (rest < o.minOffStreetM) continue;
      const k = `${s.a}|${s.b}`;
      const e = byPair.get(k) ?? { a: s.a, b: s.b, len: 0, parts: [] };
      e.len += rest;
      e.parts.push(JSON.parse(s.geojson) as GeoJsonGeometry);
      byPair.set(k, e);
    }
    let offStreetM = 0;
    for (const e of byPair.values()) {
      offStreetM += e.len;
      const g = named(e.b === null ? [e.a] : [e.a, e.b]);
      const lines = e.parts.flatMap((p) => (p.type === 'MultiLineString' ? (p.coordinates as unknown[]) : [p.coordinates]));
      issues.push({ kind: 'off_street_boundary', grids: g, geometry: { type: 'MultiLineString', coordinates: lines }, lengthM: r1(e.len),
        message: `${r1(e.len)} m of the boundary ${e.b === null ? `of ${g[0]}` : `between ${g.join(' and ')}`} run more than ${o.streetTolM} m from any street` });
    }

    lap('off_street');
    for (const [k, v] of Object.entries(off.timings)) timings[`off_street.${k}`] = v;
    // --- the report, in a stable order
    const order = new Map<IssueKind, number>(ISSUE_KINDS.map((k, i) => [k, i]));
    issues.sort((a, b) => (order.get(a.kind)! - order.get(b.kind)!) || a.grids.join(',').localeCompare(b.grids.join(',')) || a.message.localeCompare(b.message));
    const byKind = Object.fromEntries(ISSUE_KINDS.map((k) => [k, 0])) as Record<IssueKind, number>;
    for (const i of issues) byKind[i.kind]++;
    return {
      ok: issues.length === 0,
      summary: {
        jcode: context.jcode, srid: loaded.srid, grids: loaded.grids, households: tot.hh, unassignedHouseholds: tot.unassigned, outsideHouseholds: tot.outside,
        byKind, gapAreaM2: area(gapArea), overlapAreaM2: area(overlapArea), internalBoundaryM: r1(off.internalM), offStreetM: r1(offStreetM),
        coveragePath, communities: loaded.communities, seconds: +((performance.now() - t0) / 1000).toFixed(3), timings,
      },
      issues,
    };
  });
}

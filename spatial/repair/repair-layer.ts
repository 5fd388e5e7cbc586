/**
 * Repair a grid layer against a stored jurisdiction, so that it validates with no gap, overlap, invalid
 * geometry or sliver and every household inside the jurisdiction lies in exactly one grid.
 *
 * Method (a planar arrangement, one transaction, temporary tables wr_*):
 * 1. each grid is made valid (ST_MakeValid, polygonal part kept) and clipped to the jurisdiction;
 * 2. the outlines of all grids and the jurisdiction outline are noded together (precision 0.1 mm) and
 *    polygonized into faces that tile the jurisdiction exactly; each face knows the grids that cover it;
 * 3. a face covered once keeps its grid. A face covered several times (an overlap) goes to the covering grid
 *    whose own community (the one holding most of the grid) holds the face; if that does not decide, to the
 *    covering grid with the lowest code;
 * 4. faces covered by no grid are merged into connected gaps. A gap of at least `newGridMinAreaM2` holding at
 *    least `newGridMinHouseholds` becomes a new grid (code: its community's code + the next free 3-digit
 *    sequence); any other gap, slivers included, goes to the neighbouring grid with the longest shared border
 *    (ties: lowest code): the sliver is snapped onto that grid;
 * 5. a detached part of a grid smaller than `fragmentShare` of it goes the same way to its best neighbour;
 * 6. each grid is the union of its faces; shared edges come from the same noded lines, so neighbours share
 *    them exactly, and coordinates are written with 9 decimals (WGS-84) for every grid alike;
 * 7. households are recounted from the written outlines (interior first; a point on a shared edge goes to
 *    the first grid in code order) and written to `households`.
 */
import { sql, type Kysely } from 'kysely';
import { inTransaction } from '../../data/db/capabilities.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { WanggeError } from '../errors.ts';
import { loadLayer } from '../validate/load-layer.ts';
import type { GeoJsonGeometry, GridLayer, GridLayerFeature, IssueKind, ValidateContext } from '../validate/types.ts';
import { resolveRepairOptions, type RepairOptions } from './repair-options.ts';

export interface RepairChange {
  /** the kind of issue this change repairs */
  kind: IssueKind;
  /** grids concerned: the receiving grid first */
  grids: string[];
  areaM2?: number;
  households?: number;
  message: string;
}

export interface RepairResult {
  layer: GridLayer;
  changes: RepairChange[];
  summary: {
    grids: number;
    newGrids: number;
    droppedGrids: number;
    /** households of address points inside the jurisdiction, and of those the grids hold after repair */
    households: number;
    assignedHouseholds: number;
    seconds: number;
  };
}

const GRID = 0.0001;

const one = <T>(rows: T[], what: string): T => {
  if (rows.length !== 1) throw new WanggeError('engine', `${what}: expected one row, got ${rows.length} (a swallowed GEOS failure?)`);
  return rows[0];
};

/**
 * Repair `layer` against jurisdiction `context.jcode` (see the file comment for the rules). Returns the
 * repaired layer (properties kept, `households` recounted, `community` set where communities are stored) and
 * the list of changes.
 *
 * @example
 * const { layer: fixed, changes } = await repair(db, handDrawn, { jcode: '110108990000' });
 * for (const c of changes) console.log(c.kind, c.grids.join('→'), c.message);
 */
export async function repair(db: Kysely<any>, layer: GridLayer, context: ValidateContext, options: RepairOptions = {}): Promise<RepairResult> {
  const o = resolveRepairOptions(options);
  if (!context || typeof context.jcode !== 'string' || context.jcode === '') throw new WanggeError('bad_request', 'context.jcode is required', { parameter: 'jcode' });
  const t0 = performance.now();
  return inTransaction(db, async (trx) => {
    const loaded = await loadLayer(trx, layer, context.jcode);
    const codes = [...loaded.codes];
    const changes: RepairChange[] = [];
    const q = async <T>(query: ReturnType<typeof sql<T>>): Promise<T[]> => (await query.execute(trx)).rows;
    const x = (query: ReturnType<typeof sql>) => query.execute(trx);
    const area = (v: number) => (v >= 10 ? Math.round(v) : +v.toPrecision(3));
    const byCode = (a: number, b: number) => (codes[a] < codes[b] ? -1 : codes[a] > codes[b] ? 1 : a - b);

    // 1. valid and clipped
    for (const r of await q(sql<{ idx: number; note: string | null; why: string | null; usable: boolean }>`
      SELECT idx, note, why, g IS NOT NULL AS usable FROM wv_grid WHERE note IS NOT NULL OR why IS NOT NULL ORDER BY idx`)) {
      const what = [r.note, r.why].filter(Boolean).join('; ');
      changes.push({ kind: 'invalid_geometry', grids: [codes[r.idx]], message: r.usable
        ? `grid ${codes[r.idx]} (${what}) made valid, its polygonal part kept`
        : `grid ${codes[r.idx]} (${what}) has no usable polygon: left out, its area goes to the grids around it` });
    }
    await x(sql`DROP TABLE IF EXISTS wr_main, wr_g, wr_noded, wr_face, wr_own, wr_gap, wr_dec, wr_part, wr_out, wr_final, wr_hit`);
    await x(sql`CREATE TEMP TABLE wr_main ON COMMIT DROP AS
      SELECT DISTINCT ON (gr.idx) gr.idx, c.code AS com FROM wv_grid gr JOIN wv_com c ON gr.g && c.g AND ST_Intersects(gr.g, c.g)
      ORDER BY gr.idx, ST_Area(ST_Intersection(gr.g, c.g, ${GRID}::float8)) DESC, c.code`);
    await x(sql`CREATE TEMP TABLE wr_g ON COMMIT DROP AS
      SELECT gr.idx, ST_Area(gr.g) AS a0,
        CASE WHEN ST_CoveredBy(gr.g, b.g) THEN gr.g ELSE ST_Multi(ST_CollectionExtract(ST_Intersection(gr.g, b.g, ${GRID}::float8), 3)) END AS g
      FROM wv_grid gr, wv_bnd b WHERE gr.g IS NOT NULL`);
    const clip = one(await q(sql<{ n: number; usable: number }>`
      SELECT (SELECT count(*) FROM wr_g WHERE g IS NOT NULL)::int AS n, (SELECT count(*) FROM wv_grid WHERE g IS NOT NULL)::int AS usable`), 'clip');
    if (clip.n !== clip.usable) throw new WanggeError('engine', `clipping ${clip.usable} grids to the jurisdiction returned ${clip.n} (a swallowed GEOS failure?)`);
    for (const r of await q(sql<{ idx: number; cut: number }>`SELECT idx, a0 - ST_Area(g) AS cut FROM wr_g WHERE a0 - ST_Area(g) >= 0.01 ORDER BY idx`)) {
      changes.push({ kind: 'outside_jurisdiction', grids: [codes[r.idx]], areaM2: area(r.cut), message: `grid ${codes[r.idx]}: ${area(r.cut)} m² outside the jurisdiction cut off` });
    }
    await x(sql`DELETE FROM wr_g WHERE ST_IsEmpty(g)`);
    await x(sql`CREATE INDEX ON wr_g USING gist (g)`);

    // 2. faces of the arrangement
    await x(sql`CREATE TEMP TABLE wr_noded ON COMMIT DROP AS
      SELECT ST_UnaryUnion(ST_Collect(l), ${GRID}::float8) AS g FROM (SELECT ST_Boundary(g) AS l FROM wr_g UNION ALL SELECT outline FROM wv_bnd) z`);
    const noded = one(await q(sql<{ ok: boolean }>`SELECT (g IS NOT NULL AND NOT ST_IsEmpty(g)) AS ok FROM wr_noded`), 'noding');
    if (!noded.ok) throw new WanggeError('engine', 'noding the grid outlines returned nothing (a swallowed GEOS failure?)');
    await x(sql`CREATE TEMP TABLE wr_face ON COMMIT DROP AS
      SELECT row_number() OVER (ORDER BY ST_XMin(y.f), ST_YMin(y.f), ST_Area(y.f))::int AS id, y.f, y.p, ST_Area(y.f) AS a, NULL::int AS owner, 0 AS nown, NULL::int AS gap
      FROM (SELECT f, ST_PointOnSurface(f) AS p FROM (SELECT (ST_Dump(ST_Polygonize(g))).geom AS f FROM wr_noded) x) y, wv_bnd b WHERE ST_Intersects(b.g, y.p)`);
    const faces = one(await q(sql<{ n: number; a: number; b: number }>`SELECT count(*)::int AS n, COALESCE(sum(a), 0) AS a, (SELECT ST_Area(g) FROM wv_bnd) AS b FROM wr_face`), 'faces');
    if (faces.n === 0 || Math.abs(faces.a - faces.b) > Math.max(1, faces.b * 1e-6)) {
      throw new WanggeError('engine', `the faces of the grid outlines cover ${faces.a.toFixed(1)} m² of a ${faces.b.toFixed(1)} m² jurisdiction: polygonizing failed`);
    }
    await x(sql`CREATE INDEX ON wr_face USING gist (f)`);
    await x(sql`CREATE INDEX ON wr_face USING gist (p)`);

    // 3. owners; overlaps to one side
    await x(sql`CREATE TEMP TABLE wr_own ON COMMIT DROP AS SELECT f.id AS fid, g.idx FROM wr_face f JOIN wr_g g ON g.g && f.p AND ST_Intersects(g.g, f.p)`);
    await x(sql`UPDATE wr_face f SET owner = w.idx, nown = w.n FROM (
        SELECT DISTINCT ON (o.fid) o.fid, o.idx, count(*) OVER (PARTITION BY o.fid)::int AS n
        FROM wr_own o JOIN wr_face f2 ON f2.id = o.fid JOIN wv_grid gr ON gr.idx = o.idx LEFT JOIN wr_main m ON m.idx = o.idx
        ORDER BY o.fid, (EXISTS (SELECT 1 FROM wv_com c WHERE c.code = m.com AND ST_Intersects(c.g, f2.p))) DESC, gr.code, o.idx) w
      WHERE w.fid = f.id`);
    for (const r of await q(sql<{ winner: number; loser: number; sliver: boolean; a: number; hh: number; bycom: boolean }>`
      WITH lost AS (SELECT f.id, f.f, f.owner AS winner, o.idx AS loser FROM wr_face f JOIN wr_own o ON o.fid = f.id AND o.idx <> f.owner WHERE f.nown >= 2),
      parts AS (SELECT winner, loser, (ST_Dump(ST_UnaryUnion(ST_Collect(f), ${GRID}::float8))).geom AS g FROM lost GROUP BY winner, loser),
      k AS (SELECT winner, loser, g, 2 * ST_Area(g) / NULLIF(ST_Perimeter(g), 0) < ${o.sliverWidthM}::float8 AS sliver FROM parts)
      SELECT k.winner, k.loser, k.sliver, sum(ST_Area(k.g)) AS a,
        (SELECT COALESCE(sum(p.hh), 0)::int FROM wv_pts p WHERE p.g && ST_Collect(k.g) AND ST_Intersects(ST_Collect(k.g), p.g)) AS hh,
        bool_or(EXISTS (SELECT 1 FROM wr_main m JOIN wv_com c ON c.code = m.com WHERE m.idx = k.winner AND ST_Intersects(c.g, ST_PointOnSurface(k.g)))) AS bycom
      FROM k GROUP BY k.winner, k.loser, k.sliver ORDER BY k.winner, k.loser, k.sliver`)) {
      const [w, l] = [codes[r.winner], codes[r.loser]];
      const rule = r.bycom ? 'its community holds it' : 'lower code';
      changes.push({ kind: r.sliver ? 'sliver' : 'overlap', grids: [w, l], areaM2: area(r.a), households: r.hh,
        message: `${r.sliver ? 'sliver overlap' : 'overlap'} of ${area(r.a)} m²${r.hh ? ` (${r.hh} households)` : ''} between ${w} and ${l} given to ${w} (${rule})` });
    }

    // 4. gaps: new grids or the neighbour with the longest shared border
    await x(sql`CREATE TEMP TABLE wr_gap ON COMMIT DROP AS
      SELECT row_number() OVER (ORDER BY ST_XMin(g), ST_YMin(g), ST_Area(g))::int AS cid, g
      FROM (SELECT (ST_Dump(ST_UnaryUnion(ST_Collect(f), ${GRID}::float8))).geom AS g FROM wr_face WHERE owner IS NULL) z`);
    await x(sql`UPDATE wr_face f SET gap = c.cid FROM wr_gap c WHERE f.owner IS NULL AND c.g && f.p AND ST_Intersects(c.g, f.p)`);
    const lostFaces = one(await q(sql<{ n: number }>`SELECT count(*)::int AS n FROM wr_face WHERE owner IS NULL AND gap IS NULL`), 'gaps');
    if (lostFaces.n > 0) throw new WanggeError('engine', `${lostFaces.n} uncovered faces fell outside every gap (a swallowed GEOS failure?)`);
    const gaps = await q(sql<{ cid: number; a: number; width: number; hh: number; com: string | null; nb: Array<{ idx: number; len: number }> | null }>`
      SELECT c.cid, ST_Area(c.g) AS a, 2 * ST_Area(c.g) / NULLIF(ST_Perimeter(c.g), 0) AS width,
        (SELECT COALESCE(sum(p.hh), 0)::int FROM wv_pts p WHERE p.inb AND p.g && c.g AND ST_Intersects(c.g, p.g)) AS hh,
        (SELECT cm.code FROM wv_com cm WHERE cm.g && c.g AND ST_Intersects(cm.g, c.g) ORDER BY ST_Area(ST_Intersection(cm.g, c.g, ${GRID}::float8)) DESC, cm.code LIMIT 1) AS com,
        (SELECT json_agg(json_build_object('idx', n.owner, 'len', n.len)) FROM (
          SELECT f.owner, sum(ST_Length(ST_CollectionExtract(ST_Intersection(f.f, c.g), 2))) AS len
          FROM wr_face f WHERE f.owner IS NOT NULL AND f.f && c.g AND ST_Intersects(f.f, c.g) GROUP BY f.owner) n WHERE n.len > 0) AS nb
      FROM wr_gap c ORDER BY c.cid`);
    const newGrids: Array<{ idx: number; code: string; community: string | null }> = [];
    const decisions: Array<{ cid: number; idx: number }> = [];
    const nextSeq = new Map<string, number>();
    const nextCode = (prefix: string) => {
      if (!nextSeq.has(prefix)) {
        let max = 0;
        for (const c of codes) if (c.startsWith(prefix) && /^\d{3}$/.test(c.slice(prefix.length))) max = Math.max(max, Number(c.slice(prefix.length)));
        nextSeq.set(prefix, max + 1);
      }
      const n = nextSeq.get(prefix)!;
      nextSeq.set(prefix, n + 1);
      return `${prefix}${String(n).padStart(3, '0')}`;
    };
    for (const g of gaps) {
      const nb = (g.nb ?? []).sort((a, b) => b.len - a.len || byCode(a.idx, b.idx));
      const sliver = g.width < o.sliverWidthM;
      if ((g.a >= o.newGridMinAreaM2 && g.hh >= o.newGridMinHouseholds && !sliver) || nb.length === 0) {
        const idx = codes.length;
        const code = nextCode(g.com ?? context.jcode);
        codes.push(code);
        newGrids.push({ idx, code, community: g.com });
        decisions.push({ cid: g.cid, idx });
        changes.push({ kind: 'gap', grids: [code], areaM2: area(g.a), households: g.hh, message: `gap of ${area(g.a)} m² holding ${g.hh} households became the new grid ${code}` });
      } else {
        const to = nb[0];
        decisions.push({ cid: g.cid, idx: to.idx });
        const around = [...new Set(nb.map((n) => codes[n.idx]))].filter((c) => c !== codes[to.idx]);
        changes.push({ kind: sliver ? 'sliver' : 'gap', grids: [codes[to.idx], ...around.sort()], areaM2: area(g.a), households: g.hh,
          message: `${sliver ? `sliver gap (${g.width.toFixed(2)} m wide)` : 'gap'} of ${area(g.a)} m²${g.hh ? ` (${g.hh} households)` : ''} given to ${codes[to.idx]}, the neighbour with the longest shared border (${to.len.toFixed(1)} m)${sliver ? ': snapped' : ''}` });
      }
    }
    await x(sql`CREATE TEMP TABLE wr_dec (cid integer, idx integer) ON COMMIT DROP`);
    await bulkInsert(trx, 'wr_dec', [{ name: 'cid', kind: 'integer' }, { name: 'idx', kind: 'integer' }], decisions);
    await x(sql`UPDATE wr_face f SET owner = d.idx FROM wr_dec d WHERE f.gap = d.cid`);

    // 5. small detached parts to their best neighbour
    await x(sql`CREATE TEMP TABLE wr_part ON COMMIT DROP AS
      SELECT owner AS idx, part, ST_Area(part) AS a, sum(ST_Area(part)) OVER (PARTITION BY owner) AS total,
        rank() OVER (PARTITION BY owner ORDER BY ST_Area(part) DESC, ST_XMin(part), ST_YMin(part)) AS rk
      FROM (SELECT owner, (ST_Dump(ST_UnaryUnion(ST_Collect(f), ${GRID}::float8))).geom AS part FROM wr_face GROUP BY owner) z`);
    const frags = await q(sql<{ idx: number; a: number; hh: number; part: string; nb: Array<{ idx: number; len: number }> | null }>`
      SELECT p.idx, p.a, ST_AsEWKT(p.part) AS part,
        (SELECT COALESCE(sum(pt.hh), 0)::int FROM wv_pts pt WHERE pt.g && p.part AND ST_Intersects(p.part, pt.g)) AS hh,
        (SELECT json_agg(json_build_object('idx', n.owner, 'len', n.len)) FROM (
          SELECT f.owner, sum(ST_Length(ST_CollectionExtract(ST_Intersection(f.f, p.part), 2))) AS len
          FROM wr_face f WHERE f.owner <> p.idx AND f.f && p.part AND ST_Intersects(f.f, p.part) GROUP BY f.owner) n WHERE n.len > 0) AS nb
      FROM wr_part p WHERE p.rk > 1 AND p.a < ${o.fragmentShare}::float8 * p.total ORDER BY p.idx, p.rk`);
    for (const f of frags) {
      const nb = (f.nb ?? []).sort((a, b) => b.len - a.len || byCode(a.idx, b.idx));
      if (nb.length === 0) continue;
      await x(sql`UPDATE wr_face SET owner = ${nb[0].idx}::int WHERE owner = ${f.idx}::int AND ST_Intersects(ST_GeomFromEWKT(${f.part}), p)`);
      changes.push({ kind: 'non_contiguous', grids: [codes[nb[0].idx], codes[f.idx]], areaM2: area(f.a), households: f.hh,
        message: `detached part of ${codes[f.idx]} (${area(f.a)} m²${f.hh ? `, ${f.hh} households` : ''}) given to ${codes[nb[0].idx]}, the neighbour with the longest shared border` });
    }

    // 6. grids from faces, written with 9 decimals
    await x(sql`CREATE TEMP TABLE wr_out ON COMMIT DROP AS
      SELECT owner AS idx, ST_UnaryUnion(ST_Collect(f ORDER BY id), ${GRID}::float8) AS g FROM wr_face GROUP BY owner`);
    const out = one(await q(sql<{ n: number; owners: number }>`
      SELECT (SELECT count(*) FROM wr_out WHERE g IS NOT NULL AND NOT ST_IsEmpty(g))::int AS n, (SELECT count(DISTINCT owner) FROM wr_face)::int AS owners`), 'grids');
    if (out.n !== out.owners) throw new WanggeError('engine', `uniting the faces of ${out.owners} grids returned ${out.n} (a swallowed GEOS failure?)`);
    await x(sql`CREATE TEMP TABLE wr_final ON COMMIT DROP AS
      SELECT idx, CASE WHEN ST_IsValid(g4) THEN g4 ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(g4), 3)) END AS g4
      FROM (SELECT idx, ST_SetSRID(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_Transform(ST_Multi(ST_CollectionExtract(g, 3)), 4326), 9)), 4326) AS g4 FROM wr_out) z`);
    await x(sql`ALTER TABLE wr_final ADD COLUMN g geometry`);
    await x(sql`UPDATE wr_final SET g = ST_Transform(g4, ${loaded.srid}::int)`);
    await x(sql`CREATE INDEX ON wr_final USING gist (g)`);

    // 7. recount
    await x(sql`CREATE TEMP TABLE wr_hit ON COMMIT DROP AS
      SELECT p.id AS pid, p.hh, p.inb, f.idx, ST_Contains(f.g, p.g) AS inside FROM wv_pts p JOIN wr_final f ON f.g && p.g AND ST_Intersects(f.g, p.g)`);
    await x(sql`CREATE TEMP TABLE wr_code (idx integer, code text) ON COMMIT DROP`);
    await bulkInsert(trx, 'wr_code', [{ name: 'idx', kind: 'integer' }, { name: 'code', kind: 'text' }], codes.map((code, idx) => ({ idx, code })));
    const recount = new Map<number, number>();
    for (const r of await q(sql<{ idx: number; hh: number }>`
      WITH nin AS (SELECT pid, count(*) FILTER (WHERE inside) AS n FROM wr_hit GROUP BY pid),
      credit AS (
        SELECT h.pid, h.hh, h.idx FROM wr_hit h WHERE h.inside
        UNION ALL
        (SELECT DISTINCT ON (h.pid) h.pid, h.hh, h.idx FROM wr_hit h JOIN nin ON nin.pid = h.pid AND nin.n = 0 JOIN wr_code c ON c.idx = h.idx ORDER BY h.pid, c.code, h.idx))
      SELECT idx, sum(hh)::int AS hh FROM credit GROUP BY idx`)) recount.set(r.idx, r.hh);
    const hh = one(await q(sql<{ total: number; assigned: number }>`
      SELECT COALESCE(sum(hh) FILTER (WHERE inb), 0)::int AS total,
        COALESCE(sum(hh) FILTER (WHERE inb AND EXISTS (SELECT 1 FROM wr_hit h WHERE h.pid = p.id)), 0)::int AS assigned FROM wv_pts p`), 'households');

    // the layer
    const rows = await q(sql<{ idx: number; gj: string; com: string | null }>`
      SELECT f.idx, ST_AsGeoJSON(CASE WHEN ST_NumGeometries(f.g4) = 1 THEN ST_GeometryN(f.g4, 1) ELSE f.g4 END, 9) AS gj,
        (SELECT c.code FROM wv_com c WHERE c.g && f.g AND ST_Intersects(c.g, f.g) ORDER BY ST_Area(ST_Intersection(c.g, f.g, ${GRID}::float8)) DESC, c.code LIMIT 1) AS com
      FROM wr_final f ORDER BY f.idx`);
    const kept = new Set(rows.map((r) => r.idx));
    let dropped = 0;
    for (let i = 0; i < loaded.grids; i++) {
      if (kept.has(i)) continue;
      dropped++;
      changes.push({ kind: 'overlap', grids: [codes[i]], message: `grid ${codes[i]} kept no area of its own (covered by other grids or unusable): dropped` });
    }
    const features: GridLayerFeature[] = rows.map((r) => {
      const src = r.idx < loaded.grids ? layer.features[r.idx] : null;
      const props: Record<string, unknown> = { ...(src?.properties ?? {}) };
      if (r.idx >= loaded.grids || props.code === undefined || props.code === null || props.code === '') props.code = codes[r.idx];
      props.households = recount.get(r.idx) ?? 0;
      if (r.com !== null) props.community = r.com;
      if (r.idx >= loaded.grids) props.repair = 'new grid from a gap';
      return { type: 'Feature', properties: props, geometry: JSON.parse(r.gj) as GeoJsonGeometry };
    });
    return {
      layer: { type: 'FeatureCollection', features },
      changes,
      summary: { grids: features.length, newGrids: newGrids.length, droppedGrids: dropped, households: hh.total, assignedHouseholds: hh.assigned,
        seconds: +((performance.now() - t0) / 1000).toFixed(3) },
    };
  });
}

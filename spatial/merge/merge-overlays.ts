/**
 * 多网合一: merge K departmental overlay layers (party-building, security, economic, …) into one comprehensive
 * grid layer that obeys every rule of the partition (streets as boundaries, min–max households, nested in
 * communities, units whole) while keeping the existing zones as intact as it can.
 *
 * How (see README.md beside this file): the street blocks are built as for a partition; each block is labelled,
 * per layer, with the zone holding most of its households (else most of its area). Each layer's zones are then
 * tried as the starting grids of every community part, and mended only where they break the bounds: a zone
 * above max split inside itself, an out-of-range zone given or lent just enough households by a neighbour (or
 * redrawn with one or two neighbours), neighbouring grids that share a zone rebalanced, every candidate scored
 * by the grids left out of range first and then by the households kept with their zones in all layers. The
 * best start wins (a partition from scratch only where no start keeps every grid in range).
 * Then, from the stored plan: a crosswalk zone × grid with shared households, a "1 + N" roster per grid, a
 * conflict report of where the layers disagree, and the fidelity of each layer.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { noProgress, type ProgressFn } from '../progress.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { partitionJurisdiction, type PartitionSummary } from '../partition/partition-jurisdiction.ts';
import { aggregate } from '../partition/aggregate.ts';

export interface OverlayFeature {
  type: 'Feature';
  properties: Record<string, unknown> | null;
  geometry: { type: string; coordinates: unknown } | null;
}

export interface OverlayLayerInput {
  /** layer name, e.g. party_building */
  name: string;
  /** where it came from, for error messages */
  file?: string;
  features: OverlayFeature[];
}

export interface MergeOptions {
  jcode: string;
  min?: number;
  max?: number;
  seed?: number;
  name?: string;
  /** cost per metre of a grid boundary through one layer's zone (default 2) */
  cutWeight?: number;
  /** cost per household kept apart from its zone (default 20) */
  zoneWeight?: number;
  progress?: ProgressFn;
}

export interface CrosswalkRow { layer: string; zone: string; grid: string; households: number; share: number }
export interface RosterRow { grid: string; role: 'leader' | 'member'; name: string; phone: string; layer: string; zone: string; households: number }
export interface ConflictFeature {
  type: 'Feature';
  properties: { kind: 'gap' | 'overlap' | 'disagreement'; layers: string[]; zones: string[]; areaM2: number; households: number; message: string };
  geometry: unknown;
}

export interface MergeResult {
  summary: PartitionSummary;
  /**
   * per layer, of the households inside its zones: the share in a grid lying (≥ 95% of its households) inside
   * one zone, or in a zone lying (≥ 95%) inside one grid. Households in none of a layer's zones (its gaps,
   * reported as conflicts) carry no responsibility of that layer to cut, so they do not count.
   */
  fidelity: Record<string, number>;
  crosswalk: CrosswalkRow[];
  roster: RosterRow[];
  conflicts: { type: 'FeatureCollection'; features: ConflictFeature[] };
  /** where the layers cost the merge: the zones whose households lost fidelity, and the grids out of range */
  attribution: MergeAttribution;
}

/**
 * A zone some of whose households do not count as kept (fidelity), with why it could not stay whole:
 * `above-max` (it holds more than max households, and the grids cut from it are not pure), `across-communities`
 * (its households lie in more than one community: grids nest in communities), `rebalanced` (cut so that grids
 * stay in range, or to keep another layer's zones whole).
 */
export interface ZoneLoss { layer: string; zone: string; households: number; lost: number; grids: number; largestShare: number; cause: 'above-max' | 'across-communities' | 'rebalanced'; message: string }
/** A grid out of range, with the zone of each layer holding most of its households and that zone's total. */
export interface GridOutOfRange { grid: string; households: number; reason: string | null; zones: Array<{ layer: string; zone: string; households: number; zoneHouseholds: number }>; message: string }
export interface MergeAttribution { zonesCut: ZoneLoss[]; gridsOutOfRange: GridOutOfRange[] }

/** conflict pieces holding no households and narrower than this on average (2 × area / perimeter) are left out as tracing slivers */
const SLIVER_WIDTH_M = 3;

const PERSON_KEYS = ['person', 'responsible', 'leader', 'name_of_person', '负责人', '网格员'];
const PHONE_KEYS = ['phone', 'tel', 'mobile', '电话', '联系电话'];

function pick(p: Record<string, unknown>, keys: string[]): string {
  for (const k of keys) if (p[k] != null && String(p[k]) !== '') return String(p[k]);
  return '';
}

/** Check and store the layers (replacing same-named layers of the jurisdiction). */
async function storeLayers(trx: Kysely<any>, jcode: string, layers: OverlayLayerInput[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const names = new Set<string>();
  for (const layer of layers) {
    if (!/^[\p{L}\p{N}_-]{1,64}$/u.test(layer.name)) throw new WanggeError('bad_request', `layer name ${JSON.stringify(layer.name)}: use letters, digits, _ or -`, { parameter: 'layer' });
    if (names.has(layer.name)) throw new WanggeError('bad_request', `layer ${layer.name} given twice`, { parameter: 'layer' });
    names.add(layer.name);
    const file = layer.file ?? layer.name;
    const codes = new Set<string>();
    layer.features.forEach((f, i) => {
      const t = f?.geometry?.type;
      if (t !== 'Polygon' && t !== 'MultiPolygon') throw new WanggeError('bad_feature', `zone geometry must be Polygon or MultiPolygon, got ${t ?? 'none'}`, { file, featureIndex: i });
      const code = f.properties?.code;
      if (code == null || String(code) === '') throw new WanggeError('bad_feature', 'zone has no properties.code', { file, featureIndex: i, field: 'code' });
      if (codes.has(String(code))) throw new WanggeError('bad_feature', `duplicate zone code ${code}`, { file, featureIndex: i, field: 'code' });
      codes.add(String(code));
    });
    await trx.deleteFrom('overlay_layers').where('jcode', '=', jcode).where('name', '=', layer.name).execute();
    const row = await trx.insertInto('overlay_layers').values({ jcode, name: layer.name, department: String(layer.features[0]?.properties?.department ?? '') || null })
      .returning('id').executeTakeFirstOrThrow();
    const id = Number(row.id);
    ids.set(layer.name, id);
    await bulkInsert(trx, 'overlay_zones', [
      { name: 'jcode', kind: 'text' }, { name: 'layer_id', kind: 'bigint' }, { name: 'code', kind: 'text' }, { name: 'name', kind: 'text' },
      { name: 'attrs', kind: 'jsonb' }, { name: 'geom', kind: 'geometry' },
    ], layer.features.map((f) => ({
      jcode, layer_id: id, code: String(f.properties!.code), name: f.properties?.name != null ? String(f.properties.name) : null,
      attrs: f.properties ?? {}, geom: f.geometry!.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [f.geometry!.coordinates] } : f.geometry,
    })));
    // invalid rings are repaired (hand-drawn zones often bow-tie), not refused
    await sql`UPDATE overlay_zones SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
      WHERE jcode = ${jcode} AND layer_id = ${id}::bigint AND NOT ST_IsValid(geom)`.execute(trx);
  }
  return ids;
}

/**
 * Merge overlay layers into a comprehensive grid plan (a draft), with crosswalk, roster, conflicts and fidelity.
 *
 * @example
 * const r = await mergeOverlays(db, { jcode }, [{ name: 'security', features }, { name: 'party_building', features: f2 }]);
 * r.fidelity.security // e.g. 0.93
 */
export async function mergeOverlays(db: Kysely<any>, opts: MergeOptions, layers: OverlayLayerInput[]): Promise<MergeResult> {
  if (!layers.length) throw new WanggeError('bad_request', 'give at least one layer to merge', { parameter: 'layer' });
  const progress = opts.progress ?? noProgress;
  const cutWeight = opts.cutWeight ?? 2;
  const zoneWeight = opts.zoneWeight ?? 20;
  const min = opts.min ?? 400, max = opts.max ?? 600;
  let layerIds = new Map<string, number>();
  let extras: Omit<MergeResult, 'summary'> | null = null;

  const summary = await partitionJurisdiction(db, {
    jcode: opts.jcode, min, max, seed: opts.seed, name: opts.name ?? `多网合一 ${layers.map((l) => l.name).join(' + ')}`,
    progress,
    grouping: {
      method: 'merge',
      group: async (trx, ng, graph, bounds) => {
        layerIds = await storeLayers(trx, opts.jcode, layers);
        const srid = graph.srid;
        await sql`DROP TABLE IF EXISTS wg_zone`.execute(trx);
        await sql`CREATE TEMP TABLE wg_zone ON COMMIT DROP AS
          SELECT l.name AS layer, z.code, ST_Transform(z.geom, ${srid}::int) AS g
          FROM overlay_zones z JOIN overlay_layers l ON l.jcode = z.jcode AND l.id = z.layer_id
          WHERE z.jcode = ${opts.jcode} AND l.name = ANY(${[...layerIds.keys()]}::text[])`.execute(trx);
        await sql`CREATE INDEX ON wg_zone USING gist (g)`.execute(trx);
        // per atom and layer: the zone with most of its households, else most of its area
        const { rows } = await sql<{ aid: number; layer: string; code: string; hh: number; ar: number }>`
          WITH az AS (
            SELECT a.id AS aid, z.layer, z.code, ST_Area(ST_Intersection(a.g, z.g)) AS ar
            FROM wg_atoms a JOIN wg_zone z ON a.g && z.g AND ST_Intersects(a.g, z.g)),
          pz AS (
            SELECT pa.aid, z.layer, z.code, sum(pa.hh) AS hh
            FROM wg_pa pa JOIN wg_pts p ON p.id = pa.pid JOIN wg_zone z ON z.g && p.g AND ST_Intersects(z.g, p.g)
            GROUP BY pa.aid, z.layer, z.code)
          SELECT DISTINCT ON (az.aid, az.layer) az.aid, az.layer, az.code, COALESCE(pz.hh, 0)::int AS hh, az.ar
          FROM az LEFT JOIN pz ON pz.aid = az.aid AND pz.layer = az.layer AND pz.code = az.code
          WHERE az.ar > 0
          ORDER BY az.aid, az.layer, COALESCE(pz.hh, 0) DESC, az.ar DESC, az.code`.execute(trx);
        const atomIndex = new Map(graph.atoms.map((a, i) => [a.id, i]));
        const layerNames = [...layerIds.keys()];
        // node labels: weighted vote of its atoms (households, then area)
        const votes = ng.nodes.map(() => layerNames.map(() => new Map<string, number>()));
        for (const r of rows) {
          const a = graph.atoms[atomIndex.get(r.aid)!];
          const ni = ng.atomNode.get(r.aid)!;
          const li = layerNames.indexOf(r.layer);
          const m = votes[ni][li];
          m.set(r.code, (m.get(r.code) ?? 0) + r.hh * 1e6 + Math.min(r.ar, a.area) / Math.max(a.area, 1));
        }
        const label = votes.map((perLayer) => perLayer.map((m) => {
          let best: string | null = null, bv = -1;
          for (const [c, v] of [...m.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) if (v > bv) { bv = v; best = c; }
          return best;
        }));
        // cut weights: a border inside one zone of L layers
        for (let i = 0; i < ng.adj.length; i++) {
          for (const e of ng.adj[i]) {
            let w = 0;
            for (let li = 0; li < layerNames.length; li++) if (label[i][li] !== null && label[i][li] === label[e.n][li]) w++;
            e.w = w;
          }
        }
        // households of each zone at block level, per layer (and of no zone)
        const zoneHh = layerNames.map((_, li) => {
          const hh = new Map<string, number>();
          ng.nodes.forEach((n, ni) => { const z = label[ni][li]; if (z) hh.set(z, (hh.get(z) ?? 0) + n.households); });
          return [...hh.values()];
        });
        const inRange = zoneHh.map((vals) => (vals.length ? vals.filter((h) => h >= bounds.min && h <= bounds.max).length / vals.length : 0));
        // every layer's zones are tried as the start: first the layer whose zones best fit the bounds (which wins a tie)
        const primary = inRange.indexOf(Math.max(...inRange));
        const starts = [primary, ...layerNames.map((_, li) => li).filter((li) => li !== primary)];
        if (process.env.WANGGE_PROFILE === '1') {
          layerNames.forEach((ln, li) => {
            const none = ng.nodes.reduce((t, n, ni) => t + (label[ni][li] ? 0 : n.households), 0);
            process.stderr.write(`merge: layer ${ln}: ${zoneHh[li].length} zones at block level, ${(inRange[li] * 100).toFixed(0)}% in range, ${none} households in no zone\n`);
          });
        }
        // zones larger than a grid should each hold whole grids; smaller ones should lie whole in a grid
        const modes = zoneHh.map((vals): 'purity' | 'containment' => {
          const sorted = [...vals].sort((x, y) => x - y);
          return (sorted[Math.floor(sorted.length / 2)] ?? 0) >= bounds.min ? 'purity' : 'containment';
        });
        const startLabel = (li: number) => (n: number) => label[n][li];
        return aggregate(ng, { min: bounds.min, max: bounds.max, seed: bounds.seed, cutWeight, initialLabel: startLabel(starts[0]),
          otherLabels: starts.slice(1).map(startLabel),
          zones: { layers: modes, label: (n, L) => label[n][L], weight: zoneWeight } });
      },
    },
    afterStore: async (trx, planId) => {
      extras = await mergeReports(trx, opts.jcode, planId, [...layerIds.keys()], min, max);
    },
  });
  return { summary, ...extras! };
}

async function mergeReports(trx: Kysely<any>, jcode: string, planId: number, layerNames: string[], min: number, max: number): Promise<Omit<MergeResult, 'summary'>> {
  // points × zones × grids (each point credited to one grid: interior first, else the first code)
  await sql`DROP TABLE IF EXISTS wg_pg, wg_pz`.execute(trx);
  await sql`CREATE TEMP TABLE wg_pg ON COMMIT DROP AS
    SELECT DISTINCT ON (p.id) p.id AS pid, p.households AS hh, g.code AS grid
    FROM address_points p JOIN grids g ON g.jcode = p.jcode AND g.plan_id = ${planId}::bigint AND g.geom && p.geom AND ST_Intersects(g.geom, p.geom)
    WHERE p.jcode = ${jcode}
    ORDER BY p.id, ST_Contains(g.geom, p.geom) DESC, g.code`.execute(trx);
  await sql`CREATE TEMP TABLE wg_pz ON COMMIT DROP AS
    SELECT pg.pid, pg.hh, pg.grid, l.name AS layer, z.code AS zone
    FROM wg_pg pg JOIN address_points p ON p.jcode = ${jcode} AND p.id = pg.pid
    JOIN overlay_zones z ON z.jcode = ${jcode} AND z.geom && p.geom AND ST_Intersects(z.geom, p.geom)
    JOIN overlay_layers l ON l.jcode = z.jcode AND l.id = z.layer_id AND l.name = ANY(${layerNames}::text[])`.execute(trx);
  await sql`CREATE INDEX ON wg_pz (pid, layer)`.execute(trx);
  await sql`CREATE INDEX ON wg_pz (layer, zone)`.execute(trx);
  await sql`CREATE INDEX ON wg_pg (grid)`.execute(trx);
  await sql`ANALYZE wg_pz`.execute(trx);
  await sql`ANALYZE wg_pg`.execute(trx);

  // crosswalk: zone × grid with shared households; zones × grids that overlap in area but share none appear with 0;
  // households of a layer in no zone appear under zone ''
  const { rows: cw } = await sql<CrosswalkRow>`
    WITH hh AS (SELECT layer, zone, grid, sum(hh)::int AS households FROM wg_pz GROUP BY layer, zone, grid),
    area AS (
      SELECT l.name AS layer, z.code AS zone, g.code AS grid
      FROM overlay_zones z JOIN overlay_layers l ON l.jcode = z.jcode AND l.id = z.layer_id AND l.name = ANY(${layerNames}::text[])
      JOIN grids g ON g.jcode = z.jcode AND g.plan_id = ${planId}::bigint AND g.geom && z.geom AND ST_Intersects(g.geom, z.geom)
      WHERE z.jcode = ${jcode} AND ST_Area(ST_Intersection(g.geom, z.geom)::geography) > 1),
    nozone AS (
      SELECT ln.layer, '' AS zone, pg.grid, sum(pg.hh)::int AS households
      FROM wg_pg pg CROSS JOIN unnest(${layerNames}::text[]) AS ln(layer)
      WHERE NOT EXISTS (SELECT 1 FROM wg_pz x WHERE x.pid = pg.pid AND x.layer = ln.layer)
      GROUP BY ln.layer, pg.grid),
    alls AS (
      SELECT COALESCE(hh.layer, area.layer) AS layer, COALESCE(hh.zone, area.zone) AS zone, COALESCE(hh.grid, area.grid) AS grid, COALESCE(hh.households, 0) AS households
      FROM hh FULL JOIN area ON area.layer = hh.layer AND area.zone = hh.zone AND area.grid = hh.grid
      UNION ALL SELECT layer, zone, grid, households FROM nozone)
    SELECT layer, zone, grid, households,
      COALESCE(households::float8 / NULLIF(sum(households) OVER (PARTITION BY layer, zone), 0), 0) AS share
    FROM alls ORDER BY layer, zone, grid`.execute(trx);

  // fidelity, and which zones cost it
  const { fidelity, attribution } = await keptByZone(trx, jcode, planId, layerNames, min, max);

  // roster "1 + N": members from every zone sharing households with the grid; the leader is the member of the
  // first layer whose zone shares most households with the grid
  const { rows: zones } = await sql<{ layer: string; zone: string; attrs: Record<string, unknown> }>`
    SELECT l.name AS layer, z.code AS zone, z.attrs FROM overlay_zones z JOIN overlay_layers l ON l.jcode = z.jcode AND l.id = z.layer_id
    WHERE z.jcode = ${jcode} AND l.name = ANY(${layerNames}::text[])`.execute(trx);
  const zoneAttrs = new Map(zones.map((z) => [`${z.layer}\u0000${z.zone}`, z.attrs ?? {}]));
  const roster: RosterRow[] = [];
  const byGrid = new Map<string, CrosswalkRow[]>();
  for (const r of cw) if (r.zone && r.households > 0) byGrid.set(r.grid, [...(byGrid.get(r.grid) ?? []), r]);
  const { rows: gridCodes } = await sql<{ code: string }>`SELECT code FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint ORDER BY code`.execute(trx);
  for (const { code } of gridCodes) {
    const rows = (byGrid.get(code) ?? []).slice().sort((a, b) => layerNames.indexOf(a.layer) - layerNames.indexOf(b.layer) || b.households - a.households || (a.zone < b.zone ? -1 : 1));
    const members = rows.map((r): RosterRow => {
      const attrs = zoneAttrs.get(`${r.layer}\u0000${r.zone}`) ?? {};
      return { grid: code, role: 'member', name: pick(attrs, PERSON_KEYS), phone: pick(attrs, PHONE_KEYS), layer: r.layer, zone: r.zone, households: r.households };
    });
    const leaderIdx = members.findIndex((m) => m.name);
    if (leaderIdx >= 0) members[leaderIdx] = { ...members[leaderIdx], role: 'leader' };
    members.sort((a, b) => (a.role === 'leader' ? -1 : b.role === 'leader' ? 1 : 0));
    roster.push(...members);
  }

  // conflicts: gaps and self-overlaps of each layer; pieces where two layers pair zones against the majority
  const { rows: conf } = await sql<{ kind: ConflictFeature['properties']['kind']; layers: string[]; zones: string[]; area: number; hh: number; gj: string }>`
    WITH z AS (
      SELECT l.name AS layer, z.code, z.geom FROM overlay_zones z JOIN overlay_layers l ON l.jcode = z.jcode AND l.id = z.layer_id
      WHERE z.jcode = ${jcode} AND l.name = ANY(${layerNames}::text[])),
    b AS (SELECT geom FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}),
    gaps AS (
      SELECT 'gap'::text AS kind, ARRAY[lz.layer] AS layers, ARRAY[]::text[] AS zones,
        ST_CollectionExtract(ST_Difference(b.geom, (SELECT ST_UnaryUnion(ST_Collect(z2.geom), 1e-9) FROM z z2 WHERE z2.layer = lz.layer), 1e-9), 3) AS g
      FROM (SELECT DISTINCT layer FROM z) lz, b),
    zoverlaps AS (
      SELECT 'overlap'::text, ARRAY[a.layer], ARRAY[a.code, c.code], ST_CollectionExtract(ST_Intersection(a.geom, c.geom, 1e-9), 3)
      FROM z a JOIN z c ON a.layer = c.layer AND a.code < c.code AND a.geom && c.geom AND ST_Relate(a.geom, c.geom, 'T********')),
    shared AS (
      SELECT a.layer AS la, a.zone AS za, c.layer AS lc, c.zone AS zc, sum(a.hh) AS hh
      FROM wg_pz a JOIN wg_pz c ON c.pid = a.pid AND a.layer < c.layer GROUP BY 1, 2, 3, 4),
    pairs AS (
      SELECT a.layer AS la, a.code AS za, c.layer AS lc, c.code AS zc, COALESCE(sh.hh, 0) AS hh,
        ST_CollectionExtract(ST_Intersection(a.geom, c.geom, 1e-9), 3) AS g
      FROM z a JOIN z c ON a.layer < c.layer AND a.geom && c.geom AND ST_Relate(a.geom, c.geom, 'T********')
      LEFT JOIN shared sh ON sh.la = a.layer AND sh.za = a.code AND sh.lc = c.layer AND sh.zc = c.code),
    ranked AS (SELECT *, rank() OVER (PARTITION BY la, za, lc ORDER BY hh DESC, ST_Area(g) DESC, zc) AS rk FROM pairs),
    disagree AS (SELECT 'disagreement'::text, ARRAY[la, lc], ARRAY[za, zc], g FROM ranked WHERE rk > 1),
    alls AS MATERIALIZED (SELECT * FROM gaps UNION ALL SELECT * FROM zoverlaps UNION ALL SELECT * FROM disagree),
    measured AS MATERIALIZED (
      SELECT kind, layers, zones, g, ST_Area(g::geography) AS area, ST_Perimeter(g::geography) AS perim,
        (SELECT COALESCE(sum(p.households), 0) FROM address_points p WHERE p.jcode = ${jcode} AND p.geom && alls.g AND ST_Intersects(alls.g, p.geom))::int AS hh
      FROM alls WHERE g IS NOT NULL AND NOT ST_IsEmpty(g))
    -- a piece without households and narrower than SLIVER_WIDTH_M on average traces one line twice: not a conflict
    SELECT kind, layers, zones, area, hh, ST_AsGeoJSON(g, 7) AS gj
    FROM measured WHERE area > 1 AND (hh > 0 OR kind = 'gap' OR 2 * area / NULLIF(perim, 0) >= ${SLIVER_WIDTH_M}::float8)
    ORDER BY kind, layers, zones`.execute(trx);
  const conflicts: ConflictFeature[] = conf.map((c) => ({
    type: 'Feature',
    properties: {
      kind: c.kind, layers: c.layers, zones: c.zones, areaM2: Math.round(c.area), households: c.hh,
      message: c.kind === 'gap' ? `${c.layers[0]}: no zone covers ${Math.round(c.area)} m² (${c.hh} households)`
        : c.kind === 'overlap' ? `${c.layers[0]}: zones ${c.zones.join(' and ')} both claim ${Math.round(c.area)} m² (${c.hh} households)`
        : `${c.layers[0]} zone ${c.zones[0]} and ${c.layers[1]} zone ${c.zones[1]} share ${Math.round(c.area)} m² (${c.hh} households) against the zones' main pairing`,
    },
    geometry: JSON.parse(c.gj),
  }));
  return { fidelity, crosswalk: cw.map((r) => ({ ...r, share: +(+r.share).toFixed(4) })), roster, conflicts: { type: 'FeatureCollection', features: conflicts }, attribution };
}

/**
 * Fidelity per layer (MergeResult.fidelity) and which zone cost what: per zone, the households not counted as
 * kept (each household counted once per layer, under one of its zones) and why the zone could not stay whole;
 * per grid out of range, the zones it holds. Uses the temporary tables wg_pg and wg_pz of mergeReports.
 */
async function keptByZone(trx: Kysely<any>, jcode: string, planId: number, layerNames: string[], min: number, max: number): Promise<{ fidelity: Record<string, number>; attribution: MergeAttribution }> {
  const { rows } = await sql<{ layer: string; zone: string; hh: number; good: number; lost: number; grids: number; largest: number; communities: number }>`
    WITH zg AS (SELECT layer, zone, grid, sum(hh) AS hh FROM wg_pz GROUP BY layer, zone, grid),
    gtot AS (SELECT grid, sum(hh) AS hh FROM wg_pg GROUP BY grid),
    ztot AS (SELECT layer, zone, sum(hh) AS hh FROM wg_pz GROUP BY layer, zone),
    pure_grid AS (SELECT DISTINCT zg.layer, zg.grid FROM zg JOIN gtot ON gtot.grid = zg.grid WHERE zg.hh >= 0.95 * gtot.hh),
    pure_zone AS (SELECT DISTINCT zg.layer, zg.zone FROM zg JOIN ztot ON ztot.layer = zg.layer AND ztot.zone = zg.zone WHERE zg.hh >= 0.95 * ztot.hh),
    pts AS (
      SELECT DISTINCT ON (z.layer, z.pid) z.layer, z.zone, z.pid, z.hh,
        EXISTS (SELECT 1 FROM pure_grid x WHERE x.layer = z.layer AND x.grid = z.grid)
        OR EXISTS (SELECT 1 FROM wg_pz z2 JOIN pure_zone y ON y.layer = z2.layer AND y.zone = z2.zone WHERE z2.pid = z.pid AND z2.layer = z.layer) AS good
      FROM wg_pz z ORDER BY z.layer, z.pid),
    lost AS (SELECT layer, zone, COALESCE(sum(hh) FILTER (WHERE good), 0) AS good, COALESCE(sum(hh) FILTER (WHERE NOT good), 0) AS lost FROM pts GROUP BY layer, zone),
    shape AS (
      SELECT zg.layer, zg.zone, count(*) FILTER (WHERE zg.hh > 0) AS grids, max(zg.hh) AS largest,
        count(DISTINCT g.community_code) FILTER (WHERE zg.hh > 0) AS communities
      FROM zg JOIN grids g ON g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = zg.grid GROUP BY zg.layer, zg.zone)
    SELECT t.layer, t.zone, t.hh::int AS hh, l.good::int AS good, l.lost::int AS lost, s.grids::int AS grids, s.largest::int AS largest, s.communities::int AS communities
    FROM ztot t JOIN lost l USING (layer, zone) JOIN shape s USING (layer, zone)
    ORDER BY l.lost DESC, t.layer, t.zone`.execute(trx);
  const fidelity: Record<string, number> = {};
  for (const l of layerNames) {
    let good = 0, total = 0;
    for (const r of rows) if (r.layer === l) { good += r.good; total += r.good + r.lost; }
    fidelity[l] = total > 0 ? +(good / total).toFixed(4) : 0;
  }
  const zonesCut = rows.filter((r) => r.lost > 0).map((r): ZoneLoss => {
    const cause: ZoneLoss['cause'] = r.communities > 1 ? 'across-communities' : r.hh > max ? 'above-max' : 'rebalanced';
    const why = cause === 'across-communities' ? `its households lie in ${r.communities} communities`
      : cause === 'above-max' ? `it holds ${r.hh} households, above ${max}`
      : 'cut to keep grids in range or another layer\'s zones whole';
    return { layer: r.layer, zone: r.zone, households: r.hh, lost: r.lost, grids: r.grids, largestShare: +(r.largest / Math.max(1, r.hh)).toFixed(4), cause,
      message: `${r.layer} zone ${r.zone} (${r.hh} households) lies in ${r.grids} grids, ${r.lost} households not kept: ${why}` };
  });
  const { rows: out } = await sql<{ grid: string; households: number; reason: string | null; layer: string | null; zone: string | null; zhh: number | null; ztot: number | null }>`
    WITH o AS (SELECT code, households, reason FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND (households < ${min}::int OR households > ${max}::int)),
    zg AS (SELECT layer, zone, grid, sum(hh) AS hh FROM wg_pz WHERE grid IN (SELECT code FROM o) GROUP BY layer, zone, grid),
    ztot AS (SELECT layer, zone, sum(hh) AS hh FROM wg_pz WHERE (layer, zone) IN (SELECT layer, zone FROM zg) GROUP BY layer, zone),
    main AS (SELECT DISTINCT ON (zg.grid, zg.layer) zg.grid, zg.layer, zg.zone, zg.hh FROM zg ORDER BY zg.grid, zg.layer, zg.hh DESC, zg.zone)
    SELECT o.code AS grid, o.households, o.reason, m.layer, m.zone, m.hh::int AS zhh, t.hh::int AS ztot
    FROM o LEFT JOIN main m ON m.grid = o.code LEFT JOIN ztot t ON t.layer = m.layer AND t.zone = m.zone ORDER BY o.code, m.layer`.execute(trx);
  const byGrid = new Map<string, GridOutOfRange>();
  for (const r of out) {
    let g = byGrid.get(r.grid);
    if (!g) { g = { grid: r.grid, households: r.households, reason: r.reason, zones: [], message: '' }; byGrid.set(r.grid, g); }
    if (r.layer && r.zone != null) g.zones.push({ layer: r.layer, zone: r.zone, households: r.zhh ?? 0, zoneHouseholds: r.ztot ?? 0 });
  }
  for (const g of byGrid.values()) {
    g.message = `grid ${g.grid} (${g.households} households${g.reason ? `, ${g.reason}` : ''}): `
      + (g.zones.map((z) => `${z.layer} zone ${z.zone} (${z.households} of its ${z.zoneHouseholds})`).join(', ') || 'in no zone');
  }
  return { fidelity, attribution: { zonesCut, gridsOutOfRange: [...byGrid.values()] } };
}

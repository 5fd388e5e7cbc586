/**
 * Partition a stored jurisdiction into street-bounded grids and persist the result as a draft plan.
 * Phases: blocks (PostGIS) → nodes (units, slivers) → aggregation (construct + local search) → codes →
 * plan (blocks, grids, recount). One transaction: a failure leaves no half-written plan.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { noProgress, type ProgressFn } from '../progress.ts';
import { inTransaction } from '../../data/db/capabilities.ts';
import { utmSrid } from '../geo/utm.ts';
import { buildAtoms, type AtomGraph } from './build-atoms.ts';
import { mergeAtoms, type NodeGraph } from './merge-atoms.ts';
import { aggregate, type GridGroup } from './aggregate.ts';
import { assignCodes } from './grid-codes.ts';
import { greedyBaseline } from './greedy-baseline.ts';
import { persistPlan } from './persist-plan.ts';
import { absorbEmptyAndSlivers, conflateOutlineStrips, connectedGridAtoms } from './finish.ts';
import { certify, componentLabel, type Certificate } from './certify.ts';
import type { ComponentInfo } from './aggregate.ts';
import { nestingConflicts, type NestingConflict } from './nesting-report.ts';

export interface PartitionOptions {
  jcode: string;
  min?: number;
  max?: number;
  seed?: number;
  /** plan name; default "partition <min>-<max> seed <seed>" */
  name?: string;
  /** join dangling street ends this close to another line (m), default 2 */
  snapM?: number;
  /** 'optimize' (default): construct + local search; 'greedy': the plain baseline, for comparison */
  method?: 'optimize' | 'greedy';
  /**
   * Another grouping of the nodes (merge uses this to prefer existing zone boundaries). Runs inside the
   * partition's transaction, after the blocks are built, with the temporary atom tables in place.
   */
  grouping?: { method: string; group: (trx: Kysely<any>, nodes: NodeGraph, graph: AtomGraph, bounds: { min: number; max: number; seed: number }) => Promise<GridGroup[]> };
  /** called after the plan is stored, inside the same transaction */
  afterStore?: (trx: Kysely<any>, planId: number) => Promise<void>;
  progress?: ProgressFn;
}

export interface PartitionSummary {
  planId: number;
  jcode: string;
  srid: number;
  grids: number;
  inRange: number;
  households: number;
  outsideHouseholds: number;
  blocks: number;
  splitBlocks: number;
  reasons: Record<string, number>;
  compactnessMean: number;
  /** seconds by phase */
  timings: Record<string, number>;
  /** per component (community part): households, grids, grids out of range and the proven lower bound on them */
  components: ComponentReport[];
  /** community-outline strips (no households, under 30 m wide) conflated to the street beside them, and their area (m²) */
  conflated: { strips: number; area: number };
  /** grids outside their community by more than the tolerance, with the units across the outline that force it */
  nesting: NestingConflict[];
}

/** A component as reported: its label (community#number) instead of the number, without the solver's detail. */
export type ComponentReport = Omit<ComponentInfo, 'id' | 'forcedBlock'> & { component: string };

const GRID_SIZE = 0.0001;

/**
 * Partition jurisdiction `jcode` (already imported) and store a draft plan.
 *
 * @example
 * const s = await partitionJurisdiction(db, { jcode: '370102001000', min: 400, max: 600, seed: 1 });
 * console.log(`${s.inRange}/${s.grids} grids in range, plan ${s.planId}`);
 */
export async function partitionJurisdiction(db: Kysely<any>, opts: PartitionOptions): Promise<PartitionSummary> {
  const min = opts.min ?? 400, max = opts.max ?? 600, seed = opts.seed ?? 1;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && min <= max)) {
    throw new WanggeError('bad_request', `bounds must be integers with 1 ≤ min ≤ max, got ${min}–${max}`, { parameter: 'min' });
  }
  const progress = opts.progress ?? noProgress;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (k: string) => { const now = performance.now(); timings[k] = +((now - t) / 1000).toFixed(3); t = now; };

  const j = await db.selectFrom('jurisdictions')
    .select([sql<number>`ST_X(ST_Centroid(geom))`.as('lon'), sql<number>`ST_Y(ST_Centroid(geom))`.as('lat')])
    .where('jcode', '=', opts.jcode).where('code', '=', opts.jcode).executeTakeFirst();
  if (!j) throw new WanggeError('not_found', `no jurisdiction ${opts.jcode}`, { parameter: 'jcode' });
  const srid = utmSrid(j.lon, j.lat);

  return inTransaction(db, async (trx) => {
    // many statements with costly geometry functions: JIT compilation (server engine) costs more than it saves
    await sql`SET LOCAL jit = off`.execute(trx);
    progress({ phase: 'blocks', percent: 5, message: 'noding streets and polygonizing' });
    const graph = await buildAtoms(trx, { jcode: opts.jcode, srid, max, snapM: opts.snapM, gridSize: GRID_SIZE });
    lap('blocks');
    progress({ phase: 'aggregate', percent: 45, message: `${graph.atoms.length} blocks` });
    const ng = mergeAtoms(graph);
    let groups = opts.grouping ? await opts.grouping.group(trx, ng, graph, { min, max, seed })
      : opts.method === 'greedy' ? greedyBaseline(ng, { min, max, seed }) : aggregate(ng, { min, max, seed });
    groups = opts.grouping ? absorbEmpty(groups, ng.adj, ng.nodes.map((n) => n.community)) : absorbEmptyAndSlivers(groups, ng, { min, max });
    const conflated = opts.grouping ? { strips: 0, area: 0 } : conflateOutlineStrips(groups, ng);
    lap('aggregate');
    progress({ phase: 'store', percent: 70, message: `${groups.length} grids` });

    const top = new Map(graph.communities.map((c) => [c.code, c.maxy]));
    const codes = assignCodes(groups, top);
    const gridOfNode = new Map<number, string>();
    groups.forEach((g, i) => g.nodes.forEach((n) => gridOfNode.set(n, codes[i])));
    const order = groups.map((_, i) => i).sort((a, b) => (codes[a] < codes[b] ? -1 : 1));
    const gridAtoms = connectedGridAtoms(groups, ng, graph.atoms, graph.edges);
    const { planId, households } = await persistPlan(trx, {
      jcode: opts.jcode, srid, gridSize: GRID_SIZE,
      name: opts.name ?? `partition ${min}–${max} seed ${seed}`,
      method: opts.grouping?.method ?? (opts.method === 'greedy' ? 'greedy' : 'partition'),
      params: { min, max, seed, snapM: opts.snapM ?? 2 },
      grids: order.map((i) => ({
        code: codes[i], community: groups[i].community, reason: groups[i].reason, reasonDetail: groups[i].reasonDetail,
        atoms: gridAtoms[i], split: groups[i].nodes.some((n) => ng.nodes[n].split),
      })),
      blocks: ng.nodes.map((n) => ({ id: n.index + 1, atoms: n.atoms, households: n.households, community: n.community, units: n.units, split: n.split, grid: gridOfNode.get(n.index)! })),
    });
    lap('store');

    // reasons are recomputed from the recounted households: a reason is only kept where it is true
    const reasons: Record<string, number> = {};
    let inRange = 0, compact = 0, total = 0;
    const details: Record<string, string> = {};
    const certificates: Record<string, Omit<Certificate, 'reason' | 'detail'>> = {};
    const counted = order.map((i) => households.get(codes[i]) ?? 0);
    if (process.env.WANGGE_PROFILE === '1') order.forEach((i, o) => { if (counted[o] !== groups[i].households) process.stderr.write(`  recount ${codes[i]}: ${groups[i].households} by blocks, ${counted[o]} by outline\n`); });
    const certs = opts.grouping ? null : certify({ groups: order.map((i) => groups[i]), households: counted, nodes: ng.nodes, unitHouseholds: graph.unitHouseholds, min, max });
    for (let o = 0; o < order.length; o++) {
      const i = order[o];
      const g = groups[i];
      const hh = counted[o];
      total += hh;
      compact += g.perimeter > 0 ? (4 * Math.PI * g.area) / (g.perimeter * g.perimeter) : 0;
      const ok = hh >= min && hh <= max;
      if (ok) inRange++;
      let reason: string | undefined, detail: string | undefined;
      if (certs) {
        const c = certs[o];
        reason = c?.reason; detail = c?.detail;
        if (c && (c.component || c.solver)) certificates[codes[i]] = { component: c.component, componentHouseholds: c.componentHouseholds, bound: c.bound, solver: c.solver };
      } else {
        reason = g.reason === 'dedicated' ? 'dedicated' : ok ? undefined : (g.reason ?? 'constrained');
        detail = g.reasonDetail ?? `${hh} households: the street blocks here allow no better grouping`;
      }
      if (reason) {
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        details[codes[i]] = detail ?? reason;
      }
      if (reason !== g.reason) {
        await trx.updateTable('grids').set({ reason: reason ?? null }).where('jcode', '=', opts.jcode).where('plan_id', '=', planId).where('code', '=', codes[i]).execute();
      }
    }
    const comps = [...new Set(groups.map((g) => g.component).filter((c): c is ComponentInfo => !!c))].sort((a, b) => a.id - b.id);
    const components: ComponentReport[] = comps.map(({ id: _id, forcedBlock: _f, exactBudget, ...c }) => ({ component: componentLabel({ ...c, id: _id }), ...c, ...(exactBudget ? { exactBudget } : {}) }));
    const summary: PartitionSummary = {
      planId, jcode: opts.jcode, srid, grids: groups.length, inRange, households: total, outsideHouseholds: graph.outside.households,
      blocks: ng.nodes.length, splitBlocks: graph.stats.splitFaces, reasons,
      compactnessMean: groups.length ? +(compact / groups.length).toFixed(4) : 0, timings, components,
      conflated: { strips: conflated.strips, area: Math.round(conflated.area) },
      nesting: await nestingConflicts(trx, opts.jcode, planId),
    };
    for (const n of summary.nesting) {
      process.stderr.write(`partition: grid ${n.grid} lies ${(100 * n.outside).toFixed(1)}% outside community ${n.community}${n.units.length ? ` (unit ${n.units.join(', ')} lies across the community outline and is kept whole: fix the outline or the unit)` : ''}\n`);
    }
    await trx.updateTable('grid_plans').set({ summary: JSON.stringify({ ...summary, reasonDetails: details, certificates, stats: { ...graph.stats, conflatedStrips: conflated.strips, conflatedArea: Math.round(conflated.area) } }) })
      .where('jcode', '=', opts.jcode).where('id', '=', planId).execute();
    if (opts.afterStore) await opts.afterStore(trx, planId);
    lap('summary');
    progress({ phase: 'done', percent: 100 });
    return summary;
  });
}

/** Grids without households join the neighbouring grid of the same community they share most border with. */
function absorbEmpty(groups: GridGroup[], adj: Array<Array<{ n: number; len: number }>>, community: string[]): GridGroup[] {
  const owner = new Map<number, number>();
  groups.forEach((g, i) => g.nodes.forEach((n) => owner.set(n, i)));
  const dead = new Set<number>();
  groups.forEach((g, i) => {
    if (g.households > 0 || g.reason === 'dedicated') return;
    const border = new Map<number, number>();
    for (const n of g.nodes) for (const e of adj[n]) {
      const o = owner.get(e.n)!;
      if (o === i || dead.has(o) || community[e.n] !== g.community || groups[o].reason === 'dedicated') continue;
      border.set(o, (border.get(o) ?? 0) + e.len);
    }
    let best = -1, bl = 0;
    for (const [o, l] of border) if (l > bl || (l === bl && o < best)) { bl = l; best = o; }
    if (best < 0) return;
    const t = groups[best];
    for (const n of g.nodes) owner.set(n, best);
    t.nodes = [...t.nodes, ...g.nodes].sort((a, b) => a - b);
    t.perimeter = t.perimeter + g.perimeter - 2 * bl;
    t.cx = (t.cx * t.area + g.cx * g.area) / (t.area + g.area || 1);
    t.cy = (t.cy * t.area + g.cy * g.area) / (t.area + g.area || 1);
    t.area += g.area;
    dead.add(i);
  });
  return groups.filter((_, i) => !dead.has(i));
}

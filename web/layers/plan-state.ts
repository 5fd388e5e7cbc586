/**
 * The planner's editor state, pure: which grid each block belongs to, the grids' tallies recounted from
 * their blocks, the neighbouring grids a block may move to, local application of an edit (for a live
 * recount before the server answers) and the inverse of an edit (for undo). The server stays the truth:
 * its answer replaces the local tallies (`withServerCounts`).
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { nearNeighbours } from './grid-colours.ts';

export type PlanEdit =
  | { op: 'move'; blocks: number[]; to: string }
  | { op: 'split'; grid: string; blocks: number[] }
  | { op: 'merge'; grids: [string, string] };

export interface BlockRec {
  id: number;
  grid: string | null;
  community: string | null;
  households: number;
}

export interface GridTally {
  code: string;
  community: string | null;
  households: number;
  blocks: number;
}

export interface PlanState {
  /** block id → block */
  blocks: ReadonlyMap<number, BlockRec>;
  /** grid code → tally */
  grids: ReadonlyMap<string, GridTally>;
  min: number;
  max: number;
}

export interface Issue {
  kind: 'under' | 'over' | 'split';
  grid: string;
  message: string;
}

/**
 * The state of a plan from its blocks and grids GeoJSON. Grid tallies are the server's (`households`,
 * `blocks` of each grid feature) when given, else the sum of their blocks.
 */
export function planStateFrom(blocks: FeatureCollection, grids: FeatureCollection, min: number, max: number): PlanState {
  const b = new Map<number, BlockRec>();
  for (const f of blocks.features) {
    const p = f.properties ?? {};
    const id = Number(p.id ?? f.id);
    b.set(id, { id, grid: (p.grid as string | null) ?? null, community: (p.community as string | null) ?? null, households: Number(p.households) || 0 });
  }
  const summed = recount({ blocks: b, grids: new Map(), min, max }).grids;
  const g = new Map<string, GridTally>();
  for (const f of grids.features) {
    const p = f.properties ?? {};
    const code = String(p.code ?? f.id);
    const own = summed.get(code);
    g.set(code, {
      code, community: (p.community as string | null) ?? null,
      households: p.households === undefined || p.households === null ? own?.households ?? 0 : Number(p.households),
      blocks: p.blocks === undefined || p.blocks === null ? own?.blocks ?? 0 : Number(p.blocks),
    });
  }
  return { blocks: b, grids: g, min, max };
}

/** Grid tallies as the sum of their blocks (grids without blocks are dropped). */
export function recount(s: PlanState): PlanState {
  const grids = new Map<string, GridTally>();
  for (const b of s.blocks.values()) {
    if (b.grid === null) continue;
    const g = grids.get(b.grid) ?? { code: b.grid, community: s.grids.get(b.grid)?.community ?? b.community, households: 0, blocks: 0 };
    g.households += b.households;
    g.blocks += 1;
    grids.set(b.grid, g);
  }
  return { ...s, grids };
}

/**
 * Apply an edit locally for a live recount (the server decides the real codes: a split's new grid is
 * called `newCode` until it answers). Returns a new state; the input is not changed.
 */
export function applyEdit(s: PlanState, edit: PlanEdit, newCode = '__new__'): PlanState {
  const blocks = new Map(s.blocks);
  const grids = new Map<string, GridTally>();
  for (const [c, g] of s.grids) grids.set(c, { ...g });
  // tallies move with the blocks: the other grids keep the counts they had (the server's)
  const shift = (b: BlockRec, to: string) => {
    const from = b.grid === null ? undefined : grids.get(b.grid);
    if (from) { from.households -= b.households; from.blocks -= 1; }
    const dest = grids.get(to) ?? { code: to, community: b.community, households: 0, blocks: 0 };
    dest.households += b.households;
    dest.blocks += 1;
    grids.set(to, dest);
    blocks.set(b.id, { ...b, grid: to });
  };
  if (edit.op === 'move') {
    for (const id of edit.blocks) {
      const b = blocks.get(id);
      if (b && b.grid !== edit.to) shift(b, edit.to);
    }
  } else if (edit.op === 'split') {
    for (const id of edit.blocks) {
      const b = blocks.get(id);
      if (b && b.grid === edit.grid) shift(b, newCode);
    }
  } else {
    const [keep, absorb] = edit.grids;
    for (const b of [...blocks.values()]) if (b.grid === absorb) shift(b, keep);
  }
  for (const [code, g] of grids) if (g.blocks <= 0) grids.delete(code);
  return { ...s, blocks, grids };
}

/**
 * The edits that undo `edit` applied to `before` (the server's `created` codes complete a split).
 * A move from several grids is undone by one move per grid it came from.
 */
export function inverseEdit(before: PlanState, edit: PlanEdit, created: string[] = []): PlanEdit[] {
  if (edit.op === 'move') {
    const byGrid = new Map<string, number[]>();
    for (const id of edit.blocks) {
      const g = before.blocks.get(id)?.grid;
      if (!g || g === edit.to) continue;
      byGrid.set(g, [...(byGrid.get(g) ?? []), id]);
    }
    return [...byGrid].map(([to, blocks]) => ({ op: 'move' as const, blocks, to }));
  }
  if (edit.op === 'split') return created[0] ? [{ op: 'merge', grids: [edit.grid, created[0]] }] : [];
  const absorbed = [...before.blocks.values()].filter((b) => b.grid === edit.grids[1]).map((b) => b.id);
  return absorbed.length ? [{ op: 'split', grid: edit.grids[0], blocks: absorbed }] : [];
}

/** Block adjacency (blocks across a street are neighbours): block id → neighbouring block ids. */
export function blockAdjacency(blocks: FeatureCollection, gapM = 30): Map<number, number[]> {
  const feats = blocks.features as Feature<Polygon | MultiPolygon>[];
  const nb = nearNeighbours(feats, gapM);
  const ids = feats.map((f) => Number(f.properties?.id ?? f.id));
  return new Map(ids.map((id, i) => [id, nb[i].map((j) => ids[j])]));
}

/** Grids (of the block's community, not its own) that a block touches: where it may move. */
export function neighbourGrids(s: PlanState, adjacency: ReadonlyMap<number, readonly number[]>, blockId: number): string[] {
  const b = s.blocks.get(blockId);
  if (!b) return [];
  const out = new Set<string>();
  for (const n of adjacency.get(blockId) ?? []) {
    const o = s.blocks.get(n);
    if (!o || o.grid === null || o.grid === b.grid) continue;
    if (b.community !== null && o.community !== null && o.community !== b.community) continue;
    out.add(o.grid);
  }
  return [...out].sort();
}

/** Grids neighbouring grid `code` within its community (candidates for a merge). */
export function neighbourGridsOfGrid(s: PlanState, adjacency: ReadonlyMap<number, readonly number[]>, code: string): string[] {
  const out = new Set<string>();
  for (const b of s.blocks.values()) if (b.grid === code) for (const g of neighbourGrids(s, adjacency, b.id)) out.add(g);
  out.delete(code);
  return [...out].sort();
}

/** Issues of the plan: grids out of the households range, grids whose blocks fall apart. */
export function validatePlan(s: PlanState, adjacency: ReadonlyMap<number, readonly number[]>): { ok: boolean; issues: Issue[] } {
  const issues: Issue[] = [];
  const members = new Map<string, number[]>();
  for (const b of s.blocks.values()) if (b.grid !== null) members.set(b.grid, [...(members.get(b.grid) ?? []), b.id]);
  for (const g of [...s.grids.values()].sort((a, b) => a.code.localeCompare(b.code))) {
    if (g.households < s.min) issues.push({ kind: 'under', grid: g.code, message: `${g.code}: ${g.households} < ${s.min}` });
    else if (g.households > s.max) issues.push({ kind: 'over', grid: g.code, message: `${g.code}: ${g.households} > ${s.max}` });
    const ids = members.get(g.code) ?? [];
    if (ids.length > 1 && components(ids, adjacency) > 1) issues.push({ kind: 'split', grid: g.code, message: `${g.code}: not contiguous` });
  }
  return { ok: issues.length === 0, issues };
}

function components(ids: number[], adjacency: ReadonlyMap<number, readonly number[]>): number {
  const inGrid = new Set(ids);
  const seen = new Set<number>();
  let n = 0;
  for (const start of ids) {
    if (seen.has(start)) continue;
    n++;
    const stack = [start];
    seen.add(start);
    while (stack.length) {
      const x = stack.pop()!;
      for (const y of adjacency.get(x) ?? []) if (inGrid.has(y) && !seen.has(y)) { seen.add(y); stack.push(y); }
    }
  }
  return n;
}

/** The state with the server's counts for the grids it reports (the server is the truth). */
export function withServerCounts(s: PlanState, changed: Array<{ code: string; households: number; blocks: number }>, removed: string[] = []): PlanState {
  const grids = new Map(s.grids);
  for (const c of changed) grids.set(c.code, { ...(grids.get(c.code) ?? { code: c.code, community: null }), households: c.households, blocks: c.blocks });
  for (const r of removed) grids.delete(r);
  return { ...s, grids };
}

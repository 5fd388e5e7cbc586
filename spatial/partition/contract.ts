/**
 * Blocks without households (parks, yards, strips between streets and an outline) change no tally; they only
 * connect. Two reductions let the exact search (exact.ts) take components with many of them:
 *  - `contractAlong`: each empty block joins a block with households of the same grid of a given partition
 *    (reached through that grid's own blocks). Any partition of the contracted blocks is a partition of the
 *    original whose grids are connected, so a witness found on it is real (not a bound);
 *  - `relaxEmpty`: the empty blocks are dropped and two blocks with households become neighbours when they
 *    touch directly or through a chain of empty blocks. Every partition of the original maps to one of the
 *    relaxed graph with the same tallies (and at most the same grids out of range), so the fewest grids out of
 *    range of the relaxation is a sound lower bound for the original (not a witness).
 */
export interface BlockGraph {
  h: ArrayLike<number>;
  adj: ReadonlyArray<ReadonlyArray<{ n: number }>>;
}

/**
 * Super-blocks of `nodes` (indices into g): each a block with households (first) and the empty blocks of its
 * grid it reaches first; empty blocks reaching none stay on their own.
 */
export function contractAlong(g: BlockGraph, nodes: readonly number[], region: ArrayLike<number>): number[][] {
  const inSet = new Set(nodes);
  const owner = new Map<number, number>();
  const queue: number[] = [];
  for (const v of nodes) if (g.h[v] > 0) { owner.set(v, v); queue.push(v); }
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q];
    for (const e of g.adj[u]) {
      if (!inSet.has(e.n) || owner.has(e.n) || region[e.n] !== region[u]) continue;
      owner.set(e.n, owner.get(u)!);
      queue.push(e.n);
    }
  }
  const groups = new Map<number, number[]>();
  for (const v of nodes) {
    const o = owner.get(v) ?? v;
    const arr = groups.get(o);
    if (!arr) groups.set(o, [v]);
    else if (o === v) arr.unshift(v);
    else arr.push(v);
  }
  return [...groups.values()];
}

/** The graph of super-blocks: households summed, neighbours where any members touch. */
export function superGraph(g: BlockGraph, supers: number[][]): { h: number[]; adj: Array<Array<{ n: number }>> } {
  const of = new Map<number, number>();
  supers.forEach((sb, i) => { for (const v of sb) of.set(v, i); });
  return {
    h: supers.map((sb) => sb.reduce((t, v) => t + g.h[v], 0)),
    adj: supers.map((sb, i) => {
      const ns = new Set<number>();
      for (const v of sb) for (const e of g.adj[v]) { const j = of.get(e.n); if (j !== undefined && j !== i) ns.add(j); }
      return [...ns].sort((a, b) => a - b).map((n) => ({ n }));
    }),
  };
}

/**
 * The relaxation over the blocks with households of `nodes`: returns their indices (`heavy`, into g) and the
 * relaxed graph over them (indices into `heavy`).
 */
export function relaxEmpty(g: BlockGraph, nodes: readonly number[]): { heavy: number[]; h: number[]; adj: Array<Array<{ n: number }>> } {
  const inSet = new Set(nodes);
  const heavy = nodes.filter((v) => g.h[v] > 0);
  const idx = new Map(heavy.map((v, i) => [v, i]));
  const nbs = heavy.map(() => new Set<number>());
  // each connected piece of empty blocks makes the blocks with households around it neighbours of each other
  const seen = new Set<number>();
  for (const v of nodes) {
    if (g.h[v] > 0 || seen.has(v)) continue;
    const piece = [v];
    seen.add(v);
    const touch = new Set<number>();
    for (let q = 0; q < piece.length; q++) {
      for (const e of g.adj[piece[q]]) {
        if (!inSet.has(e.n)) continue;
        if (g.h[e.n] > 0) touch.add(idx.get(e.n)!);
        else if (!seen.has(e.n)) { seen.add(e.n); piece.push(e.n); }
      }
    }
    const t = [...touch];
    for (const a of t) for (const b of t) if (a !== b) nbs[a].add(b);
  }
  heavy.forEach((v, i) => { for (const e of g.adj[v]) { const j = idx.get(e.n); if (j !== undefined && j !== i) nbs[i].add(j); } });
  return { heavy, h: heavy.map((v) => g.h[v]), adj: nbs.map((s) => [...s].sort((a, b) => a - b).map((n) => ({ n }))) };
}

/**
 * Shelter assignment (issue 14): each household goes, whole, to the nearest shelter by walking distance that
 * still has room for all of its persons; a shelter's capacity is never exceeded.
 *
 * The method (greedy, documented so that a commander can explain any line of the roster):
 * 1. walking distances from every shelter to every street node (one Dijkstra per shelter, `walk-graph.ts`);
 *    a household's distance to a shelter = its straight line to its nearest node + the network distance + the
 *    shelter's straight line to its nearest node. Where the network does not join them, the straight line × 1.4
 *    stands in (a detour factor), so a house is never left out for a missing street;
 * 2. households with a vulnerable person first, then the others; within each group, in order of the distance to
 *    their nearest shelter (ties by household id), so that those nearest a shelter are not pushed past it;
 * 3. each takes the nearest shelter with room left for its persons; a household that no shelter can take keeps
 *    no shelter (`shelter = null`) and is counted as unassigned — it is never put over a capacity.
 *
 * Example: `assignShelters(graph, [{ id: 1, at: [116.3, 39.98], persons: 3, vulnerable: true }], [{ id: 7, at: [...], capacity: 200 }])`
 */
import { localFrame, type LonLat, type WalkGraph } from './walk-graph.ts';

export interface AssignHousehold { id: number; at: LonLat; persons: number; vulnerable: boolean }
export interface AssignShelter { id: number; at: LonLat; capacity: number }
export interface Assignment { householdId: number; shelterId: number | null; walkM: number | null }

export const DETOUR_FACTOR = 1.4;

export function assignShelters(graph: WalkGraph, households: AssignHousehold[], shelters: AssignShelter[]): Assignment[] {
  if (households.length === 0) return [];
  if (shelters.length === 0) return households.map((h) => ({ householdId: h.id, shelterId: null, walkM: null }));
  const toXY = localFrame(households[0].at);
  const sXY = shelters.map((s) => toXY(s.at));
  const sSnap = shelters.map((s) => graph.nearestNode(s.at));
  const dists = sSnap.map((s) => graph.distancesFrom(s.node));
  // distances of a household to every shelter, cached per (node, position) since many share an address point
  const cache = new Map<string, Float64Array>();
  const distances = (h: AssignHousehold): Float64Array => {
    const key = `${h.at[0]},${h.at[1]}`;
    let d = cache.get(key);
    if (d) return d;
    const snap = graph.nearestNode(h.at);
    const [x, y] = toXY(h.at);
    d = new Float64Array(shelters.length);
    for (let s = 0; s < shelters.length; s++) {
      const net = snap.node >= 0 ? dists[s][snap.node] : Infinity;
      const straight = Math.hypot(sXY[s][0] - x, sXY[s][1] - y);
      d[s] = Number.isFinite(net) ? snap.metres + net + sSnap[s].metres : straight * DETOUR_FACTOR;
    }
    cache.set(key, d);
    return d;
  };
  const rows = households.map((h) => {
    const d = distances(h);
    let nearest = Infinity;
    for (const v of d) if (v < nearest) nearest = v;
    return { h, d, nearest };
  });
  rows.sort((a, b) => Number(b.h.vulnerable) - Number(a.h.vulnerable) || a.nearest - b.nearest || a.h.id - b.h.id);
  const left = shelters.map((s) => s.capacity);
  const out: Assignment[] = [];
  for (const { h, d } of rows) {
    // the nearest shelter with room: a scan (shelters are tens to hundreds; no sort per household)
    let k = -1;
    for (let s = 0; s < d.length; s++) if (left[s] >= h.persons && (k < 0 || d[s] < d[k] || (d[s] === d[k] && s < k))) k = s;
    if (k < 0) {
      out.push({ householdId: h.id, shelterId: null, walkM: null });
      continue;
    }
    left[k] -= h.persons;
    out.push({ householdId: h.id, shelterId: shelters[k].id, walkM: Math.round(d[k]) });
  }
  return out;
}

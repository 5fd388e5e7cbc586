/**
 * Reasons that are proofs: every grid outside [min, max] carries a certificate that someone holding only the
 * problem files can check.
 *
 *  - 'dedicated': the grid is a dedicated unit (专属网格), exempt from the bounds;
 *  - 'unit': it holds a unit whose own address points total more than max households, kept whole;
 *  - 'indivisible': it holds one address point of more than max households;
 *  - 'arithmetic': its community part (a connected component of the community's blocks outside dedicated
 *    and over-max units) holds H households, and no k has k·min ≤ H ≤ k·max;
 *  - 'proven': a search proved that no partition of its component into connected grids of whole blocks has
 *    fewer grids out of range (solver 'exact': every partition enumerated, exact.ts), or the grid holds one
 *    block of more than max households that cannot be cut (solver 'block': one address location, or blocks
 *    a unit holds together);
 *  - 'unproven': none of the above; the engine's shortfall, stated as such.
 *
 * Pure: grids with their recounted households in, certificates out.
 */
import type { ComponentInfo, GridGroup, GridReason } from './aggregate.ts';
import type { PartitionNode } from './merge-atoms.ts';
import { inRange } from '../rules/bounds.ts';

export interface Certificate {
  reason: GridReason;
  detail: string;
  /** the component (community part) the bound is about */
  component?: string;
  componentHouseholds?: number;
  /** proven lower bound on the component's grids out of range */
  bound?: number;
  solver?: string;
}

export interface CertifyInput {
  groups: GridGroup[];
  /** recounted households per group (same order) */
  households: number[];
  nodes: PartitionNode[];
  /** households of the address points inside each unit's own outline */
  unitHouseholds: Map<string, number>;
  min: number;
  max: number;
}

/** A component's label in reports and grid properties: community code and its number in the partition. */
export const componentLabel = (c: ComponentInfo): string => `${c.community}#${c.id}`;

/** Certificates per group (undefined for a grid in range that needs none). Updates each component's `out`. */
export function certify(input: CertifyInput): Array<Certificate | undefined> {
  const { groups, households, nodes, min, max } = input;
  const isOut = (h: number) => !inRange(h, { min, max });
  // grids out of range per component, from the recounted households
  const outBy = new Map<ComponentInfo, number>();
  groups.forEach((g, i) => {
    if (!g.component) return;
    outBy.set(g.component, (outBy.get(g.component) ?? 0) + (isOut(households[i]) ? 1 : 0));
  });
  for (const [c, n] of outBy) c.out = n;
  const gridsBy = new Map<ComponentInfo, number>();
  for (const g of groups) if (g.component) gridsBy.set(g.component, (gridsBy.get(g.component) ?? 0) + 1);
  for (const [c, n] of gridsBy) c.grids = n;

  return groups.map((g, i) => {
    const h = households[i];
    if (g.reason === 'dedicated') return { reason: 'dedicated', detail: `dedicated grid of unit ${g.nodes.flatMap((n) => nodes[n].units).join(', ')}` };
    if (!isOut(h)) return undefined;
    if (!g.component) return fixedGrid(g, h, input);
    const c = g.component;
    const label = componentLabel(c);
    if (c.out <= c.lowerBound) {
      if (c.bound === 'arithmetic') {
        return { reason: 'arithmetic', component: label, componentHouseholds: c.households, bound: c.lowerBound, solver: 'arithmetic',
          detail: `community part ${label} holds ${c.households} households: no number of grids k has k·${min} ≤ ${c.households} ≤ k·${max}` };
      }
      if (c.bound === 'forced') {
        return { reason: 'proven', component: label, componentHouseholds: c.households, bound: c.lowerBound, solver: 'forced-block',
          detail: `a block of ${c.forcedBlock} households in community part ${label} lies in no connected set of blocks holding ${min}–${max} households: every partition leaves a grid out of range there` };
      }
      return { reason: 'proven', component: label, componentHouseholds: c.households, bound: c.lowerBound, solver: 'exact',
        detail: `every partition of the ${c.blocks} blocks of community part ${label} (${c.households} households) into connected grids has at least ${c.lowerBound} grid(s) out of ${min}–${max}` };
    }
    return { reason: 'unproven', component: label, componentHouseholds: c.households, bound: c.lowerBound, solver: c.bound === 'none' ? undefined : c.bound,
      detail: `${h} households: the engine found no grouping of community part ${label} (${c.households} households, ${c.blocks} blocks) with fewer than ${c.out} grid(s) out of range; proven lower bound ${c.lowerBound}` };
  });
}

/** A fixed grid (a node above max, or land joined to one): which certificate its content gives. */
function fixedGrid(g: GridGroup, h: number, input: CertifyInput): Certificate {
  const { nodes, unitHouseholds, max } = input;
  const units = [...new Set(g.nodes.flatMap((n) => nodes[n].units))].sort();
  const big = units.filter((u) => (unitHouseholds.get(u) ?? 0) > max);
  if (big.length) return { reason: 'unit', detail: `unit ${big.join(', ')} holds ${big.map((u) => unitHouseholds.get(u)).join(', ')} households, above ${max}, and is kept whole` };
  const maxPoint = Math.max(0, ...g.nodes.map((n) => nodes[n].maxPoint));
  if (maxPoint > max) return { reason: 'indivisible', detail: `one address point holds ${maxPoint} households, above ${max}` };
  const heavy = g.nodes.filter((n) => nodes[n].households > max);
  if (h > max && heavy.length) {
    const n = nodes[heavy[0]];
    const why = n.units.length ? `the blocks unit ${n.units.join(', ')} holds together` : 'one address location';
    return { reason: 'proven', bound: 1, solver: 'block',
      detail: `a block of ${n.households} households (${why}) cannot be cut along streets or between address locations, above ${max}` };
  }
  return { reason: 'unproven', detail: `${h} households beside a fixed grid` };
}

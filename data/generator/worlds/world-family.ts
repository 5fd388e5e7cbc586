/**
 * A deterministic family of world specs for test runs (`worldFamily`) and a one-object summary of a world
 * (`describeWorld`).
 */
import { hashSeed, Rng } from '../rng.ts';
import { WORLD_KINDS, type World, type WorldKind } from './world-types.ts';

export interface WorldSpec { seed: number; kind: WorldKind; households?: number }

export interface FamilyOptions {
  /** kinds to draw from (default: every kind, real-streets included) */
  kinds?: readonly WorldKind[];
  /** fixed household total for every world (default: drawn per world by generateWorld) */
  households?: number;
}

/**
 * `count` world specs from `baseSeed`: seeds hashed from (baseSeed, index); kinds dealt in rounds, each round
 * a seeded shuffle of all kinds, so any `count` ≥ the number of kinds covers every kind.
 */
export function worldFamily(baseSeed: number, count: number, opts: FamilyOptions = {}): WorldSpec[] {
  const kinds = opts.kinds ?? WORLD_KINDS;
  if (kinds.length === 0) throw new RangeError('worldFamily: no kinds');
  const rng = new Rng(hashSeed(baseSeed, 0x77));
  const out: WorldSpec[] = [];
  let round: WorldKind[] = [];
  for (let i = 0; i < count; i++) {
    if (round.length === 0) round = rng.shuffle([...kinds]);
    const kind = round.pop()!;
    out.push({ seed: hashSeed(baseSeed, i), kind, ...(opts.households !== undefined ? { households: opts.households } : {}) });
  }
  return out;
}

export interface WorldSummary {
  name: string;
  kind: WorldKind;
  seed: number;
  source?: string;
  households: number;
  points: number;
  streets: number;
  streetsByKind: Record<string, number>;
  communities: { code: string; name: string; households: number; parts: number }[] | null;
  units: null | { count: number; byKind: Record<string, number>; dedicated: number; over600: number; empty: number; straddling: number };
  householdsOutside: number;
  pointsOutside: number;
  indivisible: number;
  origin: [number, number];
  utmZone: number;
}

/** What a world holds, from its meta record and layers. */
export function describeWorld(world: World): WorldSummary {
  const m = world.meta;
  const u = m.units?.totals;
  const byKind: Record<string, number> = {};
  for (const t of u ?? []) byKind[t.kind] = (byKind[t.kind] ?? 0) + 1;
  return {
    name: world.name, kind: world.kind, seed: m.seed, ...(m.source ? { source: m.source } : {}),
    households: m.households, points: m.points, streets: world.streets.features.length, streetsByKind: m.streets.byKind,
    communities: m.communities ? m.communities.totals.map((c) => ({ code: c.code, name: c.name, households: c.households, parts: c.parts })) : null,
    units: u ? {
      count: u.length, byKind, dedicated: u.filter((t) => t.dedicated).length, over600: u.filter((t) => t.households > 600).length,
      empty: u.filter((t) => t.households === 0).length, straddling: u.filter((t) => t.straddles).length,
    } : null,
    householdsOutside: m.householdsOutside, pointsOutside: m.pointsOutside, indivisible: m.indivisible.length,
    origin: m.origin, utmZone: m.utmZone,
  };
}

/**
 * The sample town's emergency data (issue 14), derived from the town without touching its other random streams
 * (each draw seeds its own Rng from the town seed and the building or community, so adding these changes nothing
 * else the generator makes):
 * - shelters (避灾安置场所): every school, and one community centre per community at a building of it, with day
 *   and night capacity (persons; night is what beds allow, about 60% of day) and a contact;
 * - dangerous houses (危房): about 12% of village houses and 3% of walk-ups and villas;
 * - needs of residents (what moving them takes): wheelchair, bedridden, oxygen, dialysis (mostly the old), pregnant.
 */
import { Rng, hashSeed } from './rng.ts';
import { personName } from './names.ts';
import { makePhone } from './id-number.ts';
import type { GeneratedResident } from './residents.ts';
import type { Position, Town, TownBuilding } from './town-types.ts';

export const RESIDENT_NEEDS = ['wheelchair', 'bedridden', 'oxygen', 'dialysis', 'pregnant'] as const;
export type ResidentNeed = (typeof RESIDENT_NEEDS)[number];

export interface TownShelter {
  name: string;
  kind: 'school' | 'community_centre';
  capacityDay: number;
  capacityNight: number;
  contactName: string;
  contactPhone: string;
  address: string;
  position: Position;
}

const REF_YEAR = 2026;

/** Whether the `k`-th household of building `b` lives in a dangerous house (the whole building is, or not). */
export function isDangerousHouse(town: Pick<Town, 'seed'>, b: TownBuilding): boolean {
  const p = b.kind === 'village_house' ? 0.12 : b.kind === 'walkup' || b.kind === 'villa' ? 0.03 : 0;
  return p > 0 && new Rng(hashSeed(town.seed, 1401, b.id)).chance(p);
}

/** The needs of resident `k` of household `h` of building `b`. Deterministic in (seed, building, household, resident). */
export function residentNeeds(town: Pick<Town, 'seed'>, b: TownBuilding, h: number, k: number, r: Pick<GeneratedResident, 'birthDate' | 'sex'>): ResidentNeed[] {
  const rng = new Rng(hashSeed(town.seed, 1402, b.id, h, k));
  const age = REF_YEAR - Number(r.birthDate.slice(0, 4));
  const out: ResidentNeed[] = [];
  const old = age >= 75 ? 3 : age >= 60 ? 1 : 0.2;
  if (rng.chance(0.03 * old)) out.push('wheelchair');
  if (rng.chance(0.015 * old)) out.push('bedridden');
  if (rng.chance(0.006 * old)) out.push('oxygen');
  if (rng.chance(0.003 * old)) out.push('dialysis');
  if (r.sex === 'F' && age >= 20 && age <= 40 && rng.chance(0.04)) out.push('pregnant');
  return out;
}

function centroid(ring: Position[]): Position {
  let x = 0, y = 0;
  const n = ring.length - 1;
  for (let k = 0; k < n; k++) { x += ring[k][0]; y += ring[k][1]; }
  return [x / n, y / n];
}

/** The town's shelters: its schools and one community centre per community (at a building of the community). */
export function townShelters(town: Pick<Town, 'seed' | 'units' | 'communities' | 'buildings'>): TownShelter[] {
  const out: TownShelter[] = [];
  town.units.filter((u) => u.kind === 'school').forEach((u, k) => {
    const rng = new Rng(hashSeed(town.seed, 1403, k));
    const day = rng.int(6, 16) * 100;
    out.push({ name: `${u.name ?? u.code}避灾安置点`, kind: 'school', capacityDay: day, capacityNight: Math.round(day * 0.6), contactName: personName(rng, rng.chance(0.5)),
      contactPhone: makePhone(rng), address: u.name ?? u.code, position: centroid(u.geom.coordinates[0]) });
  });
  const byCommunity = new Map<string, TownBuilding[]>();
  for (const b of town.buildings) {
    const list = byCommunity.get(b.communityCode);
    if (list) list.push(b); else byCommunity.set(b.communityCode, [b]);
  }
  town.communities.forEach((c, k) => {
    const bs = byCommunity.get(c.code);
    if (!bs?.length) return;
    const rng = new Rng(hashSeed(town.seed, 1404, k));
    const b = bs[rng.int(0, bs.length - 1)];
    const day = Math.max(200, Math.round((c.households * 2.6 * rng.range(0.25, 0.45)) / 50) * 50);
    out.push({ name: `${c.name}避灾安置点`, kind: 'community_centre', capacityDay: day, capacityNight: Math.round(day * 0.6), contactName: personName(rng, rng.chance(0.5)),
      contactPhone: makePhone(rng), address: b.address, position: b.position });
  });
  return out;
}

/**
 * Synthetic households and residents, derived on demand per building from the town seed and the building
 * id (so a 1.5M-household town never holds its ~4M residents in memory, and any building's residents can be
 * regenerated alone). Names are real-looking but fictitious; ID numbers carry the fictitious area code
 * 990199 and a valid check character; phones are 11-digit mobiles.
 */
import { Rng, hashSeed } from './rng.ts';
import { personName } from './names.ts';
import { makeIdNumber, makePhone } from './id-number.ts';
import type { Town, TownBuilding } from './town-types.ts';

export const RESIDENT_TAGS = ['elderly_alone', 'veteran', 'disabled', 'special_care', 'party_member', 'low_income'] as const;
export type ResidentTag = (typeof RESIDENT_TAGS)[number];

export interface GeneratedResident {
  name: string;
  idNumber: string;
  phone: string | null;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: 'M' | 'F';
  relation: '户主' | '配偶' | '子女' | '父母' | '孙子女';
  tags: ResidentTag[];
}

export interface GeneratedHousehold {
  unitNo: string | null;
  members: number;
  tags: string[];
  residents: GeneratedResident[];
}

const REF_YEAR = 2026;

/** The households (with residents) living in one building. Deterministic in (town seed, building id). */
export function householdsOfBuilding(town: Pick<Town, 'seed'>, b: TownBuilding): GeneratedHousehold[] {
  const rng = new Rng(hashSeed(town.seed, 777, b.id));
  const out: GeneratedHousehold[] = [];
  const apartment = b.kind !== 'villa' && b.kind !== 'village_house';
  const perFloor = Math.max(1, Math.ceil(b.households / Math.max(1, b.levels)));
  const perUnit = Math.min(4, perFloor);
  for (let k = 0; k < b.households; k++) {
    let unitNo: string | null = null;
    if (apartment) {
      const floor = Math.floor(k / perFloor) + 1;
      const inFloor = k % perFloor;
      unitNo = `${Math.floor(inFloor / perUnit) + 1}单元${floor}${String((inFloor % perUnit) + 1).padStart(2, '0')}`;
    } else if (b.households > 1) {
      unitNo = `${k + 1}户`;
    }
    out.push(makeHousehold(rng, unitNo));
  }
  return out;
}

/** Every household of the town in building order, with its building. */
export function* iterateHouseholds(town: Pick<Town, 'seed' | 'buildings'>): Generator<{ building: TownBuilding; household: GeneratedHousehold }> {
  for (const b of town.buildings) for (const household of householdsOfBuilding(town, b)) yield { building: b, household };
}

function birth(rng: Rng, age: number): string {
  const m = rng.int(1, 12), d = rng.int(1, 28);
  return `${REF_YEAR - age - (m > 10 ? 1 : 0)}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function person(rng: Rng, age: number, male: boolean, relation: GeneratedResident['relation'], surname?: string): GeneratedResident {
  const bd = birth(rng, age);
  let name = personName(rng, male);
  if (surname) name = surname + name.slice(1);
  const tags: ResidentTag[] = [];
  if (male && age >= 40 && rng.chance(0.04)) tags.push('veteran');
  if (rng.chance(0.02)) tags.push('disabled');
  if (rng.chance(0.01)) tags.push('special_care');
  if (age >= 18 && rng.chance(0.08)) tags.push('party_member');
  return { name, idNumber: makeIdNumber(rng, bd, male), phone: age >= 16 ? makePhone(rng) : null, birthDate: bd, sex: male ? 'M' : 'F', relation, tags };
}

function makeHousehold(rng: Rng, unitNo: string | null): GeneratedHousehold {
  const type = rng.weighted([['elderly_alone', 8], ['elderly_couple', 10], ['single', 12], ['couple', 15], ['family', 35], ['three_gen', 20]] as const);
  const rs: GeneratedResident[] = [];
  const headMale = rng.chance(0.7);
  switch (type) {
    case 'elderly_alone': {
      const p = person(rng, rng.int(68, 92), rng.chance(0.35), '户主');
      p.tags.unshift('elderly_alone');
      rs.push(p);
      break;
    }
    case 'elderly_couple': {
      const a = rng.int(62, 88);
      rs.push(person(rng, a, headMale, '户主'), person(rng, a + rng.int(-4, 4), !headMale, '配偶'));
      break;
    }
    case 'single': rs.push(person(rng, rng.int(20, 45), rng.chance(0.5), '户主')); break;
    case 'couple': {
      const a = rng.int(23, 60);
      rs.push(person(rng, a, headMale, '户主'), person(rng, a + rng.int(-4, 4), !headMale, '配偶'));
      break;
    }
    case 'family':
    case 'three_gen': {
      const a = rng.int(28, 52);
      const head = person(rng, a, headMale, '户主');
      const surname = head.name[0];
      rs.push(head, person(rng, a + rng.int(-4, 4), !headMale, '配偶'));
      const kids = rng.weighted([[1, 55], [2, 38], [3, 7]] as const);
      for (let k = 0; k < kids; k++) rs.push(person(rng, Math.max(0, a - rng.int(22, 32)), rng.chance(0.52), '子女', surname));
      if (type === 'three_gen') {
        const g = a + rng.int(24, 32);
        rs.push(person(rng, g, true, '父母', surname));
        if (rng.chance(0.7)) rs.push(person(rng, g + rng.int(-4, 3), false, '父母'));
      }
      break;
    }
  }
  const tags: string[] = [];
  if (type === 'elderly_alone') tags.push('elderly_alone');
  if (rng.chance(0.03)) {
    tags.push('low_income');
    rs[0].tags.push('low_income');
  }
  if (rng.chance(0.12)) tags.push('rental');
  return { unitNo, members: rs.length, tags, residents: rs };
}

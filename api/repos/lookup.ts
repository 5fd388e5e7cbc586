/**
 * Lookup: which grid (of the published plan), community, township and jurisdiction hold a position, and the
 * grid's staff contacts; one statement per position. Also by address text: address points whose address
 * or name holds the text, each with the grid holding it.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { publicContact, type ContactView } from '../auth/personal-data.ts';

export interface PlaceRef { code: string; name: string }
export interface GridRef { code: string; name: string | null; households: number; planId: number; communityCode: string | null; servicePhone?: string | null }
export interface StaffContact { name: string; role: string; department: string | null; phone: string | null }

export interface LookupAnswer {
  jurisdiction: (PlaceRef & { jcode: string }) | null;
  township: PlaceRef | null;
  community: PlaceRef | null;
  grid: GridRef | null;
  staff: StaffContact[];
}

interface Row { places: string | null; grid: string | null; staff: string | null }

/**
 * The places and grid at WGS-84 [lon, lat]; null when no loaded jurisdiction holds the position. `contacts`
 * says how staff are shown: 'public' (masked names, no personal phones: the grid's servicePhone is the number
 * to call) or 'staff' (in full); given the jurisdiction found, see api/auth/personal-data.ts.
 */
export async function lookupPosition(db: Kysely<DB>, lon: number, lat: number, contacts: (jcode: string) => ContactView = () => 'public'): Promise<LookupAnswer | null> {
  // the statement lives in wangge_lookup() (migrations/20261203T0100-lookup-function.ts): planned once per connection
  const { rows } = await sql<Row>`SELECT places, grid, staff FROM wangge_lookup(${lon}::float8, ${lat}::float8)`.execute(db);
  const r = rows[0];
  const places = (r?.places ? JSON.parse(r.places) : []) as Array<PlaceRef & { jcode: string; level: string }>;
  const top = places.find((p) => p.code === p.jcode) ?? null;
  if (!top) return null;
  const pick = (level: string): PlaceRef | null => {
    const p = places.find((x) => x.jcode === top.jcode && x.level === level);
    return p ? { code: p.code, name: p.name } : null;
  };
  const staff = r.staff ? (JSON.parse(r.staff) as StaffContact[]) : [];
  const grid = r.grid ? (JSON.parse(r.grid) as GridRef) : null;
  if (grid) grid.servicePhone ??= null;
  return {
    jurisdiction: { jcode: top.jcode, code: top.code, name: top.name },
    township: pick('township'),
    community: pick('community'),
    grid,
    staff: contacts(top.jcode) === 'staff' ? staff : staff.map(publicContact),
  };
}

// the address search lives in the domain layer (events route by address through it); re-exported for the API and web
export { lookupAddress, type AddressHit } from '../../domain/lookup/lookup-address.ts';

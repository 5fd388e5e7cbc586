/**
 * Kysely's view of the tables created under migrations/. Geometry columns are typed as `string` (EWKB hex as
 * the driver returns it); queries that need coordinates select `ST_AsGeoJSON(...)` instead.
 */
import type { ColumnType, Generated } from 'kysely';

type Geom = ColumnType<string, string | unknown, string | unknown>;
type Json<T = Record<string, unknown>> = ColumnType<T, string | T, string | T>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type JurisdictionLevel = 'city' | 'county' | 'township' | 'community';
export type StreetKind = 'motorway' | 'primary' | 'secondary' | 'tertiary' | 'residential' | 'service' | 'path' | 'river' | 'rail';
export const STREET_KINDS: readonly StreetKind[] = ['motorway', 'primary', 'secondary', 'tertiary', 'residential', 'service', 'path', 'river', 'rail'];
export type PlanStatus = 'draft' | 'published' | 'archived';

export interface JurisdictionsTable { jcode: string; code: string; name: string; level: JurisdictionLevel; parent_code: string | null; households: number | null; geom: Geom }
export interface StreetsTable { jcode: string; id: Generated<number>; kind: StreetKind; name: string | null; source_id: string | null; geom: Geom }
export interface AddressPointsTable {
  jcode: string; id: Generated<number>; households: number; name: string | null; address: string | null;
  building_kind: string | null; levels: number | null; source_id: string | null; geom: Geom;
}
export interface HouseholdsTable { jcode: string; id: Generated<number>; address_point_id: number; unit_no: string | null; members: number; tags: string[]; dangerous_house: Generated<boolean> }
export interface ResidentsTable {
  jcode: string; id: Generated<number>; household_id: number; name: string; id_number: string | null; phone: string | null;
  birth_date: ColumnType<Date | null, string | Date | null, string | Date | null>; relation: string | null; tags: string[]; needs: Generated<string[]>;
}
export interface UnitsTable { jcode: string; id: Generated<number>; code: string; name: string | null; kind: string | null; dedicated: boolean; geom: Geom }
export interface HazardsTable {
  jcode: string; id: Generated<number>; kind: string; severity: number; status: 'open' | 'handling' | 'closed';
  description: string | null; reported_at: Timestamp; geom: Geom;
}
export interface CamerasTable { jcode: string; id: Generated<number>; code: string; name: string | null; bearing: number; fov: number; range_m: number; geom: Geom }
export interface GridStaffTable {
  jcode: string; id: Generated<number>; grid_code: string; name: string; role: 'leader' | 'member' | 'specialist';
  department: string | null; phone: string | null;
}
export interface PatrolTracksTable {
  jcode: string; id: Generated<number>; staff_id: number | null; worker: string; day: ColumnType<Date, string | Date, string | Date>;
  started_at: Timestamp; times: number[]; geom: Geom;
}
export interface GridPlansTable {
  jcode: string; id: Generated<number>; name: string; status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  version: ColumnType<number, number | undefined, number>; method: string; params: Json; summary: Json;
  parent_id: number | null; created_at: Timestamp; published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}
export interface BlocksTable {
  jcode: string; plan_id: number; id: number; households: number; community_code: string | null; unit_code: string | null;
  grid_code: string | null; split: boolean; geom: Geom;
}
export interface GridsTable {
  jcode: string; plan_id: number; code: string; name: string | null; community_code: string | null; households: number;
  reason: string | null; geom: Geom;
}
export interface OverlayLayersTable { jcode: string; id: Generated<number>; name: string; department: string | null }
export interface OverlayZonesTable { jcode: string; layer_id: number; code: string; name: string | null; attrs: Json; geom: Geom }
/** the phone a grid publishes for citizens (a desk or duty phone), apart from the staff's own mobiles */
export interface GridServicePhonesTable { jcode: string; grid_code: string; phone: string }
/** the login limiter's memory (api/auth/login-limiter.ts) */
export interface LoginAttemptsTable { id: Generated<number>; name: string; ip: string; at: Timestamp; outcome: 'pending' | 'failed' }

/** events and work orders (issue 20; domain/events/) */
export type EventStage = 'reported' | 'accepted' | 'registered' | 'dispatched' | 'handled' | 'verified' | 'closed' | 'evaluated' | 'rejected';
export type EventSource = 'patrol' | 'resident' | 'hotline' | 'camera' | 'other';
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type NullableTime = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export interface EventsTable {
  jcode: string; id: Generated<number>; kind: 'urban' | 'social'; type_code: string; source: EventSource;
  stage: ColumnType<EventStage, EventStage | undefined, EventStage>; priority: ColumnType<'normal' | 'urgent', 'normal' | 'urgent' | undefined, 'normal' | 'urgent'>;
  description: string; address: Nullable<string>; geom: ColumnType<string | null, unknown, unknown>; plan_id: Nullable<number>;
  grid_code: Nullable<string>; community_code: Nullable<string>; township_code: Nullable<string>;
  reporter_name: Nullable<string>; reporter_phone: Nullable<string>; reported_by: Nullable<string>;
  reported_at: Timestamp; updated_at: Timestamp; deadline_at: Timestamp; yellow_at: Timestamp; closed_at: NullableTime; on_time: Nullable<boolean>;
  dispatched_kind: Nullable<'department' | 'grid_worker'>; dispatched_to: Nullable<string>; handled_by: Nullable<string>;
  duplicate_of: Nullable<number>; hotline_order_no: Nullable<string>; media_url: Nullable<string>;
  photos: ColumnType<number, number | undefined, number>; result_photos: ColumnType<number, number | undefined, number>;
  mediation: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>; rating: Nullable<number>;
  follow_up: Nullable<string>; status_notes: Nullable<string>;
}
export interface EventTransitionsTable {
  jcode: string; event_id: number; seq: number; action: string; from_stage: string | null; to_stage: string; actor: string | null; role: string | null;
  at: Timestamp; note: string | null; data: Json;
}
export interface EventPhotosTable { jcode: string; event_id: number; n: number; kind: 'report' | 'result'; mime: string; bytes: Buffer | Uint8Array; at: Timestamp }
export interface EventTypeSettingsTable { jcode: string; type_code: string; deadline_hours: number | null; yellow_share: number | null; result_photo_required: boolean | null }
export interface Open311ClientsTable { jcode: string; key_hash: string; name: string; created_at: Generated<Date> }

// emergency rosters (migrations/20261214T0100-emergency-rosters.ts)
export interface SheltersTable {
  jcode: string; id: Generated<number>; name: string; kind: string | null; capacity_day: number; capacity_night: number;
  contact_name: string | null; contact_phone: string | null; address: string | null; geom: Geom;
}
export interface HazardAreasTable {
  jcode: string; id: Generated<number>; name: string; kind: string; level: string; deadline: Timestamp; capacity_period: 'day' | 'night';
  created_by: string | null; created_at: Generated<Date>; plan_id: number | null; geom: Geom;
}
export interface RosterHouseholdsTable {
  jcode: string; roster_id: number; household_id: number; address_point_id: number; grid_code: string | null; community_code: string | null;
  persons: number; vulnerable: Generated<number>; dangerous_house: Generated<boolean>; shelter_id: number | null; walk_m: number | null;
}
export interface RosterPeopleTable {
  jcode: string; roster_id: number; resident_id: number; household_id: number; grid_code: string | null; vulnerable: boolean;
  reasons: Generated<string[]>; needs_vehicle: Generated<boolean>;
}
export interface RosterTicksTable {
  jcode: string; id: Generated<number>; roster_id: number; resident_id: number; grid_code: string | null; status: string; note: string | null;
  at: Timestamp; recorded_at: Generated<Date>; by_name: string; by_role: string;
}

export interface DB {
  jurisdictions: JurisdictionsTable;
  streets: StreetsTable;
  address_points: AddressPointsTable;
  households: HouseholdsTable;
  residents: ResidentsTable;
  units: UnitsTable;
  hazards: HazardsTable;
  cameras: CamerasTable;
  grid_staff: GridStaffTable;
  patrol_tracks: PatrolTracksTable;
  grid_plans: GridPlansTable;
  blocks: BlocksTable;
  grids: GridsTable;
  overlay_layers: OverlayLayersTable;
  overlay_zones: OverlayZonesTable;
  grid_service_phones: GridServicePhonesTable;
  login_attempts: LoginAttemptsTable;
  events: EventsTable;
  event_transitions: EventTransitionsTable;
  event_photos: EventPhotosTable;
  event_type_settings: EventTypeSettingsTable;
  open311_clients: Open311ClientsTable;
  shelters: SheltersTable;
  hazard_areas: HazardAreasTable;
  roster_households: RosterHouseholdsTable;
  roster_people: RosterPeopleTable;
  roster_ticks: RosterTicksTable;
}

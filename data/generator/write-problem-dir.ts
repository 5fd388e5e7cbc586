/**
 * Write a generated town as a partition-problem directory (../shared/FORMAT.md: boundary, streets,
 * households, communities, units, params.json) plus the extra layers (townships, hazards, cameras, tracks,
 * overlays/<layer>.geojson, residents.ndjson, town.json). Output is byte-identical for the same town:
 * fixed property order, coordinates already rounded by the generator. Large files are written in chunks.
 */
import { closeSync, mkdirSync, openSync, writeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { noProgress, type ProgressFn } from '../progress.ts';
import { iterateHouseholds } from './residents.ts';
import type { Town } from './town-types.ts';

export interface WriteTownOptions {
  /** write residents.ndjson (one household per line with its residents); default true */
  residents?: boolean;
  progress?: ProgressFn;
}

export interface WriteTownResult {
  dir: string;
  files: string[];
  residents: number;
}

/** Write `features` (already-serialisable objects) as a FeatureCollection, one feature per line. */
export function writeCollection(file: string, features: Iterable<object>): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, '{"type":"FeatureCollection","features":[\n');
    let buf = '';
    let first = true;
    for (const f of features) {
      buf += (first ? '' : ',\n') + JSON.stringify(f);
      first = false;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, `${buf}\n]}\n`);
  } finally {
    closeSync(fd);
  }
}

const feature = (properties: object, geometry: object) => ({ type: 'Feature', properties, geometry });

/** Write the problem directory (creating it) and the extra layers. */
export function writeProblemDir(town: Town, dir: string, opts: WriteTownOptions = {}): WriteTownResult {
  const progress = opts.progress ?? noProgress;
  mkdirSync(path.join(dir, 'overlays'), { recursive: true });
  const files: string[] = [];
  const put = (name: string, features: Iterable<object>) => {
    writeCollection(path.join(dir, name), features);
    files.push(name);
  };
  progress({ phase: 'write', percent: 0, message: 'boundary, streets' });
  put('boundary.geojson', [feature({ code: town.code, name: town.name, level: 'county', households: town.households }, town.boundary)]);
  put('streets.geojson', town.streets.map((s) => feature(
    s.deadEnd ? { kind: s.kind, name: s.name || null, dead_end: true } : { kind: s.kind, name: s.name || null },
    { type: 'LineString', coordinates: s.coordinates })));
  progress({ phase: 'write', percent: 20, message: 'households' });
  put('households.geojson', town.buildings.map((b) => feature(
    { households: b.households, id: b.id, name: b.name, building: b.kind, levels: b.levels, community: b.communityCode, address: b.address },
    { type: 'Point', coordinates: b.position })));
  put('communities.geojson', town.communities.map((c) => feature(
    { code: c.code, name: c.name, township: c.townshipCode, kind: c.kind, households: c.households }, c.geom)));
  put('units.geojson', town.units.map((u) => feature({ code: u.code, name: u.name, kind: u.kind, dedicated: u.dedicated }, u.geom)));
  writeFileSync(path.join(dir, 'params.json'), `${JSON.stringify(town.params)}\n`);
  files.push('params.json');
  progress({ phase: 'write', percent: 40, message: 'extra layers' });
  put('townships.geojson', town.townships.map((t) => feature({ code: t.code, name: t.name, kind: t.kind, households: t.households }, t.geom)));
  put('hazards.geojson', town.hazards.map((h) => feature(
    { kind: h.kind, severity: h.severity, status: h.status, description: h.description, reported_at: h.reportedAt }, h.geom)));
  put('cameras.geojson', town.cameras.map((c) => feature(
    { code: c.code, name: c.name, bearing: c.bearing, fov: c.fov, range_m: c.rangeM }, { type: 'Point', coordinates: c.position })));
  put('tracks.geojson', town.tracks.map((t) => feature(
    { worker: t.worker, phone: t.phone, day: t.day, started_at: t.startedAt, times: t.times }, { type: 'LineString', coordinates: t.coordinates })));
  for (const ov of town.overlays) {
    put(path.join('overlays', `${ov.layer}.geojson`), ov.zones.map((z) => feature(
      { code: z.code, name: z.name, layer: ov.layer, department: ov.department, person: z.person, phone: z.phone }, z.geom)));
  }
  let residents = 0;
  if (opts.residents ?? true) {
    progress({ phase: 'write', percent: 50, message: 'residents' });
    const fd = openSync(path.join(dir, 'residents.ndjson'), 'w');
    try {
      let buf = '';
      let done = 0;
      for (const { building, household } of iterateHouseholds(town)) {
        buf += `${JSON.stringify({
          building: building.id, unit_no: household.unitNo, members: household.members, tags: household.tags,
          residents: household.residents.map((r) => ({ name: r.name, id_number: r.idNumber, phone: r.phone, birth_date: r.birthDate, sex: r.sex, relation: r.relation, tags: r.tags })),
        })}\n`;
        residents += household.members;
        if (buf.length > 1 << 20) {
          writeSync(fd, buf);
          buf = '';
          progress({ phase: 'write', percent: 50 + (50 * done) / Math.max(1, town.households), message: 'residents' });
        }
        done++;
      }
      writeSync(fd, buf);
    } finally {
      closeSync(fd);
    }
    files.push('residents.ndjson');
  }
  writeFileSync(path.join(dir, 'town.json'), `${JSON.stringify({
    name: town.name, code: town.code, seed: town.seed, requested: town.requested, households: town.households, origin: town.origin,
    counts: {
      townships: town.townships.length, communities: town.communities.length, streets: town.streets.length, buildings: town.buildings.length,
      blocks: town.blocks.length, units: town.units.length, hazards: town.hazards.length, cameras: town.cameras.length, tracks: town.tracks.length,
      overlay_zones: Object.fromEntries(town.overlays.map((o) => [o.layer, o.zones.length])), residents: (opts.residents ?? true) ? residents : null,
    },
  }, null, 2)}\n`);
  files.push('town.json');
  progress({ phase: 'write', percent: 100 });
  return { dir, files, residents };
}

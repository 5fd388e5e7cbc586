/**
 * A plan's grids as a downloadable file: GeoJSON, GeoPackage, zipped Shapefile or KML (issue 6).
 */
import type { Kysely } from 'kysely';
import { planFeatureCollection } from '../../spatial/partition/index.ts';
import { writeGeoPackage } from '../../data/formats/geopackage.ts';
import { writeKml } from '../../data/formats/kml.ts';
import { writeShapefile } from '../../data/formats/shapefile.ts';
import { writeZip } from '../../data/formats/zip.ts';

export const EXPORT_FORMATS = ['geojson', 'gpkg', 'shp.zip', 'kml'] as const;
export type ExportFormat = typeof EXPORT_FORMATS[number];

export const EXPORT_TYPES: Readonly<Record<ExportFormat, string>> = {
  geojson: 'application/geo+json',
  gpkg: 'application/geopackage+sqlite3',
  'shp.zip': 'application/zip',
  kml: 'application/vnd.google-earth.kml+xml',
};

export function isExportFormat(s: unknown): s is ExportFormat {
  return typeof s === 'string' && (EXPORT_FORMATS as readonly string[]).includes(s);
}

export interface PlanExport { body: Buffer; contentType: string; filename: string }

/** The file name of plan `planId` of `jcode` exported as `format`. */
export function exportFilename(jcode: string, planId: number, format: ExportFormat): string {
  return `plan-${jcode}-${planId}.${format}`;
}

/** The grids of plan `planId` of `jcode` in `format`; `name` titles the KML document. */
export async function exportPlan(db: Kysely<any>, jcode: string, planId: number, format: ExportFormat, name: string): Promise<PlanExport> {
  const fc = await planFeatureCollection(db, jcode, planId);
  const base = `plan-${jcode}-${planId}`;
  let body: Buffer;
  switch (format) {
    case 'geojson': body = Buffer.from(JSON.stringify(fc), 'utf8'); break;
    case 'gpkg': body = await writeGeoPackage(fc.features, { identifier: name, description: `${jcode} plan ${planId}` }); break;
    case 'kml': body = Buffer.from(writeKml(fc.features, name), 'utf8'); break;
    case 'shp.zip': {
      const s = writeShapefile(fc.features);
      body = writeZip([
        { name: `${base}.shp`, data: s.shp }, { name: `${base}.shx`, data: s.shx }, { name: `${base}.dbf`, data: s.dbf },
        { name: `${base}.prj`, data: s.prj }, { name: `${base}.cpg`, data: s.cpg },
      ]);
      break;
    }
  }
  return { body, contentType: EXPORT_TYPES[format], filename: exportFilename(jcode, planId, format) };
}

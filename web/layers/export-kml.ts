/**
 * Export of a plan's grids, pure: GeoJSON text (RFC 7946) and KML 2.2 text (Polygon and MultiPolygon
 * features as Placemarks with their code, name and households), for planners who open them in other tools.
 */
import type { FeatureCollection, Geometry, Position } from 'geojson';

const esc = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]!));

const coords = (ring: Position[]) => ring.map((p) => `${+p[0].toFixed(7)},${+p[1].toFixed(7)}`).join(' ');

function polygonKml(rings: Position[][]): string {
  const [outer, ...holes] = rings;
  return `<Polygon><outerBoundaryIs><LinearRing><coordinates>${coords(outer)}</coordinates></LinearRing></outerBoundaryIs>`
    + holes.map((h) => `<innerBoundaryIs><LinearRing><coordinates>${coords(h)}</coordinates></LinearRing></innerBoundaryIs>`).join('')
    + '</Polygon>';
}

function geometryKml(g: Geometry): string | null {
  if (g.type === 'Polygon') return polygonKml(g.coordinates);
  if (g.type === 'MultiPolygon') return `<MultiGeometry>${g.coordinates.map(polygonKml).join('')}</MultiGeometry>`;
  return null;
}

/** The grids as a KML document named `name`. */
export function toKml(fc: FeatureCollection, name: string): string {
  const marks = fc.features.map((f) => {
    const g = f.geometry ? geometryKml(f.geometry) : null;
    if (!g) return '';
    const p = f.properties ?? {};
    const data = ['code', 'name', 'community', 'households'].filter((k) => p[k] !== undefined && p[k] !== null)
      .map((k) => `<Data name="${k}"><value>${esc(String(p[k]))}</value></Data>`).join('');
    return `<Placemark><name>${esc(String(p.name ?? p.code ?? f.id ?? ''))}</name><ExtendedData>${data}</ExtendedData>${g}</Placemark>`;
  }).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>${esc(name)}</name>\n${marks}\n</Document></kml>\n`;
}

/** The grids as GeoJSON text, only the properties worth exporting. */
export function toGeoJsonText(fc: FeatureCollection): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({ type: 'Feature', id: f.id, properties: f.properties, geometry: f.geometry })),
  });
}

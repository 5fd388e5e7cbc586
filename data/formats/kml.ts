/**
 * KML 2.2 writer for a plan's grids (KML is not an import format, so there is no reader): a Document with one
 * Placemark per grid (name = code; ExtendedData households, community, reason), a Polygon or a MultiGeometry
 * of Polygons; outer rings counter-clockwise, inner rings clockwise as KML asks.
 */
import type { GridFeatureOut } from './grid-feature.ts';
import { signedArea2 } from './shapefile.ts';
import { polygonsOf, type Position } from './wkb.ts';

/** `s` with the five XML special characters escaped. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const ring = (r: Position[], ccw: boolean) => {
  const pts = (signedArea2(r) > 0) === ccw ? r : [...r].reverse();
  return `<LinearRing><coordinates>${pts.map((p) => `${p[0]},${p[1]}`).join(' ')}</coordinates></LinearRing>`;
};

const polygon = (rings: Position[][]) => `<Polygon><outerBoundaryIs>${ring(rings[0], true)}</outerBoundaryIs>`
  + rings.slice(1).map((r) => `<innerBoundaryIs>${ring(r, false)}</innerBoundaryIs>`).join('') + '</Polygon>';

/** The grids as a KML document named `name`. */
export function writeKml(features: GridFeatureOut[], name: string): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>', `<name>${xmlEscape(name)}</name>`];
  for (const f of features) {
    const p = f.properties;
    const data = ([['households', String(p.households)], ['community', p.community ?? ''], ['reason', p.reason ?? '']] as const)
      .map(([k, v]) => `<Data name="${k}"><value>${xmlEscape(v)}</value></Data>`).join('');
    const polys = polygonsOf(f.geometry);
    const geom = polys.length === 1 ? polygon(polys[0]) : `<MultiGeometry>${polys.map(polygon).join('')}</MultiGeometry>`;
    out.push(`<Placemark><name>${xmlEscape(p.code)}</name><ExtendedData>${data}</ExtendedData>${geom}</Placemark>`);
  }
  out.push('</Document>\n</kml>\n');
  return out.join('\n');
}

/**
 * OpenStreetMap XML (.osm, .osm.gz, .osm.xml) read with fast-xml-parser into OsmData. A file that is not
 * well-formed XML is refused naming its line; a file without an <osm> root is refused too.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WanggeError } from '../errors.ts';
import { checkNode, type OsmData, type OsmMember } from '../importers/osm-model.ts';
import type { Tags } from '../importers/osm-tags.ts';

const ARRAYS = new Set(['node', 'way', 'relation', 'tag', 'nd', 'member']);

function tagsOf(el: any): Tags {
  const t: Tags = {};
  for (const x of el.tag ?? []) if (x.k !== undefined) t[String(x.k)] = String(x.v ?? '');
  return t;
}

/** Parse OSM XML text (already decompressed). `file` names the source in errors. */
export function parseOsmXml(text: string, file: string): OsmData {
  const v = XMLValidator.validate(text);
  if (v !== true) {
    throw new WanggeError('bad_file', `not well-formed XML: ${v.err.msg}`, { file, line: v.err.line });
  }
  const parser = new XMLParser({
    ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false,
    isArray: (name) => ARRAYS.has(name), processEntities: true, htmlEntities: false,
  });
  const doc = parser.parse(text);
  const osm = doc?.osm;
  if (!osm || typeof osm !== 'object') throw new WanggeError('bad_file', 'not an OpenStreetMap XML file (no <osm> root element)', { file });
  const data: OsmData = { coords: new Map(), taggedNodes: [], ways: [], relations: [], bounds: null };
  const bd = osm.bounds;
  if (bd && bd.minlon !== undefined) {
    const bb = [Number(bd.minlon), Number(bd.minlat), Number(bd.maxlon), Number(bd.maxlat)];
    if (bb.every(Number.isFinite)) data.bounds = bb as [number, number, number, number];
  }
  const nodes: any[] = osm.node ?? [];
  nodes.forEach((n, i) => {
    const id = Number(n.id);
    const lon = Number(n.lon);
    const lat = Number(n.lat);
    if (n.visible === 'false') return;
    checkNode(file, id, lon, lat, i);
    data.coords.set(id, [lon, lat]);
    if (n.tag) data.taggedNodes.push({ id, lon, lat, tags: tagsOf(n) });
  });
  for (const w of osm.way ?? []) {
    if (w.visible === 'false') continue;
    data.ways.push({ id: Number(w.id), refs: (w.nd ?? []).map((x: any) => Number(x.ref)), tags: tagsOf(w) });
  }
  for (const r of osm.relation ?? []) {
    if (r.visible === 'false') continue;
    const members: OsmMember[] = (r.member ?? []).map((m: any) => ({ type: m.type, ref: Number(m.ref), role: String(m.role ?? '') }));
    data.relations.push({ id: Number(r.id), members, tags: tagsOf(r) });
  }
  return data;
}

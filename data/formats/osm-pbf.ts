/**
 * OpenStreetMap PBF (.osm.pbf, .pbf) into OsmData. The file is framed here (4-byte length, BlobHeader,
 * Blob; zlib-compressed or raw blocks) and each OSMData block is decoded with osm-pbf-parser-node's `parse`,
 * so that any corruption surfaces as one WanggeError naming the file and the block, never as an exception
 * thrown inside a stream.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { parse } from 'osm-pbf-parser-node';
import { PbfReader } from 'pbf';
import { Blob as PbfBlob, BlobHeader } from 'osm-pbf-parser-node/proto/fileformat.js';
import { HeaderBlock } from 'osm-pbf-parser-node/proto/osmformat.js';
import { WanggeError } from '../errors.ts';
import { checkNode, type OsmData, type OsmMember } from '../importers/osm-model.ts';
import type { Tags } from '../importers/osm-tags.ts';

/** Read a PBF file; `label` names it in errors. */
export function readOsmPbf(file: string, label = file): OsmData {
  const buf = readFileSync(file);
  const data: OsmData = { coords: new Map(), taggedNodes: [], ways: [], relations: [], bounds: null };
  let pos = 0;
  let block = 0;
  let index = 0;
  while (pos < buf.length) {
    const where = { file: label, field: `block ${block}` };
    if (pos + 4 > buf.length) throw new WanggeError('bad_file', 'truncated PBF block length', where);
    const hlen = buf.readUInt32BE(pos);
    if (hlen < 2 || hlen > 65_536 || pos + 4 + hlen > buf.length) throw new WanggeError('bad_file', `not an OSM PBF file (block header length ${hlen})`, where);
    let type: string;
    let payload: Buffer;
    try {
      const header = BlobHeader.read(new PbfReader(buf.subarray(pos + 4, pos + 4 + hlen))) as { type: string; datasize: number };
      type = header.type;
      if (type !== 'OSMHeader' && type !== 'OSMData') throw new Error(`unexpected block type ${JSON.stringify(type)}`);
      if (block === 0 && type !== 'OSMHeader') throw new Error('the first block is not an OSMHeader');
      const start = pos + 4 + hlen;
      if (header.datasize <= 0 || start + header.datasize > buf.length) throw new Error(`block of ${header.datasize} bytes is truncated`);
      const blob = PbfBlob.read(new PbfReader(buf.subarray(start, start + header.datasize))) as { raw: Uint8Array | null; zlib_data: Uint8Array | null; data: string | null };
      if (blob.zlib_data) payload = inflateSync(blob.zlib_data);
      else if (blob.raw) payload = Buffer.from(blob.raw);
      else throw new Error(`${blob.data ?? 'unknown'} compression is not supported (zlib or raw only)`);
      pos = start + header.datasize;
    } catch (e) {
      throw new WanggeError('bad_file', `not a readable OSM PBF file: ${(e as Error).message}`, where);
    }
    if (type === 'OSMHeader') {
      const h = HeaderBlock.read(new PbfReader(payload)) as { bbox?: { left: number; right: number; top: number; bottom: number } };
      const b = h.bbox;
      if (b && b.right > b.left && b.top > b.bottom) data.bounds = [b.left / 1e9, b.bottom / 1e9, b.right / 1e9, b.top / 1e9];
    } else {
      let items: any[];
      try {
        items = parse(payload, { withTags: true, withInfo: false }) as any[];
      } catch (e) {
        throw new WanggeError('bad_file', `OSMData block cannot be decoded: ${(e as Error).message}`, where);
      }
      for (const it of items) {
        if (it.type === 'node') {
          checkNode(label, it.id, it.lon, it.lat, index);
          data.coords.set(it.id, [it.lon, it.lat]);
          if (it.tags && Object.keys(it.tags).length) data.taggedNodes.push({ id: it.id, lon: it.lon, lat: it.lat, tags: it.tags as Tags });
        } else if (it.type === 'way') {
          data.ways.push({ id: it.id, refs: it.refs, tags: (it.tags ?? {}) as Tags });
        } else if (it.type === 'relation') {
          data.relations.push({ id: it.id, members: it.members as OsmMember[], tags: (it.tags ?? {}) as Tags });
        }
        index++;
      }
    }
    block++;
  }
  if (block === 0) throw new WanggeError('bad_file', 'empty file', { file: label });
  return data;
}

// Declarations for the importers' dependencies that ship no types of their own.
declare module 'shapefile' {
  export interface ShpSource {
    /** the shapefile's bounding box [xmin, ymin, xmax, ymax] */
    bbox: number[];
    /** the next geometry (GeoJSON; null for a null shape) */
    read(): Promise<{ done: boolean; value: any }>;
    cancel(): Promise<void>;
  }
  export function openShp(source: string | ArrayBuffer | Uint8Array, options?: Record<string, unknown>): Promise<ShpSource>;
  const shapefile: { openShp: typeof openShp };
  export default shapefile;
}

// The generated protobuf codecs inside osm-pbf-parser-node: the PBF reader frames blocks with them, the
// tests write PBF fixtures with them.
declare module 'osm-pbf-parser-node/proto/fileformat.js' {
  interface Codec { read(pbf: unknown, end?: number): unknown; write(obj: Record<string, unknown>, pbf: unknown): void }
  export const Blob: Codec;
  export const BlobHeader: Codec;
}
declare module 'osm-pbf-parser-node/proto/osmformat.js' {
  interface Codec { read(pbf: unknown, end?: number): unknown; write(obj: Record<string, unknown>, pbf: unknown): void }
  export const HeaderBlock: Codec;
  export const PrimitiveBlock: Codec;
}

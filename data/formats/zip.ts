/**
 * ZIP archives written with fflate (deflated entries, UTF-8 names), for the zipped Shapefile export.
 */
import { zipSync, type Zippable } from 'fflate';

export interface ZipEntry { name: string; data: Uint8Array | string }

/** The entries as the bytes of a ZIP archive, each entry stamped `now`. */
export function writeZip(entries: ZipEntry[], now = new Date()): Buffer {
  const files: Zippable = {};
  for (const e of entries) {
    const data = typeof e.data === 'string' ? new TextEncoder().encode(e.data) : e.data;
    files[e.name] = [data, { level: 6, mtime: now }];
  }
  return Buffer.from(zipSync(files));
}

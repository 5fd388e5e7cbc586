/**
 * Household counts per H3 cell for the wall screen, with small cells suppressed (k-anonymity style): a cell
 * with fewer than `k` households is left out, and only how many cells were suppressed is reported.
 */
import { sql, type Kysely } from 'kysely';
import { cellToLatLng, latLngToCell } from 'h3-js';

export interface H3Counts {
  jcode: string;
  res: number;
  k: number;
  cells: Array<{ h3: string; households: number; lon: number; lat: number }>;
  suppressedCells: number;
}

export async function h3Counts(db: Kysely<any>, jcode: string, res: number, k: number): Promise<H3Counts> {
  const { rows } = await sql<{ x: number; y: number; n: number }>`
    SELECT ST_X(geom) AS x, ST_Y(geom) AS y, households AS n FROM address_points WHERE jcode = ${jcode}`.execute(db);
  const sums = new Map<string, number>();
  for (const r of rows) {
    const cell = latLngToCell(Number(r.y), Number(r.x), res);
    sums.set(cell, (sums.get(cell) ?? 0) + Number(r.n));
  }
  const cells: H3Counts['cells'] = [];
  let suppressed = 0;
  for (const [h3, households] of [...sums.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (households < k) {
      suppressed += 1;
      continue;
    }
    const [lat, lon] = cellToLatLng(h3);
    cells.push({ h3, households, lon: +lon.toFixed(6), lat: +lat.toFixed(6) });
  }
  return { jcode, res, k, cells, suppressedCells: suppressed };
}

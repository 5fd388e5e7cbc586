/**
 * CSV renderings of the merge reports (RFC 4180 quoting, UTF-8, header first).
 *
 * @example crosswalkCsv([{ layer: 'security', zone: 'Z1', grid: 'G1', households: 480, share: 0.96 }])
 * // 'layer,zone,grid,households,share\nsecurity,Z1,G1,480,0.96\n'
 */
import type { CrosswalkRow, RosterRow } from './merge-overlays.ts';

function field(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

export function crosswalkCsv(rows: CrosswalkRow[]): string {
  return csv(['layer', 'zone', 'grid', 'households', 'share'], rows.map((r) => [r.layer, r.zone, r.grid, r.households, r.share]));
}

export function rosterCsv(rows: RosterRow[]): string {
  return csv(['grid', 'role', 'name', 'phone', 'layer', 'zone', 'households'], rows.map((r) => [r.grid, r.role, r.name, r.phone, r.layer, r.zone, r.households]));
}

/**
 * The events' figures as files: CSV (UTF-8 with a BOM, so that Excel in China opens it as UTF-8) and .xlsx
 * (exceljs), with the hotspots on a second sheet. Kept beside the figures: one table, two spellings.
 */
import ExcelJS from 'exceljs';
import { figuresTable, type Figures } from './event-figures.ts';

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // quote what CSV needs quoted; neutralise a leading formula character (CSV injection)
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The figures as CSV text. */
export function figuresCsv(f: Figures): string {
  const t = figuresTable(f);
  return `\uFEFF${[t.header, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The figures as an .xlsx workbook (sheets 统计 figures and 热点 hotspots). */
export async function figuresXlsx(f: Figures): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'wangge';
  const t = figuresTable(f);
  const ws = wb.addWorksheet('统计 figures');
  ws.addRow(t.header).font = { bold: true };
  for (const r of t.rows) ws.addRow(r);
  const hs = wb.addWorksheet('热点 hotspots');
  hs.addRow(['h3', 'type_code', 'grid', 'events', 'lon', 'lat', 'first', 'last']).font = { bold: true };
  for (const h of f.hotspots) hs.addRow([h.h3, h.typeCode, h.gridCode, h.events, h.lon, h.lat, h.first, h.last]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

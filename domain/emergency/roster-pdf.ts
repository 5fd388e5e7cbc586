/**
 * A grid's roster as a printable PDF (pdfkit), for when power and networks fail: an A4 page with the grid's map
 * (the hazard area, the grid, the houses to empty — red where someone vulnerable lives —, the shelters and the
 * walking routes to them) and the responsible staff, then the list with a box to tick by hand.
 *
 * Chinese text needs a CJK font file, read from the machine and embedded (subset) in the PDF: nothing is fetched.
 * Default: Debian's fonts-wqy-microhei (`/usr/share/fonts/truetype/wqy/wqy-microhei.ttc`, family
 * PostScript name "WenQuanYiMicroHei"); another TrueType/OpenType file can be given (WANGGE_PDF_FONT).
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { KIND_ZH, LEVEL_ZH, reasonsZh, STATUS_ZH } from './roster-labels.ts';
import type { RosterPerson, ShelterLoad, StaffContact } from './roster-repository.ts';
import type { LonLat } from './walk-graph.ts';

export const DEFAULT_PDF_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const TTC_FAMILY = 'WenQuanYiMicroHei'; // the PostScript name of the collection's font

type Polygonal = { type: 'Polygon'; coordinates: LonLat[][] } | { type: 'MultiPolygon'; coordinates: LonLat[][][] };

export interface GridSheet {
  rosterName: string; kind: string; level: string; deadline: string; gridCode: string; communityCode: string | null;
  area: Polygonal; grid: Polygonal | null; people: RosterPerson[]; shelters: ShelterLoad[]; routes: LonLat[][]; staff: StaffContact[];
  printedAt: string;
}

const rings = (g: Polygonal | null): LonLat[][] => (g === null ? [] : g.type === 'Polygon' ? g.coordinates : g.coordinates.flat());

/** Render the sheet of one grid; resolves to the PDF bytes. */
export function gridRosterPdf(sheet: GridSheet, fontPath = process.env.WANGGE_PDF_FONT || DEFAULT_PDF_FONT): Promise<Buffer> {
  if (!existsSync(fontPath)) {
    throw new Error(`no CJK font at ${fontPath}: install fonts-wqy-microhei or set WANGGE_PDF_FONT to a TrueType/OpenType file`);
  }
  const doc = new PDFDocument({ size: 'A4', margin: 36, info: { Title: `${sheet.rosterName} ${sheet.gridCode} 转移名单`, Producer: 'Wangge' } });
  if (fontPath.endsWith('.ttc')) doc.font(fontPath, TTC_FAMILY); else doc.font(fontPath);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const W = doc.page.width - 72;

  doc.fontSize(16).text(`${sheet.rosterName} · 转移对象清单`, { width: W });
  doc.fontSize(10).text(`${KIND_ZH[sheet.kind] ?? sheet.kind} · ${LEVEL_ZH[sheet.level] ?? sheet.level}预警 · 转移时限 ${fmt(sheet.deadline)} · 网格 ${sheet.gridCode}`
    + `${sheet.communityCode ? ` · 社区 ${sheet.communityCode}` : ''} · 打印于 ${fmt(sheet.printedAt)}`, { width: W });
  const vulnerable = sheet.people.filter((p) => p.vulnerable).length;
  doc.text(`转移责任人：${sheet.staff.map((s) => `${s.name}${s.phone ? ` ${s.phone}` : ''}`).join('；') || '（未配置）'}`, { width: W });
  doc.text(`应转移 ${new Set(sheet.people.map((p) => p.householdId)).size} 户 ${sheet.people.length} 人，其中重点人员 ${vulnerable} 人，需车辆 ${sheet.people.filter((p) => p.needsVehicle).length} 人`, { width: W });
  doc.moveDown(0.5);

  // ---- the map
  const top = doc.y, H = 360;
  const pts: LonLat[] = [...rings(sheet.grid).flat(), ...sheet.people.map((p) => [p.lon, p.lat] as LonLat), ...sheet.shelters.map((s) => [s.lon, s.lat] as LonLat)];
  if (pts.length === 0) pts.push(...rings(sheet.area).flat());
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
  const span = Math.max((x1 - x0) * k / W, (y1 - y0) / H, 1e-6) * 1.1;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const P = ([x, y]: LonLat): [number, number] => [36 + W / 2 + ((x - cx) * k) / span, top + H / 2 - (y - cy) / span];
  const path = (ring: LonLat[]) => { ring.forEach((p, i) => (i === 0 ? doc.moveTo(...P(p)) : doc.lineTo(...P(p)))); doc.closePath(); };
  doc.save();
  doc.rect(36, top, W, H).clip();
  doc.rect(36, top, W, H).fill('#f7f7f4');
  for (const r of rings(sheet.area)) path(r);
  doc.fillOpacity(0.25).fillAndStroke('#e4572e', '#e4572e').fillOpacity(1);
  for (const r of rings(sheet.grid)) path(r);
  doc.lineWidth(1.5).dash(4, { space: 3 }).stroke('#1f4e9c').undash().lineWidth(1);
  for (const route of sheet.routes) {
    route.forEach((p, i) => (i === 0 ? doc.moveTo(...P(p)) : doc.lineTo(...P(p))));
    doc.strokeOpacity(0.5).stroke('#2a9d8f').strokeOpacity(1);
  }
  const seen = new Set<string>();
  for (const p of [...sheet.people].sort((a, b) => Number(a.vulnerable) - Number(b.vulnerable))) {
    const key = `${p.lon},${p.lat},${p.vulnerable}`;
    if (seen.has(key)) continue;
    seen.add(key);
    doc.circle(...P([p.lon, p.lat]), p.vulnerable ? 3.2 : 2.4).fill(p.vulnerable ? '#c1121f' : p.dangerousHouse ? '#f4a261' : '#333333');
  }
  for (const s of sheet.shelters) {
    const [x, y] = P([s.lon, s.lat]);
    doc.rect(x - 5, y - 5, 10, 10).fill('#2a9d8f');
    doc.fillColor('#000000').fontSize(8).text(s.name, x + 7, y - 4, { lineBreak: false });
  }
  doc.restore();
  doc.rect(36, top, W, H).stroke('#999999');
  doc.fillColor('#000000').fontSize(8).text('图例：红色区域 危险区；虚线 网格边界；红点 有重点人员的住址；橙点 危房；黑点 其他住址；绿色方块 安置点；绿线 步行路线', 36, top + H + 4, { width: W });
  doc.moveDown(0.8);

  // ---- the list
  const cols: Array<[string, number]> = [['□', 16], ['姓名', 52], ['电话', 70], ['地址 / 门牌', 150], ['情况', 78], ['车', 18], ['安置点', 90], ['步行米', 40]];
  const header = () => {
    doc.fontSize(8);
    let x = 36;
    const y = doc.y;
    for (const [h, w] of cols) { doc.text(h, x, y, { width: w - 2, lineBreak: false }); x += w; }
    doc.moveTo(36, y + 11).lineTo(36 + W, y + 11).stroke('#666666');
    doc.y = y + 14;
  };
  header();
  for (const p of sheet.people) {
    if (doc.y > doc.page.height - 50) { doc.addPage(); header(); }
    const y = doc.y;
    const cells = [p.status ? STATUS_ZH[p.status] ?? p.status : '', p.name, p.phone ?? '', `${p.address ?? ''} ${p.unitNo ?? ''}`.trim(), reasonsZh(p.reasons) + (p.dangerousHouse ? ' 危房' : ''),
      p.needsVehicle ? '是' : '', p.shelterName ?? '（无空位）', p.walkM === null ? '' : String(Math.round(p.walkM))];
    let x = 36;
    cells.forEach((c, i) => {
      if (i === 0) {
        doc.rect(x + 2, y, 8, 8).stroke('#333333');
        if (c) doc.moveTo(x + 3, y + 4).lineTo(x + 5, y + 7).lineTo(x + 9, y + 1).stroke('#000000');
      }
      else doc.fillColor(p.vulnerable && i === 1 ? '#c1121f' : '#000000').text(c, x, y, { width: cols[i][1] - 2, height: 10, lineBreak: false, ellipsis: true });
      x += cols[i][1];
    });
    doc.fillColor('#000000');
    doc.y = y + 12;
  }
  if (sheet.people.length === 0) doc.fontSize(10).text('本网格在危险区内没有需转移的人员。', 36, doc.y);
  doc.end();
  return done;
}

function fmt(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}`;
}

// Issue 20: 12345 hotline orders from CSV and .xlsx. Bad rows are reported with their row number and why, and a
// failed file writes nothing; importing the same file again creates no duplicates (the order number is the key).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { parseCrs } from '../../data/crs/parse-crs.ts';
import { startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { bearer, createAccounts, G1, G2, login } from '../auth/test-people.ts';
import { ManualClock } from '../../domain/events/clock.ts';

const P1: [number, number] = [TINY.x0 + TINY.dx * 0.55, TINY.y0 + TINY.dy * 0.9];
const P2: [number, number] = [TINY.x0 + TINY.dx * 3.55, TINY.y0 + TINY.dy * 0.9];
const HEADER = ['工单号', '事项编码', '诉求内容', '地址', '经度', '纬度', '坐标系', '来电人', '联系电话', '受理时间', '紧急程度'];
const gcj = parseCrs('gcj02').fromWgs84(P2);
const GOOD: string[][] = [
  ['RX2026120100001', '09009', '小区门口机动车乱停放', '', String(P1[0]), String(P1[1]), 'wgs84', '李先生', '13900000001', '2026-12-01 09:10', '一般'],
  ['RX2026120100002', '06042', '垃圾箱满溢', '', String(gcj[0]), String(gcj[1]), 'gcj02', '', '', '2026-12-01 09:30:00', '紧急'],
  ['RX2026120100003', '51001', '楼上漏水邻里纠纷', '示例街道1-1-1号楼', '', '', '', '张女士', '13900000003', '2026-12-01 10:00', ''],
  ['RX2026120100004', '09009', '同一处又有违停', '', String(P1[0] + 0.0001), String(P1[1]), '', '', '', '2026-12-01 10:20', ''],
];

async function xlsx(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  ws.addRow(HEADER);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
const csv = (rows: string[][]) => [HEADER, ...rows].map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');

describe.each(testEngines())('hotline import on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const clock = new ManualClock('2026-12-01T06:00:00Z');

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    await createAccounts(database.db);
    s = await startTestServer(database, { clock });
    for (const n of ['commander1', 'worker1']) tokens[n] = await login(s.base, n);
  }, 180_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const upload = (bytes: Buffer | string, name: string, token = tokens.commander1) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(typeof bytes === 'string' ? Buffer.from(bytes) : bytes)]), name);
    return fetch(`${s.base}/api/jurisdictions/${TINY.jcode}/hotline-imports`, { method: 'POST', headers: bearer(token), body: form });
  };
  const count = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db)).rows[0].n);

  it('imports a CSV file routed by point (WGS-84, GCJ-02) and by address, and again creates nothing', async () => {
    const res = await upload(csv(GOOD), 'orders.csv');
    const report = await res.json();
    expect(res.status, JSON.stringify(report)).toBe(201);
    expect(report).toMatchObject({ ok: true, rows: 4, inserted: 4, skipped: 0, duplicates: 1, errors: [] });
    const { rows } = await sql<{ hotline_order_no: string; grid_code: string; source: string; priority: string; duplicate_of: number | null; reported_at: Date }>`
      SELECT hotline_order_no, grid_code, source, priority, duplicate_of, reported_at FROM events ORDER BY hotline_order_no`.execute(database.db);
    expect(rows.map((r) => r.grid_code)).toEqual([G1, G2, G1, G1]);
    expect(rows.every((r) => r.source === 'hotline')).toBe(true);
    expect(rows[1].priority).toBe('urgent');
    expect(rows[3].duplicate_of).not.toBeNull();
    expect(new Date(rows[0].reported_at).toISOString()).toBe('2026-12-01T01:10:00.000Z'); // 09:10 China Standard Time
    const again = await (await upload(csv(GOOD), 'orders.csv')).json();
    expect(again).toMatchObject({ ok: true, inserted: 0, skipped: 4 });
    expect(await count()).toBe(4);
  });

  it('imports .xlsx and GBK CSV, skipping the orders it has', async () => {
    const more = [...GOOD, ['RX2026120100005', '53001', '建议增设路灯', '', String(P2[0]), String(P2[1]), 'wgs84', '', '', '2026-12-01 11:00', '']];
    const res = await upload(await xlsx(more), 'orders.xlsx');
    expect(await res.json()).toMatchObject({ ok: true, rows: 5, inserted: 1, skipped: 4 });
    const gbk = iconv.encode(csv([['RX2026120100006', '53002', '民生诉求：楼道灯不亮', '', String(P2[0]), String(P2[1]), '', '王先生', '', '2026-12-01 11:30', '']]), 'gbk');
    const r2 = await (await upload(gbk, 'gbk.csv')).json();
    expect(r2).toMatchObject({ ok: true, inserted: 1 });
    const { rows } = await sql<{ description: string; reporter_name: string }>`SELECT description, reporter_name FROM events WHERE hotline_order_no = 'RX2026120100006'`.execute(database.db);
    expect(rows[0]).toEqual({ description: '民生诉求：楼道灯不亮', reporter_name: '王先生' });
  });

  it('reports every bad row with its row number and writes nothing of a failed file', async () => {
    const before = await count();
    const bad = [
      ['RX2026120200001', '09009', '好的一行', '', String(P1[0]), String(P1[1]), '', '', '', '2026-12-01 09:00', ''],
      ['RX2026120200002', '12345', '类型不对', '', String(P1[0]), String(P1[1]), '', '', '', '', ''],
      ['RX2026120200003', '09009', '在辖区外', '', '2.35', '48.85', '', '', '', '', ''],
      ['RX2026120200004', '09009', '没有位置', '', '', '', '', '', '', '', ''],
      ['RX2026120200001', '09009', '重复工单号', '', String(P1[0]), String(P1[1]), '', '', '', '', ''],
      ['RX2026120200006', '09009', '时间不对', '', String(P1[0]), String(P1[1]), '', '', '', '昨天下午', ''],
      ['RX2026120200007', '09009', '坐标系不对', '', String(P1[0]), String(P1[1]), 'mars', '', '', '', ''],
      ['RX2026120200008', '09009', '地址找不到', '火星基地一号', '', '', '', '', '', '', ''],
    ];
    for (const [file, name] of [[await xlsx(bad), 'bad.xlsx'], [csv(bad), 'bad.csv']] as const) {
      const res = await upload(file, name);
      const text = await res.text();
      expect(res.status, text).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      const body = JSON.parse(text);
      expect(body.code).toBe('bad_file');
      expect(body.report.ok).toBe(false);
      expect(body.report.errors.map((e: any) => [e.row, e.field])).toEqual([[3, 'type_code'], [4, 'lon'], [5, 'address'], [6, 'order_no'], [7, 'received_at'], [8, 'crs'], [9, 'address']]);
      expect(body.report.errors[3].message).toContain('row 2');
    }
    expect(await count()).toBe(before);
    const noHeader = await upload('a,b\n1,2', 'x.csv');
    expect(noHeader.status).toBe(400);
    expect((await upload('PK\u0003\u0004garbage', 'x.xlsx')).status).toBe(400);
    expect((await upload(csv(GOOD), 'orders.csv', tokens.worker1)).status).toBe(403);
    expect(await count()).toBe(before);
  });
});

// The .dbf reader and writer side by side: the grids' table written by writeDbf reads back through dbffile
// with its Chinese text, numbers and empty fields; a record marked deleted stays in its place as null (record i
// is shape i); a number field that holds no number, and GBK text read as UTF-8, are refused naming the record
// and the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { WanggeError } from '../errors.ts';
import { readDbf, writeDbf } from './dbf.ts';
import type { GridFeatureOut } from './grid-feature.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-dbf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const square = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
const grids: GridFeatureOut[] = [
  { type: 'Feature', properties: { code: '370101001001001', households: 512, community: '清华园社区' }, geometry: square },
  { type: 'Feature', properties: { code: '370101001001002', households: 388, community: null, reason: 'infeasible' }, geometry: square },
  { type: 'Feature', properties: { code: '370101001001003', households: 604.4, community: '荷清苑' }, geometry: square },
];
/** the first byte of record `i` (its deletion flag) and of field `offset` in it, for writeDbf's four fields */
const HEADER = 32 + 32 * 4 + 1, RECORD = 1 + 40 + 10 + 40 + 20;

function file(name: string, bytes: Buffer): string {
  const p = path.join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

async function refused(p: Promise<unknown>): Promise<WanggeError> {
  const e = await p.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(WanggeError);
  return e as WanggeError;
}

describe('dbf', () => {
  it('reads back what it writes: text in UTF-8, numbers, empty fields as null', async () => {
    const t = await readDbf(file('grids.dbf', writeDbf(grids)), 'grids.dbf', 'utf-8', true);
    expect(t.fields.map((f) => [f.name, f.type, f.length])).toEqual([['CODE', 'C', 40], ['HOUSEHOLDS', 'N', 10], ['COMMUNITY', 'C', 40], ['REASON', 'C', 20]]);
    expect(t.records).toEqual([
      { CODE: '370101001001001', HOUSEHOLDS: 512, COMMUNITY: '清华园社区', REASON: null },
      { CODE: '370101001001002', HOUSEHOLDS: 388, COMMUNITY: null, REASON: 'infeasible' },
      { CODE: '370101001001003', HOUSEHOLDS: 604, COMMUNITY: '荷清苑', REASON: null },
    ]);
  });

  it('keeps a deleted record in its place as null', async () => {
    const bytes = writeDbf(grids);
    bytes[HEADER + RECORD] = 0x2a; // '*': record 1 deleted
    const t = await readDbf(file('deleted.dbf', bytes), 'deleted.dbf', 'utf-8', true);
    expect(t.records.map((r) => r?.CODE ?? null)).toEqual(['370101001001001', null, '370101001001003']);
  });

  it('refuses a number field that holds no number, naming the record and the field', async () => {
    const bytes = writeDbf(grids);
    bytes.write('     abc  ', HEADER + 2 * RECORD + 1 + 40, 'latin1');
    const e = await refused(readDbf(file('bad-number.dbf', bytes), 'bad-number.dbf', 'utf-8', true));
    expect(e.describe()).toBe('file bad-number.dbf, feature 2, field HOUSEHOLDS: number field holds no number');
  });

  it('refuses GBK text read as UTF-8, naming the record and the field', async () => {
    const bytes = writeDbf(grids);
    const at = HEADER + 1 + 40 + 10; // record 0, COMMUNITY
    bytes.fill(0x20, at, at + 40);
    iconv.encode('东升园', 'gbk').copy(bytes, at);
    const e = await refused(readDbf(file('gbk.dbf', bytes), 'gbk.dbf', 'utf-8', false));
    expect(e.describe()).toMatch(/^file gbk\.dbf, feature 0, field COMMUNITY: text is not valid UTF-8 \(it reads as GBK: "东升园"\)/);
  });

  it('refuses a file too short to be a dBase table', async () => {
    const e = await refused(readDbf(file('short.dbf', Buffer.from('not a dbf')), 'short.dbf', 'utf-8', true));
    expect(e.describe()).toMatch(/^file short\.dbf: not a dBase file/);
  });
});

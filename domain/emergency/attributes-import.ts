/**
 * Dangerous houses and residents' needs from a community's spreadsheet (CSV in UTF-8 or GBK, or .xlsx; the cells
 * are read as the hotline import reads them). One row is one resident (by 身份证号) or one household (by 住户编号):
 *
 *   身份证号 | id_number      a resident of the jurisdiction: `needs` replaces theirs; `dangerous_house` marks their household
 *   住户编号 | household_id   a household of the jurisdiction: `dangerous_house`
 *   危房     | dangerous_house 是/否, yes/no, true/false, 1/0 (empty: unchanged)
 *   需求     | needs           轮椅、卧床、吸氧、透析、孕妇 or wheelchair, bedridden, oxygen, dialysis, pregnant, separated by 、 , ; or
 *                              spaces (empty: none)
 *
 * Every row is checked before anything is written: a file with any bad row writes nothing and reports
 * `[{row, field, message}]` (the header is row 1).
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../../data/errors.ts';
import { readHotlineCells } from '../events/hotline-import.ts';
import { RESIDENT_NEEDS } from '../../data/generator/emergency-extras.ts';
import { REASON_ZH } from './roster-labels.ts';

export interface AttributeRowError { row: number; field: string; message: string }
export interface AttributeImportReport { ok: boolean; rows: number; residents: number; households: number; errors: AttributeRowError[] }

const HEADERS = {
  idNumber: ['身份证号', 'id_number', '身份证'],
  householdId: ['住户编号', 'household_id'],
  dangerous: ['危房', 'dangerous_house'],
  needs: ['需求', 'needs', '转移需求'],
} as const;
type Field = keyof typeof HEADERS;

const YES = new Set(['是', 'yes', 'true', '1', 'y']);
const NO = new Set(['否', 'no', 'false', '0', 'n']);
const NEED_OF = new Map<string, string>([...RESIDENT_NEEDS.map((n) => [n, n] as [string, string]), ...RESIDENT_NEEDS.map((n) => [REASON_ZH[n], n] as [string, string])]);

export async function importAttributes(db: Kysely<any>, jcode: string, bytes: Uint8Array): Promise<AttributeImportReport> {
  const cells = await readHotlineCells(bytes);
  if (cells.length === 0) throw new WanggeError('bad_file', 'the file is empty', { parameter: 'file' });
  const norm = cells[0].values.map((h) => h.trim().toLowerCase());
  const col: Partial<Record<Field, number>> = {};
  for (const [f, names] of Object.entries(HEADERS) as Array<[Field, readonly string[]]>) {
    const k = norm.findIndex((h) => names.includes(h));
    if (k >= 0) col[f] = k;
  }
  if (col.idNumber === undefined && col.householdId === undefined) {
    throw new WanggeError('bad_file', 'the header needs 身份证号 (id_number) or 住户编号 (household_id)', { parameter: 'file', line: 1 });
  }
  const errors: AttributeRowError[] = [];
  const people: Array<{ row: number; idNumber: string; needs: string[] | null; dangerous: boolean | null }> = [];
  const houses: Array<{ row: number; id: number; dangerous: boolean | null }> = [];
  for (const { row, values } of cells.slice(1)) {
    const get = (f: Field) => (col[f] === undefined ? '' : (values[col[f]!] ?? '').trim());
    let dangerous: boolean | null = null;
    const d = get('dangerous').toLowerCase();
    if (d !== '') {
      if (YES.has(d)) dangerous = true;
      else if (NO.has(d)) dangerous = false;
      else errors.push({ row, field: '危房', message: `${JSON.stringify(d)} is not 是/否` });
    }
    let needs: string[] | null = col.needs === undefined ? null : [];
    for (const n of get('needs').split(/[、,;，；\s]+/).filter(Boolean)) {
      const code = NEED_OF.get(n.toLowerCase()) ?? NEED_OF.get(n);
      if (code) needs = [...new Set([...(needs ?? []), code])];
      else errors.push({ row, field: '需求', message: `unknown need ${JSON.stringify(n)} (one of ${RESIDENT_NEEDS.map((x) => REASON_ZH[x]).join('、')})` });
    }
    const idNumber = get('idNumber').toUpperCase();
    const hh = get('householdId');
    if (idNumber) {
      if (!/^\d{17}[\dX]$/.test(idNumber)) errors.push({ row, field: '身份证号', message: 'an 18-character ID number' });
      else people.push({ row, idNumber, needs, dangerous });
    } else if (hh) {
      if (!/^\d{1,15}$/.test(hh)) errors.push({ row, field: '住户编号', message: 'a household number' });
      else if (needs && needs.length) errors.push({ row, field: '需求', message: 'needs belong to a person: give the 身份证号' });
      else houses.push({ row, id: Number(hh), dangerous });
    } else errors.push({ row, field: '身份证号', message: 'neither 身份证号 nor 住户编号' });
  }
  // every key must exist in the jurisdiction
  const ids = [...new Set(people.map((p) => p.idNumber))];
  const { rows: found } = await sql<{ id_number: string; n: number }>`SELECT upper(id_number) AS id_number, count(*)::int AS n FROM residents
    WHERE jcode = ${jcode} AND upper(id_number) = ANY (${ids}::text[]) GROUP BY upper(id_number)`.execute(db);
  const seen = new Map(found.map((f) => [f.id_number, f.n]));
  for (const p of people) {
    const n = seen.get(p.idNumber) ?? 0;
    if (n !== 1) errors.push({ row: p.row, field: '身份证号', message: n === 0 ? `no resident ${p.idNumber.slice(0, 6)}… in ${jcode}` : 'the ID number is on more than one resident' });
  }
  const { rows: hFound } = await sql<{ id: string }>`SELECT id FROM households WHERE jcode = ${jcode} AND id = ANY (${houses.map((h) => h.id)}::bigint[])`.execute(db);
  const hSeen = new Set(hFound.map((h) => Number(h.id)));
  for (const h of houses) if (!hSeen.has(h.id)) errors.push({ row: h.row, field: '住户编号', message: `no household ${h.id} in ${jcode}` });
  const rows = cells.length - 1;
  if (errors.length) return { ok: false, rows, residents: 0, households: 0, errors: errors.sort((a, b) => a.row - b.row) };

  await db.transaction().execute(async (trx) => {
    for (const p of people) {
      if (p.needs !== null) await sql`UPDATE residents SET needs = ${p.needs}::text[] WHERE jcode = ${jcode} AND upper(id_number) = ${p.idNumber}`.execute(trx);
      if (p.dangerous !== null) {
        await sql`UPDATE households h SET dangerous_house = ${p.dangerous} FROM residents r
          WHERE r.jcode = ${jcode} AND upper(r.id_number) = ${p.idNumber} AND h.jcode = r.jcode AND h.id = r.household_id`.execute(trx);
      }
    }
    for (const h of houses) if (h.dangerous !== null) await sql`UPDATE households SET dangerous_house = ${h.dangerous} WHERE jcode = ${jcode} AND id = ${h.id}`.execute(trx);
  });
  return { ok: true, rows, residents: people.length, households: houses.length, errors: [] };
}

/**
 * The roster as an .xlsx workbook (exceljs): 汇总 (per grid), 安置点 (per shelter) and, when the reader may see
 * people, 转移名单 (the people, already masked or cut by the caller's role). Headers in Chinese.
 */
import ExcelJS from 'exceljs';
import { KIND_ZH, LEVEL_ZH, reasonsZh, STATUS_ZH } from './roster-labels.ts';
import type { RosterPerson, RosterSummary, StaffContact } from './roster-repository.ts';

export async function rosterXlsx(summary: RosterSummary, people: RosterPerson[] | null, staff: Map<string, StaffContact[]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Wangge';
  const head = (ws: ExcelJS.Worksheet) => { ws.getRow(1).font = { bold: true }; ws.views = [{ state: 'frozen', ySplit: 1 }]; };

  const totals = wb.addWorksheet('汇总');
  totals.columns = [
    { header: '网格', key: 'grid', width: 18 }, { header: '社区', key: 'community', width: 16 }, { header: '户数', key: 'households', width: 8 },
    { header: '人数', key: 'residents', width: 8 }, { header: '重点人员', key: 'vulnerable', width: 10 }, { header: '需车辆', key: 'vehicle', width: 8 },
    { header: '已转移', key: 'moved', width: 8 }, { header: '自行转移', key: 'elsewhere', width: 10 }, { header: '拒绝', key: 'refused', width: 8 },
    { header: '未找到', key: 'notFound', width: 8 }, { header: '未转移', key: 'remaining', width: 8 }, { header: '转移责任人', key: 'staff', width: 28 },
  ];
  for (const g of summary.by_grid) {
    totals.addRow({
      grid: g.grid_code ?? '（不在网格内）', community: g.community_code, households: g.households, residents: g.residents, vulnerable: g.vulnerable,
      vehicle: g.needs_vehicle, moved: g.moved, elsewhere: g.moved_elsewhere, refused: g.refused, notFound: g.not_found, remaining: g.remaining,
      staff: (staff.get(g.grid_code ?? '') ?? []).map((s) => `${s.name} ${s.phone ?? ''}`.trim()).join('；'),
    });
  }
  totals.addRow({ grid: '合计', households: summary.households, residents: summary.residents, vulnerable: summary.vulnerable, vehicle: summary.needs_vehicle,
    remaining: summary.remaining });
  totals.addRow({});
  totals.addRow({ grid: `${summary.name}（${KIND_ZH[summary.kind] ?? summary.kind}，${LEVEL_ZH[summary.level] ?? summary.level}预警）`,
    community: `转移时限 ${summary.deadline}` });
  head(totals);

  const shelters = wb.addWorksheet('安置点');
  shelters.columns = [
    { header: '编号', key: 'id', width: 8 }, { header: '安置点', key: 'name', width: 28 }, { header: '容量', key: 'capacity', width: 8 },
    { header: '分配人数', key: 'assigned', width: 10 }, { header: '分配户数', key: 'households', width: 10 }, { header: '已到达', key: 'arrived', width: 8 },
    { header: '联系人', key: 'contact', width: 12 }, { header: '电话', key: 'phone', width: 14 },
  ];
  for (const s of summary.shelters) {
    shelters.addRow({ id: s.id, name: s.name, capacity: s.capacity, assigned: s.assigned, households: s.households, arrived: s.arrived, contact: s.contact_name, phone: s.contact_phone });
  }
  head(shelters);

  if (people) {
    const list = wb.addWorksheet('转移名单');
    list.columns = [
      { header: '网格', key: 'grid', width: 18 }, { header: '姓名', key: 'name', width: 10 }, { header: '身份证号', key: 'id', width: 20 },
      { header: '电话', key: 'phone', width: 14 }, { header: '出生日期', key: 'birth', width: 12 }, { header: '地址', key: 'address', width: 30 },
      { header: '门牌', key: 'unit', width: 10 }, { header: '危房', key: 'danger', width: 6 }, { header: '重点人员', key: 'vulnerable', width: 8 },
      { header: '情况', key: 'reasons', width: 18 }, { header: '需车辆', key: 'vehicle', width: 8 }, { header: '安置点', key: 'shelter', width: 24 },
      { header: '步行距离(米)', key: 'walk', width: 12 }, { header: '状态', key: 'status', width: 10 }, { header: '登记时间', key: 'at', width: 22 },
      { header: '住户编号', key: 'household', width: 10 }, { header: '人员编号', key: 'resident', width: 10 },
    ];
    for (const p of people) {
      list.addRow({
        grid: p.gridCode, name: p.name, id: p.idNumber, phone: p.phone, birth: p.birthDate, address: p.address, unit: p.unitNo, danger: p.dangerousHouse ? '是' : '',
        vulnerable: p.vulnerable ? '是' : '', reasons: reasonsZh(p.reasons), vehicle: p.needsVehicle ? '是' : '', shelter: p.shelterName ?? '（无空位）',
        walk: p.walkM === null ? null : Math.round(p.walkM), status: p.status ? STATUS_ZH[p.status] : '未转移', at: p.tickedAt, household: p.householdId, resident: p.residentId,
      });
    }
    head(list);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

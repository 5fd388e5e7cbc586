import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskMiddle, maskName, maskPhone, maskResident } from './masking.ts';
import { residentView } from './roles.ts';

describe('masking', () => {
  it('masks ID numbers, phones and names as the issue shows', () => {
    expect(maskIdNumber('110101199001011234')).toBe('110101********1234');
    expect(maskIdNumber('11010119900101123X')).toBe('110101********123X');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('张')).toBe('*');
    expect(maskIdNumber(null)).toBeNull();
    expect(maskPhone(null)).toBeNull();
  });

  it('masks short values entirely and counts characters, not bytes', () => {
    expect(maskMiddle('1234', 3, 4)).toBe('****');
    expect(maskMiddle('𠀀𠀁𠀂', 1, 1)).toBe('𠀀*𠀂');
  });

  it('masks a whole record and keeps the non-identifying fields', () => {
    const r = { id: 7, householdId: 3, addressPointId: 2, unitNo: '101', name: '李四', idNumber: '110101199001011234', phone: '13812345678', birthDate: '1990-01-01', relation: '户主', tags: ['elderly'] };
    const m = maskResident(r);
    expect(m).toEqual({ ...r, name: '李*', idNumber: '110101********1234', phone: '138****5678', birthDate: '1990-**-**' });
    expect(r.name).toBe('李四'); // input not mutated
  });

  it('gives each role its view of a grid', () => {
    const u = (role: any, grids: string[] = [], jcode: string | null = null) => ({ id: 1, name: 'x', role, grids, jcode });
    expect(residentView(u('admin'), 'J', 'G1')).toBe('full');
    expect(residentView(u('commander'), 'J', 'G1')).toBe('masked');
    expect(residentView(u('planner'), 'J', 'G1')).toBe('none');
    expect(residentView(u('grid_worker', ['G1'], 'J'), 'J', 'G1')).toBe('full');
    expect(residentView(u('grid_worker', ['G1'], 'J'), 'J', 'G2')).toBe('none');
    // the scope is (jurisdiction, grid): the same code elsewhere, or a worker without a jurisdiction, sees nothing
    expect(residentView(u('grid_worker', ['G1'], 'J'), 'K', 'G1')).toBe('none');
    expect(residentView(u('grid_worker', ['G1']), 'J', 'G1')).toBe('none');
    expect(residentView(u('admin', [], 'K'), 'J', 'G1')).toBe('none');
  });
});

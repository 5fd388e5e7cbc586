/**
 * Masking of personal data by role, in the data layer (pure functions). A commander sees residents as
 * `张*`, `110101********1234` and `138****5678`, and a birth year instead of a date.
 */

/** Keep the first `head` and last `tail` characters, replace the rest by `*` (all masked when too short). */
export function maskMiddle(value: string, head: number, tail: number): string {
  const chars = Array.from(value);
  if (chars.length <= head + tail) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(chars.length - tail).join('');
}

/** `110101199001011234` → `110101********1234` (region code and last four kept). */
export function maskIdNumber(id: string | null): string | null {
  return id === null ? null : maskMiddle(id, 6, 4);
}

/** `13812345678` → `138****5678`. */
export function maskPhone(phone: string | null): string | null {
  return phone === null ? null : maskMiddle(phone, 3, 4);
}

/** `张三` → `张*`, `欧阳娜娜` → `欧***`; a one-character name becomes `*`. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

export interface ResidentRecord {
  id: number;
  householdId: number;
  addressPointId: number;
  unitNo: string | null;
  name: string;
  idNumber: string | null;
  phone: string | null;
  birthDate: string | null;
  relation: string | null;
  tags: string[];
}

/** The masked copy of a record (birth date reduced to its year). */
export function maskResident(r: ResidentRecord): ResidentRecord {
  return {
    ...r,
    name: maskName(r.name),
    idNumber: maskIdNumber(r.idNumber),
    phone: maskPhone(r.phone),
    birthDate: r.birthDate === null ? null : `${r.birthDate.slice(0, 4)}-**-**`,
  };
}

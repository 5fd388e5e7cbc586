/**
 * Synthetic identity data: 18-digit resident ID numbers (GB 11643-1999 layout: 6-digit area code,
 * 8-digit birth date, 3-digit sequence whose parity is the sex, ISO 7064 MOD 11-2 check character) and
 * mobile numbers. The area code prefix 99 belongs to no province, so every number is obviously fictitious.
 */
import type { Rng } from './rng.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The fictitious area code every generated ID number starts with. */
export const FICTITIOUS_AREA_CODE = '990199';

/** The check character (0-9 or X) of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * WEIGHTS[i];
  return CHECK[s % 11];
}

/** True when `id` has 18 characters, 17 digits and the right check character. */
export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckChar(id.slice(0, 17)) === id[17];
}

/** An ID number for a person born on `birth` (YYYY-MM-DD) of sex `male`. */
export function makeIdNumber(rng: Rng, birth: string, male: boolean): string {
  const seq = rng.int(0, 49) * 2 + (male ? 1 : 0);
  const body = `${FICTITIOUS_AREA_CODE}${birth.replace(/-/g, '')}${String(rng.int(0, 9))}${String(seq).padStart(2, '0')}`;
  return body + idCheckChar(body);
}

const MOBILE_PREFIXES = ['138', '139', '137', '136', '135', '150', '151', '186', '187', '188'];

/** An 11-digit mobile number in the 13x/15x/18x style. */
export function makePhone(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + rng.digits(8);
}

/**
 * The two code tables of events, shipped as data (codes/urban-matters.json: GB/T 47678.5-2026 management
 * matters; codes/social-matters.json: social-governance matters in the same shape). Each type resolves its
 * deadline, result-photo rule and mediation path from its own entry, else its class's.
 *
 * @example eventType('09009') // { code: '09009', kind: 'urban', nameZh: '机动车乱停放', deadlineHours: 2, … }
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type EventKind = 'urban' | 'social';

interface ClassEntry { code: string; nameZh: string; nameEn: string; deadlineHours: number; legacyClass?: string; mediation?: boolean; resultPhotoRequired?: boolean }
interface TypeEntry { code: string; nameZh: string; nameEn: string; deadlineHours?: number; mediation?: boolean; resultPhotoRequired?: boolean }
interface CodeFile { scheme: string; kind: EventKind; classes: ClassEntry[]; types: TypeEntry[] }

export interface EventClass { code: string; kind: EventKind; nameZh: string; nameEn: string; deadlineHours: number; legacyClass: string | null }

export interface EventType {
  /** 2-digit class + 3-digit subclass */
  code: string;
  kind: EventKind;
  scheme: string;
  classCode: string;
  className: { zh: string; en: string };
  nameZh: string;
  nameEn: string;
  /** default time to close, hours (type's own, else its class's) */
  deadlineHours: number;
  /** disputes: mediation → agreement or referral → follow-up visit */
  mediation: boolean;
  /** a photo of the result is needed before the event may be closed */
  resultPhotoRequired: boolean;
}

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'codes');

function load(file: string): { classes: EventClass[]; types: EventType[] } {
  const f = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as CodeFile;
  const classes = f.classes.map((c) => ({ code: c.code, kind: f.kind, nameZh: c.nameZh, nameEn: c.nameEn, deadlineHours: c.deadlineHours, legacyClass: c.legacyClass ?? null }));
  const types = f.types.map((t): EventType => {
    const cls = f.classes.find((c) => c.code === t.code.slice(0, 2));
    if (!cls || !/^\d{5}$/.test(t.code)) throw new Error(`${file}: type ${t.code} has no class`);
    return {
      code: t.code, kind: f.kind, scheme: f.scheme, classCode: cls.code, className: { zh: cls.nameZh, en: cls.nameEn },
      nameZh: t.nameZh, nameEn: t.nameEn, deadlineHours: t.deadlineHours ?? cls.deadlineHours,
      mediation: t.mediation ?? cls.mediation ?? false, resultPhotoRequired: t.resultPhotoRequired ?? cls.resultPhotoRequired ?? false,
    };
  });
  return { classes, types };
}

const URBAN = load('urban-matters.json');
const SOCIAL = load('social-matters.json');

/** Every event type, urban matters first. */
export const EVENT_TYPES: readonly EventType[] = Object.freeze([...URBAN.types, ...SOCIAL.types]);
/** Every class of both tables. */
export const EVENT_CLASSES: readonly EventClass[] = Object.freeze([...URBAN.classes, ...SOCIAL.classes]);

const BY_CODE = new Map(EVENT_TYPES.map((t) => [t.code, t]));

/** The type of a code, or undefined. */
export function eventType(code: string): EventType | undefined {
  return BY_CODE.get(code);
}

/** The GB/T 47678.5 class of an old CJ/T 214 / GB/T 30428.2 event class code ('01'…'06'), where one is known. */
export function classOfLegacy(legacyClass: string): EventClass | undefined {
  return EVENT_CLASSES.find((c) => c.legacyClass === legacyClass);
}

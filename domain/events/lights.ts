/**
 * 三灯: every open event is green (on time), yellow (less than `yellowShare` of its time left) or red
 * (overdue); a closed event has no light. Pure: the time is the caller's.
 *
 * @example lightAt({ reportedAt, deadlineAt, closedAt: null }, now) // 'yellow'
 */
export type Light = 'green' | 'yellow' | 'red';
export const LIGHTS: readonly Light[] = ['green', 'yellow', 'red'];

/** Share of an event's time left under which it turns yellow (default; configurable per type and jurisdiction). */
export const DEFAULT_YELLOW_SHARE = 0.2;

/** Urgent events get this share of their type's deadline (an ordinary event 24 h, an urgent one about 2 h). */
export const URGENT_SHARE = 1 / 12;

export interface Timed { reportedAt: Date; deadlineAt: Date; closedAt: Date | null }

/** The deadline of an event reported at `reportedAt` with `hours` to handle it. */
export function deadlineOf(reportedAt: Date, hours: number): Date {
  return new Date(reportedAt.getTime() + hours * 3_600_000);
}

/** When an event turns yellow: `yellowShare` of its time before the deadline. */
export function yellowAtOf(reportedAt: Date, deadlineAt: Date, yellowShare = DEFAULT_YELLOW_SHARE): Date {
  const span = deadlineAt.getTime() - reportedAt.getTime();
  return new Date(deadlineAt.getTime() - Math.max(0, span) * yellowShare);
}

/** The light of an event at `now` (null once closed). */
export function lightAt(e: Timed & { yellowAt?: Date }, now: Date, yellowShare = DEFAULT_YELLOW_SHARE): Light | null {
  if (e.closedAt) return null;
  const t = now.getTime();
  if (t > e.deadlineAt.getTime()) return 'red';
  const yellowAt = e.yellowAt ?? yellowAtOf(e.reportedAt, e.deadlineAt, yellowShare);
  return t >= yellowAt.getTime() ? 'yellow' : 'green';
}

/** Whether a closed event was closed by its deadline. */
export function closedOnTime(e: Timed): boolean | null {
  return e.closedAt ? e.closedAt.getTime() <= e.deadlineAt.getTime() : null;
}

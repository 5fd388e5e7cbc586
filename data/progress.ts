/**
 * Progress of long work (partition, merge, import): a phase name, a percentage of the whole, an optional
 * message. The CLI prints it on stderr; the API's job runner stores it for polling and Server-Sent Events.
 */
export interface Progress {
  phase: string;
  /** 0..100 over the whole job */
  percent: number;
  message?: string;
}

export type ProgressFn = (p: Progress) => void;

export const noProgress: ProgressFn = () => undefined;

/** Map a sub-task's 0..100 onto [from, to] of the parent's scale. */
export function subProgress(parent: ProgressFn, from: number, to: number): ProgressFn {
  return (p) => parent({ ...p, percent: from + ((to - from) * Math.max(0, Math.min(100, p.percent))) / 100 });
}

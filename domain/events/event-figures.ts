/**
 * Figures of events per grid, community or street (township) over a period: events by class, open, red, closed,
 * on-time rate, mean hours per stage (from the transitions), and hotspots as H3 cells; as a table that the
 * service answers as JSON, CSV or .xlsx (figures-export.ts).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { scopePredicate, withEventScope } from './event-scope.ts';
import { eventHotspots, type Hotspot } from './event-board.ts';
import { EVENT_CLASSES } from './event-codes.ts';
import type { Actor } from './workflow.ts';

export type FigureLevel = 'grid' | 'community' | 'street';
export const FIGURE_LEVELS: readonly FigureLevel[] = ['grid', 'community', 'street'];
/** the steps whose mean time is reported, in flow order */
export const STEP_ACTIONS = ['accept', 'register', 'dispatch', 'handle', 'verify', 'close', 'evaluate'] as const;

export interface FigureRow {
  key: string | null;
  events: number;
  open: number;
  red: number;
  closed: number;
  closedOnTime: number;
  onTimeRate: number | null;
  byClass: Record<string, number>;
  /** mean hours from the step before to this one */
  meanHours: Partial<Record<(typeof STEP_ACTIONS)[number], number>>;
}

export interface Figures { jcode: string; by: FigureLevel; from: string; to: string; rows: FigureRow[]; hotspots: Hotspot[] }

function keyOf(level: FigureLevel): RawBuilder<string | null> {
  return level === 'grid' ? sql`e.grid_code` : level === 'community' ? sql`e.community_code` : sql`e.township_code`;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** The figures of `jcode` by `level` for events reported in [from, to], as `actor` may see them. */
export async function eventFigures(db: Kysely<DB>, actor: Actor, jcode: string, level: FigureLevel, from: Date, to: Date, now: Date): Promise<Figures> {
  const key = keyOf(level);
  const where = sql`e.jcode = ${jcode} AND ${scopePredicate(actor, jcode)} AND e.reported_at >= ${from} AND e.reported_at <= ${to}`;
  const rows = await withEventScope(db, actor, async (trx) => {
    const main = await sql<{ k: string | null; n: number; open: number; red: number; closed: number; on_time: number }>`
      SELECT ${key} AS k, count(*)::int AS n, count(*) FILTER (WHERE e.closed_at IS NULL)::int AS open,
        count(*) FILTER (WHERE e.closed_at IS NULL AND e.deadline_at < ${now})::int AS red,
        count(*) FILTER (WHERE e.closed_at IS NOT NULL AND e.stage <> 'rejected')::int AS closed, count(*) FILTER (WHERE e.on_time)::int AS on_time
      FROM events e WHERE ${where} GROUP BY 1 ORDER BY 1 NULLS LAST`.execute(trx);
    const classes = await sql<{ k: string | null; c: string; n: number }>`SELECT ${key} AS k, left(e.type_code, 2) AS c, count(*)::int AS n
      FROM events e WHERE ${where} GROUP BY 1, 2`.execute(trx);
    const steps = await sql<{ k: string | null; action: string; h: number }>`SELECT t.k, t.action, avg(extract(epoch FROM t.at - t.prev)) / 3600 AS h
      FROM (SELECT ${key} AS k, tr.action, tr.at, lag(tr.at) OVER (PARTITION BY tr.event_id ORDER BY tr.seq) AS prev
        FROM events e JOIN event_transitions tr ON tr.jcode = e.jcode AND tr.event_id = e.id WHERE ${where}) t
      WHERE t.prev IS NOT NULL GROUP BY 1, 2`.execute(trx);
    return main.rows.map((r): FigureRow => {
      const byClass: Record<string, number> = {};
      for (const c of classes.rows) if (c.k === r.k) byClass[c.c] = c.n;
      const meanHours: FigureRow['meanHours'] = {};
      for (const s of steps.rows) if (s.k === r.k && (STEP_ACTIONS as readonly string[]).includes(s.action)) meanHours[s.action as (typeof STEP_ACTIONS)[number]] = round(Number(s.h));
      return { key: r.k, events: r.n, open: r.open, red: r.red, closed: r.closed, closedOnTime: r.on_time, onTimeRate: r.closed ? round(r.on_time / r.closed, 3) : null, byClass, meanHours };
    });
  });
  return { jcode, by: level, from: from.toISOString(), to: to.toISOString(), rows, hotspots: await eventHotspots(db, actor, jcode, to < now ? to : now) };
}

/** The figures as one flat table (header + rows), the shape CSV and .xlsx take. */
export function figuresTable(f: Figures): { header: string[]; rows: Array<Array<string | number | null>> } {
  const classes = EVENT_CLASSES.map((c) => c.code).filter((c) => f.rows.some((r) => r.byClass[c]));
  const header = [f.by, 'events', 'open', 'red', 'closed', 'closed_on_time', 'on_time_rate',
    ...classes.map((c) => `class_${c}_${EVENT_CLASSES.find((x) => x.code === c)!.nameZh}`), ...STEP_ACTIONS.map((a) => `mean_hours_${a}`)];
  const rows = f.rows.map((r) => [r.key, r.events, r.open, r.red, r.closed, r.closedOnTime, r.onTimeRate, ...classes.map((c) => r.byClass[c] ?? 0), ...STEP_ACTIONS.map((a) => r.meanHours[a] ?? null)]);
  return { header, rows };
}

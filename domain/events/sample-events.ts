/**
 * Events for the sample town, so that the demo shows every stage and light: a few hundred events of the last
 * week at the town's address points (seeded, so the same town gets the same events), older ones carried through
 * to closed and evaluated, newer ones dispatched or handled, some overdue; one place with repeated rubbish (a
 * hotspot) and one repeated report (a duplicate).
 *
 * @example await generateSampleEvents(db, '370199000000', { count: 300, seed: 1 }) // 303
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { Rng } from '../../data/generator/rng.ts';
import { EVENT_TYPES } from './event-codes.ts';
import { addPhoto, createEvent, transitionEvent } from './event-repository.ts';
import type { ActionInput, Actor } from './workflow.ts';

/** the most reported types come up most often */
const COMMON = ['06010', '06036', '06012', '09009', '09006', '09010', '07001', '06013', '06042', '51001', '51003', '52001', '53002', '54001'];
const SOURCES = ['patrol', 'patrol', 'patrol', 'resident', 'hotline', 'camera'] as const;
/** a 1×1 PNG: the result photo of types that close only with one */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f8a0f40000000049454e44ae426082', 'hex');
const FLOW: ActionInput['action'][] = ['accept', 'register', 'dispatch', 'handle', 'verify', 'close', 'evaluate'];

export interface SampleOptions { count?: number; seed?: number; now?: Date }

/** Generate the sample events of jurisdiction `jcode` (its published plan must exist); returns how many. */
export async function generateSampleEvents(db: Kysely<DB>, jcode: string, opts: SampleOptions = {}): Promise<number> {
  const rng = new Rng(opts.seed ?? 1);
  const now = opts.now ?? new Date();
  const points = await db.selectFrom('address_points').select(['id']).select((eb) => [eb.fn<number>('ST_X', ['geom']).as('lon'), eb.fn<number>('ST_Y', ['geom']).as('lat')])
    .where('jcode', '=', jcode).orderBy('id').execute();
  if (points.length === 0) return 0;
  const commander: Actor = { name: 'demo-commander', role: 'commander', jcode, grids: [] };
  const count = opts.count ?? 300;
  let made = 0;
  const plan: Array<{ typeCode: string; at: Date; lon: number; lat: number; steps?: number }> = [];
  for (let k = 0; k < count; k++) {
    const p = points[rng.int(0, points.length - 1)];
    const typeCode = rng.chance(0.8) ? COMMON[rng.int(0, COMMON.length - 1)] : EVENT_TYPES[rng.int(0, EVENT_TYPES.length - 1)].code;
    plan.push({ typeCode, at: new Date(now.getTime() - rng.range(0, 7 * 86_400_000)), lon: Number(p.lon) + rng.range(-0.0002, 0.0002), lat: Number(p.lat) + rng.range(-0.0002, 0.0002) });
  }
  // a hotspot: rubbish at one corner three times in ten days; a duplicate: the same car reported twice in an hour
  const h = points[Math.floor(points.length / 2)];
  for (const d of [9, 5, 1]) plan.push({ typeCode: '06010', at: new Date(now.getTime() - d * 86_400_000), lon: Number(h.lon) + 0.0001, lat: Number(h.lat) });
  for (const m of [90, 30]) plan.push({ typeCode: '09009', at: new Date(now.getTime() - m * 60_000), lon: Number(h.lon) - 0.0001, lat: Number(h.lat) + 0.00005 * (m / 30) });
  // the first grid (the demo worker's, api/auth/demo-accounts.ts) gets work of its own: reported, dispatched to them, handled
  const first = await db.selectFrom('grids as g').innerJoin('grid_plans as p', (j) => j.onRef('p.jcode', '=', 'g.jcode').onRef('p.id', '=', 'g.plan_id'))
    .select('g.code').select((eb) => [eb.fn<number>('ST_X', [eb.fn('ST_PointOnSurface', ['g.geom'])]).as('lon'), eb.fn<number>('ST_Y', [eb.fn('ST_PointOnSurface', ['g.geom'])]).as('lat')])
    .where('g.jcode', '=', jcode).where('p.status', '=', 'published').orderBy('g.code').limit(1).executeTakeFirst();
  const own: Array<{ typeCode: string; steps: number }> = [{ typeCode: '06036', steps: 0 }, { typeCode: '09006', steps: 3 }, { typeCode: '52001', steps: 3 }, { typeCode: '06012', steps: 4 }];
  if (first) {
    own.forEach((o, k) => plan.push({ typeCode: o.typeCode, at: new Date(now.getTime() - (k + 1) * 1_800_000), lon: Number(first.lon) + 0.0003 * k, lat: Number(first.lat), steps: o.steps }));
  }
  plan.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of plan) {
    const type = EVENT_TYPES.find((t) => t.code === e.typeCode)!;
    let created;
    try {
      created = await createEvent(db, {
        typeCode: e.typeCode, source: SOURCES[rng.int(0, SOURCES.length - 1)], description: `${type.nameZh}（示例）`, point: { lon: e.lon, lat: e.lat },
        priority: rng.chance(0.08) ? 'urgent' : 'normal', reportedAt: e.at, reportedBy: 'sample-town',
      }, e.at);
    } catch {
      continue; // a point of the town outside every grid: nothing to show
    }
    made += 1;
    const ev = created.event;
    // how far along: by age and chance; the steps are spread between the report and now
    const ageH = (now.getTime() - e.at.getTime()) / 3_600_000;
    const steps = e.steps ?? (ev.duplicateOf !== null ? 0 : ageH > 72 ? (rng.chance(0.85) ? 7 : rng.int(2, 5)) : ageH > 12 ? rng.int(1, 6) : rng.int(0, 3));
    let t = e.at.getTime();
    const span = Math.min(now.getTime() - t, type.deadlineHours * 3_600_000 * rng.range(0.3, 1.4));
    for (const action of FLOW.slice(0, steps)) {
      t += span / 7;
      const at = new Date(Math.min(t, now.getTime()));
      const input: ActionInput = { action };
      if (action === 'dispatch') input.to = e.steps !== undefined || rng.chance(0.6) ? { kind: 'grid_worker', name: ev.gridCode === first?.code ? 'demo-worker' : `网格员${ev.gridCode}` } : { kind: 'department', name: type.kind === 'urban' ? '城管执法中队' : '综治中心' };
      if (action === 'handle' && type.mediation) input.mediation = rng.chance(0.8) ? { outcome: 'agreement' } : { outcome: 'referral', referredTo: '司法所' };
      if (action === 'close' && type.resultPhotoRequired) await addPhoto(db, ev.jcode, ev.id, 'result', PNG, at);
      if (action === 'evaluate') {
        input.rating = rng.int(3, 5);
        if (type.mediation) input.followUp = '回访：双方履行协议';
      }
      await transitionEvent(db, commander, ev.jcode, ev.id, input, at);
    }
  }
  return made;
}

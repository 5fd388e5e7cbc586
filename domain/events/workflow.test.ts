// The seven-stage flow as a pure state machine, and the lights over a moved clock.
import { describe, expect, it } from 'vitest';
import { decide, type Actor, type WorkflowState } from './workflow.ts';
import { deadlineOf, lightAt, yellowAtOf } from './lights.ts';
import { ManualClock } from './clock.ts';
import { classOfLegacy, EVENT_TYPES, eventType } from './event-codes.ts';

const J = '370199000000';
const commander: Actor = { name: 'c', role: 'commander', jcode: J, grids: [] };
const worker: Actor = { name: 'w1', role: 'grid_worker', jcode: J, grids: ['G1'] };
const otherWorker: Actor = { name: 'w2', role: 'grid_worker', jcode: J, grids: ['G2'] };
const planner: Actor = { name: 'p', role: 'planner', jcode: J, grids: [] };
const state = (s: Partial<WorkflowState>): WorkflowState => ({
  jcode: J, gridCode: 'G1', stage: 'reported', dispatchedTo: null, handledBy: null, resultPhotos: 0, type: { mediation: false, resultPhotoRequired: false }, ...s,
});

describe('the event workflow', () => {
  it('walks the seven stages with the right roles', () => {
    let s = state({});
    const steps: Array<[Actor, Parameters<typeof decide>[1], string]> = [
      [commander, { action: 'accept' }, 'accepted'], [commander, { action: 'register' }, 'registered'],
      [commander, { action: 'dispatch', to: { kind: 'grid_worker', name: 'w1' } }, 'dispatched'], [worker, { action: 'handle' }, 'handled'],
      [commander, { action: 'verify' }, 'verified'], [commander, { action: 'close' }, 'closed'], [commander, { action: 'evaluate', rating: 5 }, 'evaluated'],
    ];
    for (const [who, input, to] of steps) {
      const d = decide(s, input, who);
      expect(d, `${input.action} at ${s.stage}`).toMatchObject({ ok: true, to });
      if (d.ok) s = { ...s, stage: d.to, dispatchedTo: d.dispatchedTo === undefined ? s.dispatchedTo : d.dispatchedTo, handledBy: d.handledBy === undefined ? s.handledBy : d.handledBy };
    }
  });

  it('refuses the wrong role, grid, jurisdiction and stage', () => {
    expect(decide(state({}), { action: 'accept' }, worker)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(decide(state({}), { action: 'accept' }, planner)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(decide(state({ stage: 'dispatched' }), { action: 'handle' }, otherWorker)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(decide(state({}), { action: 'accept' }, { ...commander, jcode: '110000000000' })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(decide(state({ stage: 'reported' }), { action: 'close' }, commander)).toMatchObject({ ok: false, code: 'conflict' });
    // dispatched to someone else, or to a department
    expect(decide(state({ stage: 'dispatched', dispatchedTo: { kind: 'grid_worker', name: 'w9' } }), { action: 'handle' }, worker)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(decide(state({ stage: 'dispatched', dispatchedTo: { kind: 'department', name: '城管局' } }), { action: 'handle' }, worker)).toMatchObject({ ok: false, code: 'forbidden' });
    // the one who handled does not verify
    expect(decide(state({ stage: 'handled', handledBy: 'w1' }), { action: 'verify' }, worker)).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('needs reasons to reject and return, a photo to close where the type says, mediation and a follow-up visit for disputes', () => {
    expect(decide(state({}), { action: 'reject' }, commander)).toMatchObject({ ok: false, code: 'bad_request' });
    expect(decide(state({}), { action: 'reject', reason: '重复' }, commander)).toMatchObject({ ok: true, to: 'rejected' });
    expect(decide(state({ stage: 'dispatched', dispatchedTo: { kind: 'grid_worker', name: 'w1' } }), { action: 'return', reason: '不属本网格' }, worker))
      .toMatchObject({ ok: true, to: 'registered', dispatchedTo: null });
    expect(decide(state({ stage: 'handled', handledBy: 'w1' }), { action: 'return', reason: '未整改到位' }, commander)).toMatchObject({ ok: true, to: 'dispatched' });
    const photo = { mediation: false, resultPhotoRequired: true };
    expect(decide(state({ stage: 'verified', type: photo }), { action: 'close' }, commander)).toMatchObject({ ok: false, code: 'bad_request' });
    expect(decide(state({ stage: 'verified', type: photo, resultPhotos: 1 }), { action: 'close' }, commander)).toMatchObject({ ok: true, to: 'closed' });
    const dispute = { mediation: true, resultPhotoRequired: false };
    expect(decide(state({ stage: 'dispatched', type: dispute }), { action: 'handle' }, worker)).toMatchObject({ ok: false, code: 'bad_request' });
    expect(decide(state({ stage: 'dispatched', type: dispute }), { action: 'handle', mediation: { outcome: 'referral' } }, worker)).toMatchObject({ ok: false });
    expect(decide(state({ stage: 'dispatched', type: dispute }), { action: 'handle', mediation: { outcome: 'agreement' } }, worker)).toMatchObject({ ok: true, to: 'handled' });
    expect(decide(state({ stage: 'closed', type: dispute }), { action: 'evaluate' }, commander)).toMatchObject({ ok: false, code: 'bad_request' });
    expect(decide(state({ stage: 'closed', type: dispute }), { action: 'evaluate', followUp: '回访：双方满意' }, commander)).toMatchObject({ ok: true, to: 'evaluated' });
  });
});

describe('lights and code tables', () => {
  it('turns green → yellow (last 20%) → red as the clock moves, and none once closed', () => {
    const clock = new ManualClock('2026-12-01T08:00:00Z');
    const reportedAt = clock.now();
    const deadlineAt = deadlineOf(reportedAt, 10);
    const e = { reportedAt, deadlineAt, yellowAt: yellowAtOf(reportedAt, deadlineAt), closedAt: null };
    expect(lightAt(e, clock.now())).toBe('green');
    clock.advanceHours(7.9);
    expect(lightAt(e, clock.now())).toBe('green');
    clock.advanceHours(0.2);
    expect(lightAt(e, clock.now())).toBe('yellow');
    clock.advanceHours(2);
    expect(lightAt(e, clock.now())).toBe('red');
    expect(lightAt({ ...e, closedAt: clock.now() }, clock.now())).toBeNull();
  });

  it('ships both tables with Chinese and English names, 5-digit codes and deadlines', () => {
    expect(eventType('09009')).toMatchObject({ kind: 'urban', nameZh: '机动车乱停放', classCode: '09', deadlineHours: 2 });
    expect(eventType('06013')).toMatchObject({ nameZh: '道路破损', resultPhotoRequired: true });
    expect(eventType('51001')).toMatchObject({ kind: 'social', mediation: true });
    expect(classOfLegacy('01')?.code).toBe('06');
    for (const t of EVENT_TYPES) {
      expect(t.code).toMatch(/^\d{5}$/);
      expect(t.nameZh.length && t.nameEn.length).toBeTruthy();
      expect(t.deadlineHours).toBeGreaterThan(0);
    }
    expect(new Set(EVENT_TYPES.map((t) => t.code)).size).toBe(EVENT_TYPES.length);
  });
});

/**
 * The seven-stage flow of an event as a pure state machine with role checks:
 *
 *   reported ─accept→ accepted ─register→ registered ─dispatch→ dispatched ─handle→ handled ─verify→ verified
 *     ─close→ closed ─evaluate→ evaluated
 *   受理 accept · 立案 register · 派遣 dispatch (to a department or to a grid worker) · 处置 handle · 核查 verify ·
 *   结案 close · 评价 evaluate; plus reject (reported, accepted or registered → rejected, with a reason) and
 *   return (dispatched → registered: the handler gives it back; handled → dispatched: verification failed; with
 *   a reason).
 *
 * Who: the command centre (commander) and admins do everything in their jurisdiction; a grid worker of the
 * event's grid (the pair jurisdiction, grid) handles what is dispatched to them or to their grid, returns it,
 * and verifies what someone else handled. Disputes (mediation types) are handled with a mediation outcome
 * (agreement or referral) and evaluated only after a follow-up visit (回访). A type that needs a photo of the
 * result is closed only with one. No I/O here: the repository applies the answer.
 *
 * @example decide({ stage: 'reported', … }, { action: 'accept' }, commander) // { ok: true, to: 'accepted' }
 */
import type { EventType } from './event-codes.ts';

export const STAGES = ['reported', 'accepted', 'registered', 'dispatched', 'handled', 'verified', 'closed', 'evaluated', 'rejected'] as const;
export type Stage = (typeof STAGES)[number];
export const ACTIONS = ['accept', 'register', 'dispatch', 'handle', 'verify', 'close', 'evaluate', 'reject', 'return'] as const;
export type Action = (typeof ACTIONS)[number];

/** Stages after which an event is no longer open (no light, counted in the on-time rate). */
export const FINAL_STAGES: readonly Stage[] = ['closed', 'evaluated', 'rejected'];

export type ActorRole = 'admin' | 'planner' | 'commander' | 'grid_worker';

/** Who acts: the account's name, role and scope (a grid worker's scope is the pair jurisdiction, grid). */
export interface Actor { name: string; role: ActorRole; jcode: string | null; grids: readonly string[] }

export type DispatchTarget = { kind: 'department'; name: string } | { kind: 'grid_worker'; name: string };

export interface WorkflowState {
  jcode: string;
  gridCode: string | null;
  stage: Stage;
  dispatchedTo: DispatchTarget | null;
  handledBy: string | null;
  resultPhotos: number;
  type: Pick<EventType, 'mediation' | 'resultPhotoRequired'>;
}

export interface ActionInput {
  action: Action;
  /** why (required for reject and return) */
  reason?: string;
  note?: string;
  /** dispatch: to whom */
  to?: DispatchTarget;
  /** handle: photos of the result sent with it */
  resultPhotos?: number;
  /** handle of a dispute: how the mediation ended */
  mediation?: { outcome: 'agreement' | 'referral'; referredTo?: string };
  /** evaluate: 1 (poor) … 5 (very good) */
  rating?: number;
  /** evaluate of a dispute: the follow-up visit */
  followUp?: string;
}

export type Decision =
  | { ok: true; to: Stage; dispatchedTo?: DispatchTarget | null; handledBy?: string | null }
  | { ok: false; code: 'forbidden' | 'conflict' | 'bad_request'; reason: string };

const STAFF: readonly ActorRole[] = ['admin', 'commander'];

function inJurisdiction(a: Actor, jcode: string): boolean {
  return a.jcode === null || a.jcode === jcode;
}

/** A grid worker of the event's grid (the pair jurisdiction, grid; never a grid code alone). */
export function worksOnEvent(a: Actor, s: Pick<WorkflowState, 'jcode' | 'gridCode'>): boolean {
  return a.role === 'grid_worker' && a.jcode !== null && a.jcode === s.jcode && s.gridCode !== null && a.grids.includes(s.gridCode);
}

const FROM: Record<Action, readonly Stage[]> = {
  accept: ['reported'], register: ['accepted'], dispatch: ['registered'], handle: ['dispatched'], verify: ['handled'],
  close: ['verified'], evaluate: ['closed'], reject: ['reported', 'accepted', 'registered'], return: ['dispatched', 'handled'],
};

/** What `actor` doing `input` to an event in `state` leads to, or why it may not. */
export function decide(state: WorkflowState, input: ActionInput, actor: Actor): Decision {
  const no = (code: 'forbidden' | 'conflict' | 'bad_request', reason: string): Decision => ({ ok: false, code, reason });
  if (!inJurisdiction(actor, state.jcode)) return no('forbidden', `the account ${actor.name} works in ${actor.jcode} only`);
  const staff = STAFF.includes(actor.role);
  const worker = worksOnEvent(actor, state);
  if (!staff && !worker) return no('forbidden', `the ${actor.role} account ${actor.name} may not act on events of grid ${state.gridCode ?? '(none)'} of ${state.jcode}`);
  if (!FROM[input.action].includes(state.stage)) {
    return no('conflict', `${input.action} is not possible at stage ${state.stage} (only at ${FROM[input.action].join(', ')})`);
  }
  const reason = input.reason?.trim();
  switch (input.action) {
    case 'accept': case 'register': case 'close':
      if (!staff) return no('forbidden', `only the command centre may ${input.action} an event`);
      if (input.action === 'close' && state.type.resultPhotoRequired && state.resultPhotos < 1) {
        return no('bad_request', 'this type of event is closed only with a photo of the result');
      }
      return { ok: true, to: input.action === 'accept' ? 'accepted' : input.action === 'register' ? 'registered' : 'closed' };
    case 'dispatch': {
      if (!staff) return no('forbidden', 'only the command centre may dispatch an event');
      const to = input.to;
      if (!to || !to.name?.trim()) return no('bad_request', 'dispatch needs a target: {kind: department|grid_worker, name}');
      return { ok: true, to: 'dispatched', dispatchedTo: { kind: to.kind, name: to.name.trim() } };
    }
    case 'handle': {
      if (worker && state.dispatchedTo?.kind === 'department') return no('forbidden', `this event is dispatched to the department ${state.dispatchedTo.name}`);
      if (worker && state.dispatchedTo?.kind === 'grid_worker' && state.dispatchedTo.name !== actor.name) {
        return no('forbidden', `this event is dispatched to ${state.dispatchedTo.name}`);
      }
      if (state.type.mediation && !input.mediation) return no('bad_request', 'a dispute is handled with the outcome of its mediation: {mediation: {outcome: agreement|referral}}');
      if (input.mediation?.outcome === 'referral' && !input.mediation.referredTo?.trim()) return no('bad_request', 'a referral names where the dispute was referred (referredTo)');
      return { ok: true, to: 'handled', handledBy: actor.name };
    }
    case 'verify':
      if (worker && state.handledBy === actor.name) return no('forbidden', 'the one who handled an event does not verify it');
      return { ok: true, to: 'verified' };
    case 'evaluate':
      if (!staff) return no('forbidden', 'only the command centre may evaluate an event');
      if (input.rating !== undefined && !(Number.isInteger(input.rating) && input.rating >= 1 && input.rating <= 5)) return no('bad_request', 'rating is 1 to 5');
      if (state.type.mediation && !input.followUp?.trim()) return no('bad_request', 'a dispute is evaluated after its follow-up visit (回访): followUp');
      return { ok: true, to: 'evaluated' };
    case 'reject':
      if (!staff) return no('forbidden', 'only the command centre may reject an event');
      if (!reason) return no('bad_request', 'a rejection needs a reason');
      return { ok: true, to: 'rejected' };
    case 'return':
      if (!reason) return no('bad_request', 'a return needs a reason');
      if (state.stage === 'dispatched') {
        if (worker && state.dispatchedTo?.kind === 'grid_worker' && state.dispatchedTo.name !== actor.name) return no('forbidden', `this event is dispatched to ${state.dispatchedTo.name}`);
        if (worker && state.dispatchedTo?.kind === 'department') return no('forbidden', `this event is dispatched to the department ${state.dispatchedTo.name}`);
        return { ok: true, to: 'registered', dispatchedTo: null };
      }
      if (worker && state.handledBy === actor.name) return no('forbidden', 'the one who handled an event does not verify it');
      return { ok: true, to: 'dispatched', handledBy: null };
  }
}

/**
 * The open events of a jurisdiction kept live from /api/jurisdictions/{jcode}/events-live (Server-Sent Events):
 * the snapshot, then one message per change (a new event, a transition, a close). Shared by the wall's map
 * (/wall) and the live events wall (/wall/events). `onChange` is called after the snapshot and after each
 * change; a view that redraws on it batches the calls itself.
 */
import { liveEvents, type LiveEvent } from './events-client.ts';
import { LAYER_COLOURS } from '../layers/layer-def.ts';

export interface LiveEventsState {
  /** the open events by id */
  open: Map<number, LiveEvent>;
  /** closed events counted by the service (closed and evaluated), and those closed on time */
  closed: number;
  closedOnTime: number;
  /** changes received since the snapshot */
  changes: number;
}

export interface LiveEventsFeed {
  state: LiveEventsState;
  close(): void;
}

/** Follow the live events of `jcode`; `onChange(state, first)` after the snapshot (first = true) and each change. */
export function followLiveEvents(jcode: string, onChange: (state: LiveEventsState, first: boolean) => void): LiveEventsFeed {
  const state: LiveEventsState = { open: new Map(), closed: 0, closedOnTime: 0, changes: 0 };
  const source = liveEvents(jcode);
  source.addEventListener('snapshot', (m) => {
    const snap = JSON.parse((m as MessageEvent).data) as { closed: number; closedOnTime: number; events: LiveEvent[] };
    state.open.clear();
    for (const e of snap.events) state.open.set(e.id, e);
    state.closed = snap.closed;
    state.closedOnTime = snap.closedOnTime;
    onChange(state, true);
  });
  source.addEventListener('event', (m) => {
    const e = JSON.parse((m as MessageEvent).data) as LiveEvent;
    if (e.closedAt) {
      if (state.open.delete(e.id) && e.stage === 'closed') {
        state.closed += 1;
        if (e.onTime) state.closedOnTime += 1;
      }
    } else state.open.set(e.id, e);
    state.changes += 1;
    onChange(state, false);
  });
  return { state, close: () => source.close() };
}

/** The lights' colours of the shared palette as CSS variables (--ev-red, --ev-yellow, --ev-green) for the events' styles. */
export function setLightColourVariables(root: HTMLElement = document.documentElement): void {
  root.style.setProperty('--ev-red', LAYER_COLOURS.eventRed);
  root.style.setProperty('--ev-yellow', LAYER_COLOURS.eventYellow);
  root.style.setProperty('--ev-green', LAYER_COLOURS.eventGreen);
}

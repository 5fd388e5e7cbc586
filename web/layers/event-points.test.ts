// Events as points by light: the light on the screen's clock, closed and unplaced events left out, red drawn last
// (on top), and the lights' colours from the shared palette.
import { describe, expect, it } from 'vitest';
import { countByLight, eventPoints, lightAt, lightColour, lightHex } from './event-points.ts';
import { LAYER_COLOURS } from './layer-def.ts';

const at = (iso: string) => Date.parse(iso);
const ev = (id: number, yellowAt: string, deadlineAt: string, more: Partial<{ lon: number | null; lat: number | null; closedAt: string | null }> = {}) => ({
  id, lon: 116.3 + id / 1000, lat: 39.98, yellowAt, deadlineAt, closedAt: null, ...more,
});

describe('event points', () => {
  it('turns an event yellow at its yellow time and red after its deadline', () => {
    const e = ev(1, '2026-12-01T09:36:00Z', '2026-12-01T10:00:00Z');
    expect(lightAt(e, at('2026-12-01T09:00:00Z'))).toBe('green');
    expect(lightAt(e, at('2026-12-01T09:36:00Z'))).toBe('yellow');
    expect(lightAt(e, at('2026-12-01T10:00:00Z'))).toBe('yellow');
    expect(lightAt(e, at('2026-12-01T10:00:01Z'))).toBe('red');
  });

  it('leaves out closed events and events without a position, and puts red last so it is drawn on top', () => {
    const now = at('2026-12-01T12:00:00Z');
    const points = eventPoints([
      ev(1, '2026-12-01T11:00:00Z', '2026-12-01T11:30:00Z'), // red
      ev(2, '2026-12-01T13:00:00Z', '2026-12-01T14:00:00Z'), // green
      ev(3, '2026-12-01T11:00:00Z', '2026-12-01T12:30:00Z'), // yellow
      ev(4, '2026-12-01T13:00:00Z', '2026-12-01T14:00:00Z', { closedAt: '2026-12-01T11:59:00Z' }),
      ev(5, '2026-12-01T13:00:00Z', '2026-12-01T14:00:00Z', { lon: null, lat: null }),
      ev(6, '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z'), // red
    ], now);
    expect(points.map((p) => [p.id, p.light])).toEqual([[2, 'green'], [3, 'yellow'], [1, 'red'], [6, 'red']]);
    expect(points[0].position).toEqual([116.3 + 2 / 1000, 39.98]);
    expect(countByLight(points)).toEqual({ red: 2, yellow: 1, green: 1 });
  });

  it('colours lights from the shared palette', () => {
    expect(lightHex('red')).toBe(LAYER_COLOURS.eventRed);
    expect(lightColour('green', 100)).toEqual([0x1a, 0x96, 0x41, 100]);
  });
});

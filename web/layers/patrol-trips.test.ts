import { describe, expect, it } from 'vitest';
import type { FeatureCollection } from 'geojson';
import { pickDay, secondsOfDay, stepMetres, tripsFrom, tripWindow } from './patrol-trips.ts';

describe('patrol trips', () => {
  it('keeps recorded times, offset by the start of the day', () => {
    const fc: FeatureCollection = { type: 'FeatureCollection', features: [{ type: 'Feature', id: 7, properties: { times: [0, 60, 130], startedAt: '2026-10-30T08:30:00+08:00', worker: '张三' },
      geometry: { type: 'LineString', coordinates: [[116.3, 39.98], [116.301, 39.98], [116.302, 39.98]] } }] };
    const [t] = tripsFrom(fc);
    expect(t.timestamps).toEqual([30600, 30660, 30730]);
    expect(t).toMatchObject({ id: 7, worker: '张三' });
    expect(secondsOfDay('2026-10-30T17:05:09Z')).toBe(17 * 3600 + 5 * 60 + 9);
  });

  it('times untimed tracks by distance at walking speed, skipping points and one-vertex lines', () => {
    const fc: FeatureCollection = { type: 'FeatureCollection', features: [
      { type: 'Feature', properties: {}, geometry: { type: 'MultiLineString', coordinates: [[[116.3, 39.98], [116.3, 39.981]], [[116.3, 39.981], [116.3, 39.982]]] } },
      { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[116.3, 39.98]] } },
      { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [116.3, 39.98] } },
    ] };
    const trips = tripsFrom(fc, { speed: 1, dayStart: 1000, spread: 0 });
    expect(trips).toHaveLength(1);
    const ts = trips[0].timestamps;
    expect(ts[0]).toBe(1000);
    expect(ts[1] - ts[0]).toBeCloseTo(111.32, 1);
    expect(ts[3] - ts[0]).toBeCloseTo(2 * 111.32, 1);
    expect(tripWindow(trips)).toEqual([ts[0], ts[3]]);
    expect(tripWindow([])).toEqual([0, 0]);
    expect(stepMetres([0, 0], [0, 1])).toBeCloseTo(111_320, 0);
  });

  it('picks the latest day not after today, else the latest', () => {
    expect(pickDay(['2026-10-29', '2026-10-31', '2026-10-30'], '2026-10-30')).toBe('2026-10-30');
    expect(pickDay(['2026-10-29', '2026-10-31'], '2026-11-23')).toBe('2026-10-31');
    expect(pickDay(['2026-12-01'], '2026-11-23')).toBe('2026-12-01');
    expect(pickDay([], '2026-11-23')).toBeNull();
  });
});

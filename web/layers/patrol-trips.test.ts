import { describe, expect, it } from 'vitest';
import type { FeatureCollection } from 'geojson';
import { limitTrips, metresPerPixel, trailsAt, pickDay, secondsOfDay, simplifyTrip, stepMetres, tripsFrom, tripWindow, type Trip } from './patrol-trips.ts';

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

  it('simplifies a trip within the tolerance, keeping the corners with their own times', () => {
    // east 100 m along a street with 1 m jiggle, then north 100 m: an L of 21 vertices
    const m = 1 / 111_320;
    const k = 1 / (111_320 * Math.cos((39.98 * Math.PI) / 180));
    const path: Trip['path'] = [];
    for (let i = 0; i <= 10; i++) path.push([116.3 + i * 10 * k, 39.98 + (i % 2) * m]);
    for (let i = 1; i <= 10; i++) path.push([116.3 + 100 * k + (i % 2) * k, 39.98 + i * 10 * m]);
    const trip: Trip = { id: 1, worker: null, path, timestamps: path.map((_, i) => 1000 + i * 10) };
    const s = simplifyTrip(trip, 3);
    expect(s.path).toHaveLength(3);
    expect(s.timestamps).toEqual([1000, 1100, 1200]);
    expect(s.path[1]).toEqual(path[10]);
    expect(simplifyTrip(trip, 0.5).path.length).toBe(21);
    expect(trip.path).toHaveLength(21); // the input is not changed
    expect(simplifyTrip(trip, 0)).toBe(trip);
  });

  it('caps the number of trips, keeping the longest in time in their order', () => {
    const trip = (id: number, span: number): Trip => ({ id, worker: null, path: [[0, 0], [0, 1]], timestamps: [0, span] });
    const trips = [trip(1, 10), trip(2, 50), trip(3, 30), trip(4, 50)];
    expect(limitTrips(trips, 2).map((t) => t.id)).toEqual([2, 4]);
    expect(limitTrips(trips, 3).map((t) => t.id)).toEqual([2, 3, 4]);
    expect(limitTrips(trips, 10)).toBe(trips);
  });

  it('gives metres per pixel of the map at a zoom and latitude', () => {
    expect(metresPerPixel(0, 0)).toBeCloseTo(78_271.5, 0);
    expect(metresPerPixel(13, 60)).toBeCloseTo(78_271.5 / 8192 / 2, 2);
  });

  it('cuts the trails on screen at a time out of the trips, ends interpolated', () => {
    const a: Trip = { id: 'a', worker: null, path: [[0, 0], [10, 0], [10, 10]], timestamps: [100, 200, 300] };
    const b: Trip = { id: 'b', worker: null, path: [[0, 0], [0, 5]], timestamps: [500, 600] };
    const at = trailsAt([a, b], 250, 100);
    expect(at).toHaveLength(1);
    expect(at[0]).toEqual({ id: 'a', worker: null, path: [[5, 0], [10, 0], [10, 5]], timestamps: [150, 200, 250] });
    // the start of a trip: from its first vertex; the end: up to its last
    expect(trailsAt([a], 120, 100)[0]).toMatchObject({ path: [[0, 0], [2, 0]], timestamps: [100, 120] });
    expect(trailsAt([a], 350, 100)[0]).toMatchObject({ path: [[10, 5], [10, 10]], timestamps: [250, 300] });
    expect(trailsAt([a, b], 450, 100)).toEqual([]);
    // a trail within one segment
    expect(trailsAt([b], 560, 30)[0]).toMatchObject({ path: [[0, 1.5], [0, 3]], timestamps: [530, 560] });
  });
});

/**
 * Patrol tracks of a whole area from our own vector tiles (/tiles/tracks: geometry and day, no names or
 * times): fetch the covering tiles, decode, keep one day's tracks. No GeoJSON endpoint lists tracks of a
 * jurisdiction, so views that need them all (the wall) read the tiles; a grid's tracks with their times
 * come from its bundle instead.
 */
import type { Feature, FeatureCollection } from 'geojson';
import { fetchTile } from '../api-client.ts';
import { decodeTileLayer, tilesCovering } from '../../layers/tile-features.ts';
import { pickDay } from '../../layers/patrol-trips.ts';

export interface DayTracks { day: string | null; days: string[]; tracks: FeatureCollection }

export async function tracksFromTiles(bounds: [number, number, number, number], today: string, z = 13, signal?: AbortSignal): Promise<DayTracks> {
  const tiles = tilesCovering(bounds, z, 48);
  const all: Feature[] = [];
  await Promise.all(tiles.map(async (t) => {
    const bytes = await fetchTile('tracks', t.z, t.x, t.y, signal);
    if (bytes) all.push(...decodeTileLayer(bytes, t, 'tracks'));
  }));
  const days = [...new Set(all.map((f) => String(f.properties?.day ?? '')).filter(Boolean))].sort();
  const day = pickDay(days, today);
  // pieces cut by tile edges stay separate trips: joining them end to end would draw jumps across the map
  const tracks = all.filter((f) => f.properties?.day === day);
  return { day, days, tracks: { type: 'FeatureCollection', features: tracks } };
}

/**
 * Duplicates among many new events at once (a hotline import): each new event is linked to the first open event
 * of its type within 50 m reported in the 24 hours before it — one already stored or another new one — in one
 * pass over a hash of ~50 m cells, instead of one spatial query per row. Pure: the caller reads the candidates and
 * writes the links.
 *
 * @example linkDuplicates([{ id: 9, typeCode: '09009', at: t, lon, lat, root: null }], stored) // Map { 9 => 4 }
 */
import { DUPLICATE_HOURS, DUPLICATE_METRES } from './event-repository.ts';

export interface DupCandidate {
  id: number;
  typeCode: string;
  /** reported at, ms since the epoch */
  at: number;
  lon: number;
  lat: number;
  /** the event it repeats already (stored events), or null */
  root: number | null;
}

const M_PER_DEG = 111_320;

function metres(a: DupCandidate, b: DupCandidate): number {
  const k = Math.cos(((a.lat + b.lat) / 2) * (Math.PI / 180));
  return Math.hypot((a.lon - b.lon) * M_PER_DEG * k, (a.lat - b.lat) * M_PER_DEG);
}

/** new event id → the id of the open event it repeats (the first of its chain), for the new events that repeat one. */
export function linkDuplicates(fresh: DupCandidate[], stored: DupCandidate[]): Map<number, number> {
  const all = [...stored, ...fresh].sort((a, b) => a.at - b.at || a.id - b.id);
  const isNew = new Set(fresh.map((f) => f.id));
  const cellLat = DUPLICATE_METRES / M_PER_DEG;
  // one cell width for all: at least 50 m wide at the highest latitude of them
  const maxLat = all.reduce((m, c) => Math.max(m, Math.abs(c.lat)), 0);
  const cellLon = cellLat / Math.max(0.05, Math.cos(maxLat * (Math.PI / 180)));
  const cellOf = (c: DupCandidate) => [Math.floor(c.lon / cellLon), Math.floor(c.lat / cellLat)];
  const cells = new Map<string, DupCandidate[]>();
  const rootOf = new Map<number, number>();
  const out = new Map<number, number>();
  const window = DUPLICATE_HOURS * 3_600_000;
  for (const c of all) {
    const [x, y] = cellOf(c);
    if (isNew.has(c.id)) {
      let best: DupCandidate | null = null;
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          for (const o of cells.get(`${c.typeCode}|${x + dx}|${y + dy}`) ?? []) {
            if (o.at < c.at - window || metres(o, c) > DUPLICATE_METRES) continue;
            if (!best || o.at < best.at || (o.at === best.at && o.id < best.id)) best = o;
          }
        }
      }
      if (best) {
        const root = rootOf.get(best.id) ?? best.root ?? best.id;
        out.set(c.id, root);
        rootOf.set(c.id, root);
      }
    }
    const key = `${c.typeCode}|${x}|${y}`;
    const list = cells.get(key) ?? [];
    // keep only what can still be within the window of a later event
    while (list.length && list[0].at < c.at - window) list.shift();
    list.push(c);
    cells.set(key, list);
  }
  return out;
}

/**
 * The layers of a generated town beyond the partition problem: hazards (points and a few polygons),
 * cameras, grid workers' patrol rounds for three days (each old grid's worker walks the streets around and
 * inside it, usually twice a day, sometimes less or more, so compliance varies), and three departmental
 * overlay layers (党建 party building, 综治 security, 经济 economic) drawn the way departments draw them: each
 * traced by hand from the same old grid map (blocks of about 500 households within a community), at its own
 * scale — security as drawn, party building two old grids to one zone, economic one old grid to two — with freehand
 * outlines a few metres off the streets, so they overlap each other, leave gaps and cut across streets, yet
 * roughly agree, as departmental layers of one place do.
 */
import type { Rng } from './rng.ts';
import { dedupe, type Lattice, type LP } from './town-lattice.ts';
import { personName } from './names.ts';
import { makePhone } from './id-number.ts';
import type { Position, PolygonGeometry, Town, TownHazard, TownOverlay, OverlayLayerName } from './town-types.ts';

export interface ExtrasContext {
  lattice: Lattice;
  rng: (phase: number) => Rng;
  edgeExists: (key: number) => boolean;
  cellIn: (i: number, j: number) => boolean;
  river: LP[];
  /** community index of a lattice cell, -1 outside the county */
  cellCommunity: (i: number, j: number) => number;
  /** households placed in a lattice cell */
  cellHouseholds: (i: number, j: number) => number;
  /** the generator's street block of a lattice cell (cells of one block have no street between them), -1 outside */
  cellBlock: (i: number, j: number) => number;
}

/** The day the synthetic records are dated against (reports go back 60 days; tracks are the 3 days before). */
export const TOWN_REFERENCE_DAY = '2026-11-01';
const REF_MS = Date.parse(`${TOWN_REFERENCE_DAY}T00:00:00+08:00`);
export const PATROL_DAYS = ['2026-10-29', '2026-10-30', '2026-10-31'];

const HAZARD_TEXT: Record<TownHazard['kind'], string[]> = {
  fire: ['楼道堆放杂物，堵塞消防通道', '电动车在楼道内违规充电', '消防栓缺水，灭火器过期', '沿街商铺私拉电线'],
  building_safety: ['外墙瓷砖空鼓脱落', '老旧楼房墙体开裂', '违章搭建彩钢板房', '屋面防水层破损漏雨'],
  flood: ['低洼路段汛期易积水', '河道护坡冲刷，存在塌岸风险', '雨水篦子堵塞', '地下车库入口缺少挡水板'],
  traffic: ['路口信号灯故障', '学校门口缺少减速带', '占道经营影响通行', '路面坑洼，夜间照明不足'],
  gas: ['燃气管道锈蚀', '餐饮店使用液化气瓶未装报警器', '燃气表箱被杂物遮挡', '居民私改燃气管线'],
};

/** Fill town.hazards, cameras, tracks and overlays. */
export function addTownExtras(town: Town, ctx: ExtrasContext): void {
  const lat = ctx.lattice;
  const { nx, ny } = lat;
  const H = town.requested;
  // nodes that have at least one street
  const nodeEdges = (i: number, j: number): Array<{ key: number; to: [number, number]; fwd: boolean }> => {
    const out: Array<{ key: number; to: [number, number]; fwd: boolean }> = [];
    if (i < nx && ctx.edgeExists(lat.hKey(i, j))) out.push({ key: lat.hKey(i, j), to: [i + 1, j], fwd: true });
    if (i > 0 && ctx.edgeExists(lat.hKey(i - 1, j))) out.push({ key: lat.hKey(i - 1, j), to: [i - 1, j], fwd: false });
    if (j < ny && ctx.edgeExists(lat.vKey(i, j))) out.push({ key: lat.vKey(i, j), to: [i, j + 1], fwd: true });
    if (j > 0 && ctx.edgeExists(lat.vKey(i, j - 1))) out.push({ key: lat.vKey(i, j - 1), to: [i, j - 1], fwd: false });
    return out;
  };
  const streetNodes: Array<[number, number]> = [];
  for (let j = 0; j <= ny; j++) for (let i = 0; i <= nx; i++) if (nodeEdges(i, j).length >= 2) streetNodes.push([i, j]);
  const riverIn = ctx.river.filter((p) => p.u >= 0 && p.u < nx && p.v >= 0 && p.v < ny && ctx.cellIn(Math.floor(p.u), Math.floor(p.v)));

  // ---- hazards
  const rh = ctx.rng(1);
  const nHaz = Math.max(12, Math.round(H / 800));
  for (let k = 0; k < nHaz; k++) {
    const kind = rh.weighted([['fire', 25], ['building_safety', 20], ['flood', 15], ['traffic', 20], ['gas', 20]] as const);
    let at: Position;
    let polygon = false;
    let radius = 0;
    if (kind === 'flood' && riverIn.length) {
      at = lat.lonlat(rh.pick(riverIn));
      polygon = rh.chance(0.4);
      radius = rh.range(30, 80);
    } else if (kind === 'traffic' && streetNodes.length) {
      const [i, j] = rh.pick(streetNodes);
      at = lat.offset(lat.lonlat({ u: i, v: j }), rh.range(-6, 6), rh.range(-6, 6));
    } else {
      const b = town.buildings[rh.int(0, town.buildings.length - 1)];
      at = lat.offset(b.position, rh.range(-12, 12), rh.range(-12, 12));
      polygon = kind === 'building_safety' && rh.chance(0.2);
      radius = rh.range(12, 25);
    }
    const geom: TownHazard['geom'] = polygon ? starPolygon(rh, lat, at, radius) : { type: 'Point', coordinates: at };
    town.hazards.push({
      kind,
      severity: rh.weighted([[1, 25], [2, 30], [3, 25], [4, 13], [5, 7]] as const),
      status: rh.weighted([['open', 50], ['handling', 25], ['closed', 25]] as const),
      description: rh.pick(HAZARD_TEXT[kind]),
      reportedAt: new Date(REF_MS - Math.floor(rh.range(0, 60 * 86400)) * 1000).toISOString(),
      geom,
    });
  }

  // ---- cameras at junctions, looking along the street
  const rc = ctx.rng(2);
  const nCam = Math.max(10, Math.round(H / 700));
  for (let k = 0; k < nCam && streetNodes.length; k++) {
    const [i, j] = rc.pick(streetNodes);
    const e = rc.pick(nodeEdges(i, j));
    const here = lat.lonlat({ u: i, v: j });
    const c = lat.edgeCoords(e.key);
    const toward = e.fwd ? c[1] : c[c.length - 2];
    const dx = (toward[0] - here[0]) * Math.cos((here[1] * Math.PI) / 180), dy = toward[1] - here[1];
    const bearing = Math.round(((Math.atan2(dx, dy) * 180) / Math.PI + 360 + rc.range(-10, 10)) % 360);
    town.cameras.push({
      code: `${town.code.slice(0, 6)}SXT${String(k + 1).padStart(5, '0')}`, name: `${town.name}视频监控点${k + 1}`,
      bearing, fov: rc.pick([60, 75, 90, 110]), rangeM: rc.int(30, 80), position: lat.offset(here, rc.range(-5, 5), rc.range(-5, 5)),
    });
  }

  // ---- overlay layers: one old grid map (about 500 households, within communities), traced three ways
  const comCells = new Map<number, number[]>();
  for (let j = ny - 1; j >= 0; j--) {
    // snake order: rows north to south, alternating direction, so consecutive cells touch
    const row: number[] = [];
    for (let i = 0; i < nx; i++) if (ctx.cellCommunity(i, j) >= 0) row.push(i);
    if ((ny - 1 - j) % 2 === 1) row.reverse();
    for (const i of row) {
      const c = ctx.cellCommunity(i, j);
      const list = comCells.get(c) ?? [];
      list.push(j * nx + i);
      comCells.set(c, list);
    }
  }
  const oldGrids: number[][][] = []; // per community: groups of cells
  const rd = ctx.rng(9);
  for (const c of [...comCells.keys()].sort((a, b) => a - b)) {
    const cells = comCells.get(c)!;
    // the old map was drawn to the same rule years ago (about 500 households, 400–600), over whole street
    // blocks (a block above 600 was cut along its cells), by the counts of that time: each piece's households
    // then were today's ±15%, so some old grids are out of range today
    const hCell = (x: number) => ctx.cellHouseholds(x % nx, Math.floor(x / nx));
    const blockOf = (x: number) => ctx.cellBlock(x % nx, Math.floor(x / nx));
    const blockCells = new Map<number, number[]>();
    for (const x of cells) { const b = blockOf(x); blockCells.set(b, [...(blockCells.get(b) ?? []), x]); }
    const pieceOf = new Map<number, number>();
    const pieces: number[][] = [];
    for (const x of cells) {
      if (pieceOf.has(x)) continue;
      const bc = blockCells.get(blockOf(x))!;
      const whole = bc.reduce((t, y) => t + hCell(y), 0) <= 600;
      const members = whole ? bc : [x];
      for (const y of members) pieceOf.set(y, pieces.length);
      pieces.push(members);
    }
    const then = pieces.map((p) => p.reduce((t, y) => t + hCell(y), 0) * rd.range(0.85, 1.15));
    const touching = (pi: number) => {
      const out = new Set<number>();
      for (const x of pieces[pi]) {
        const i = x % nx;
        for (const n of [i > 0 ? x - 1 : -1, i < nx - 1 ? x + 1 : -1, x - nx, x + nx]) {
          const q = n >= 0 ? pieceOf.get(n) : undefined;
          if (q !== undefined && q !== pi) out.add(q);
        }
      }
      return [...out].sort((x, y) => x - y);
    };
    const groupOf = new Int32Array(pieces.length).fill(-1);
    const groups: number[][] = [];
    const sums: number[] = [];
    // grown one by one in snake order over touching pieces until about 500
    const grow = (start: number, allowed: (pi: number) => boolean, target: number): number[] => {
      const g = [start];
      let hh = then[start];
      const inG = new Set(g);
      while (hh < target) {
        const cap = hh >= 430 ? 570 : 600;
        let best = -1;
        for (const y of g) for (const n of touching(y)) if (!inG.has(n) && allowed(n) && hh + then[n] <= cap && (best < 0 || n < best)) best = n;
        if (best < 0) break;
        g.push(best); inG.add(best); hh += then[best];
      }
      return g;
    };
    for (let p0 = 0; p0 < pieces.length; p0++) {
      if (groupOf[p0] >= 0) continue;
      const g = grow(p0, (n) => groupOf[n] < 0, 480);
      for (const y of g) groupOf[y] = groups.length;
      groups.push(g);
      sums.push(g.reduce((t, y) => t + then[y], 0));
    }
    // a rest below 400 joins a touching old grid when the two fit, else the two are redrawn as two
    for (let gi = 0; gi < groups.length; gi++) {
      if (sums[gi] >= 400 || !groups[gi].length) continue;
      const nbs = [...new Set(groups[gi].flatMap(touching).map((n) => groupOf[n]).filter((o) => o !== gi))].sort((x, y) => sums[x] - sums[y] || x - y);
      const fit = nbs.find((o) => sums[o] + sums[gi] <= 600);
      if (fit !== undefined) {
        for (const y of groups[gi]) groupOf[y] = fit;
        groups[fit].push(...groups[gi]); sums[fit] += sums[gi]; groups[gi] = []; sums[gi] = 0;
        continue;
      }
      for (const o of nbs) {
        const pool = new Set([...groups[gi], ...groups[o]]);
        const total = sums[gi] + sums[o];
        const first = grow(Math.min(...pool), (n) => pool.has(n), total / 2);
        const rest = [...pool].filter((y) => !first.includes(y));
        const h1 = first.reduce((t, y) => t + then[y], 0), h2 = total - h1;
        if (h1 < 400 || h1 > 600 || h2 < 400 || h2 > 600 || connectedParts(rest.flatMap((y) => pieces[y]), nx).length !== 1) continue;
        groups[gi] = first; groups[o] = rest; sums[gi] = h1; sums[o] = h2;
        for (const y of first) groupOf[y] = gi;
        for (const y of rest) groupOf[y] = o;
        break;
      }
    }
    oldGrids.push(groups.filter((g) => g.length).map((g) => g.flatMap((pi) => pieces[pi])));
  }
  // ---- patrol tracks: each old grid's worker walks the streets around and inside it, usually twice a day
  // (a round of 20–45 minutes), sometimes once, three times or not at all
  const rt = ctx.rng(3);
  /** the cells on either side of the street edge from lattice node (i, j) to `to` (cell = j * nx + i) */
  const edgeCells = (i: number, j: number, to: [number, number]): number[] => {
    const out: number[] = [];
    if (to[1] === j) { // horizontal: the rows j - 1 and j of column min(i)
      const c = Math.min(i, to[0]);
      for (const r of [j - 1, j]) if (r >= 0 && r < ny && c >= 0 && c < nx) out.push(r * nx + c);
    } else { // vertical: the columns i - 1 and i of row min(j)
      const r = Math.min(j, to[1]);
      for (const c of [i - 1, i]) if (c >= 0 && c < nx && r >= 0 && r < ny) out.push(r * nx + c);
    }
    return out;
  };
  for (const groups of oldGrids) {
    for (const cells of groups) {
      const inGroup = new Set(cells);
      const allowed = (i: number, j: number, e: { to: [number, number] }) => edgeCells(i, j, e.to).some((x) => inGroup.has(x));
      const starts: Array<[number, number]> = [];
      for (const x of cells) {
        const i = x % nx, j = Math.floor(x / nx);
        for (const [a, b] of [[i, j], [i + 1, j], [i, j + 1], [i + 1, j + 1]] as Array<[number, number]>) if (nodeEdges(a, b).some((e) => allowed(a, b, e))) starts.push([a, b]);
      }
      if (!starts.length) continue;
      const worker = personName(rt, rt.chance(0.45));
      const phone = makePhone(rt);
      for (const day of PATROL_DAYS) {
        const u = rt.next();
        const rounds = u < 0.1 ? 0 : u < 0.3 ? 1 : u < 0.85 ? 2 : 3;
        for (let round = 0; round < rounds; round++) {
          const duration = rt.range(1200, 2700), speed = rt.range(1.0, 1.4);
          let node = rt.pick(starts);
          let cameFrom = -1;
          const coords: Position[] = [jiggle(rt, lat, lat.lonlat({ u: node[0], v: node[1] }))];
          const times = [0];
          let t = 0;
          let prevExact = lat.lonlat({ u: node[0], v: node[1] });
          while (t < duration && coords.length < 1500) {
            let opts = nodeEdges(node[0], node[1]).filter((e) => allowed(node[0], node[1], e));
            if (!opts.length) break;
            if (opts.length > 1) opts = opts.filter((e) => e.key !== cameFrom);
            const e = rt.pick(opts);
            const c = lat.edgeCoords(e.key);
            const seq = e.fwd ? c : [...c].reverse();
            for (let k = 1; k < seq.length; k++) {
              t += lat.distance(prevExact, seq[k]) / speed + (rt.chance(0.03) ? rt.range(60, 300) : 0);
              prevExact = seq[k];
              coords.push(jiggle(rt, lat, seq[k]));
              times.push(Math.round(t));
            }
            cameFrom = e.key;
            node = e.to;
          }
          if (coords.length < 2) continue;
          const hh = [8, 14, 19][round] + rt.int(0, 1), mm = rt.int(0, 59);
          town.tracks.push({
            worker, phone, day, startedAt: `${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`,
            times, coordinates: dedupe(coords).length === coords.length ? coords : coords.map((p, k) => (k > 0 && p[0] === coords[k - 1][0] && p[1] === coords[k - 1][1] ? lat.offset(p, 0.05, 0) : p)),
          });
        }
      }
    }
  }

  const layers: Array<[OverlayLayerName, string, string, string, (groups: number[][]) => number[][]]> = [
    ['party_building', '党建网格', '街道党工委组织办', 'DJ', (gs) => gs.reduce<number[][]>((acc, g, k) => { if (k % 2 === 0) acc.push([...g]); else acc[acc.length - 1].push(...g); return acc; }, [])],
    ['security', '综治网格', '综治中心', 'ZZ', (gs) => gs],
    ['economic', '经济网格', '经济发展办公室', 'JJ', (gs) => gs.flatMap((g) => (g.length > 1 ? [g.slice(0, Math.ceil(g.length / 2)), g.slice(Math.ceil(g.length / 2))] : [g]))],
  ];
  layers.forEach(([layer, title, department, prefix, regroup], li) => {
    const ro = ctx.rng(10 + li);
    const ov: TownOverlay = { layer, title, department, zones: [] };
    for (const groups of oldGrids) {
      for (const cells of regroup(groups)) {
        for (const part of connectedParts(cells, nx)) {
          if (ro.chance(0.03)) continue; // a zone nobody drew: a gap
          const swell = ro.chance(0.15) ? ro.range(3, 6) : 0; // drawn generously: overlaps its neighbours
          const coordinates = outlineRings(part, nx).map((ring) => {
            const pts = dedupe(ring.map((p) => lat.offset(lat.lonlat(p), ro.normal() * 2, ro.normal() * 2)));
            const out = swell ? swellRing(lat, pts, swell) : pts;
            out.push(out[0]);
            return out;
          });
          const seq = ov.zones.length + 1;
          ov.zones.push({
            code: `${prefix}${town.code.slice(0, 6)}${String(seq).padStart(4, '0')}`, name: `${title}第${seq}号`,
            person: personName(ro, ro.chance(0.5)), phone: makePhone(ro), geom: { type: 'Polygon', coordinates },
          });
        }
      }
    }
    town.overlays.push(ov);
  });
}

/** 4-connected parts of a set of cells (cell = j * nx + i). */
function connectedParts(cells: number[], nx: number): number[][] {
  const set = new Set(cells);
  const seen = new Set<number>();
  const parts: number[][] = [];
  for (const c of cells) {
    if (seen.has(c)) continue;
    const part = [c];
    seen.add(c);
    for (let q = 0; q < part.length; q++) {
      const x = part[q], i = x % nx;
      for (const n of [i > 0 ? x - 1 : -1, i < nx - 1 ? x + 1 : -1, x - nx, x + nx]) {
        if (n >= 0 && set.has(n) && !seen.has(n)) { seen.add(n); part.push(n); }
      }
    }
    parts.push(part.sort((a, b) => a - b));
  }
  return parts;
}

/**
 * The outline of a 4-connected set of lattice cells as rings of lattice points (outer ring first,
 * counter-clockwise in lattice space), each cell side densified to 6 points so the traced line can wander.
 */
function outlineRings(cells: number[], nx: number): LP[][] {
  const set = new Set(cells);
  // directed boundary edges, counter-clockwise around each cell; an edge shared by two cells cancels out
  const next = new Map<string, [number, number]>();
  const key = (i: number, j: number) => `${i},${j}`;
  for (const c of cells) {
    const i = c % nx, j = Math.floor(c / nx);
    const has = (di: number, dj: number) => set.has((j + dj) * nx + (i + di)) && i + di >= 0 && i + di < nx;
    if (!has(0, -1)) next.set(key(i, j), [i + 1, j]);
    if (!has(1, 0)) next.set(key(i + 1, j), [i + 1, j + 1]);
    if (!has(0, 1)) next.set(key(i + 1, j + 1), [i, j + 1]);
    if (!has(-1, 0)) next.set(key(i, j + 1), [i, j]);
  }
  const rings: LP[][] = [];
  while (next.size) {
    const [startKey] = next.keys();
    const ring: LP[] = [];
    let k = startKey;
    for (let guard = 0; guard < 100_000 && next.has(k); guard++) {
      const [a, b] = k.split(',').map(Number);
      const [c, d] = next.get(k)!;
      next.delete(k);
      for (let q = 0; q < 6; q++) ring.push({ u: a + ((c - a) * q) / 6, v: b + ((d - b) * q) / 6 });
      k = key(c, d);
    }
    rings.push(ring);
  }
  // outer ring (largest area) first
  const area = (r: LP[]) => r.reduce((s, p, q) => { const n = r[(q + 1) % r.length]; return s + p.u * n.v - n.u * p.v; }, 0) / 2;
  return rings.sort((x, y) => Math.abs(area(y)) - Math.abs(area(x)));
}

/** Push a ring outward from its centre by about `m` metres (a zone drawn generously). */
function swellRing(lat: Lattice, ring: Position[], m: number): Position[] {
  const cx = ring.reduce((s, p) => s + p[0], 0) / ring.length, cy = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  return ring.map((p) => {
    const dx = p[0] - cx, dy = p[1] - cy, d = Math.hypot(dx * 111_320 * Math.cos((cy * Math.PI) / 180), dy * 110_574) || 1;
    return lat.offset(p, (m * dx * 111_320 * Math.cos((cy * Math.PI) / 180)) / d, (m * dy * 110_574) / d);
  });
}

function jiggle(rng: Rng, lat: Lattice, p: Position): Position {
  return lat.offset(p, rng.normal() * 2, rng.normal() * 2);
}

/** A small star-shaped polygon of about `radius` metres around a point. */
function starPolygon(rng: Rng, lat: Lattice, at: Position, radius: number): PolygonGeometry {
  const ring: Position[] = [];
  const m = 10;
  for (let q = 0; q < m; q++) {
    const a = (2 * Math.PI * q) / m, r = radius * rng.range(0.75, 1.2);
    ring.push(lat.offset(at, r * Math.cos(a), r * Math.sin(a)));
  }
  const d = dedupe(ring);
  d.push(d[0]);
  return { type: 'Polygon', coordinates: [d] };
}

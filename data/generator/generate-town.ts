/**
 * `generateTown`: a deterministic (seeded), realistic synthetic Chinese jurisdiction at any scale from
 * 5,000 to 1,500,000 households. A county (fictitious code 370199000000, 示范县, centred near 116.9°E 36.6°N)
 * → townships (街道/镇) → communities/villages (社区/村) whose outlines follow arterial streets; an irregular,
 * curved street network (primary/secondary arterials, tertiary and residential streets, service spurs,
 * paths, cul-de-sacs), a river and (in larger towns) a railway crossing it, all noded exactly at junctions;
 * buildings from villas to towers with household counts, sized so that most street blocks hold 50-450
 * households, a few oversized blocks (> 600, several buildings) and indivisible towers (> 600); isolated small
 * villages (< 400); dedicated units; hazards, cameras, patrol tracks and three overlay layers (town-extras.ts).
 * Residents are derived per building on demand (residents.ts).
 */
import { WanggeError } from '../errors.ts';
import { Rng, hashSeed } from './rng.ts';
import { Lattice, dedupe, type LP } from './town-lattice.ts';
import { placeName, STREET_SUFFIX, UNIT_KINDS } from './names.ts';
import { addTownExtras } from './town-extras.ts';
import type { StreetKind } from '../db/schema.ts';
import type {
  BuildingKind, Position, Town, TownBlockStat, TownBuilding, TownCommunity, TownOptions, TownStreet, TownTownship, TownUnit,
} from './town-types.ts';

export const MIN_TOWN_HOUSEHOLDS = 5_000;
export const MAX_TOWN_HOUSEHOLDS = 1_500_000;
export const DEFAULT_TOWN_CODE = '370199000000';
export const DEFAULT_TOWN_NAME = '示范县';
const LON0 = 116.9;
const LAT0 = 36.6;

/** Households range of each building kind. */
export const BUILDING_RANGES: Record<BuildingKind, readonly [number, number]> = {
  villa: [1, 4], village_house: [1, 3], walkup: [12, 60], midrise: [60, 150], tower: [150, 450],
};

type BlockRole = 'normal' | 'oversize' | 'indivisible' | 'village' | 'unit_fixed';

interface Block {
  id: number;
  cells: number[];
  community: number;
  role: BlockRole;
  zone: number;
  target: number;
  /** a tower above max households, placed first */
  bigTower: number;
}

interface Community {
  cells: number[];
  village: boolean;
  township: number;
  code: string;
  name: string;
  kind: 'community' | 'village';
}

/** Generate a town. Pure: the same options always give the same town. */
export function generateTown(opts: TownOptions): Town {
  const H = opts.households;
  if (!Number.isInteger(H) || H < MIN_TOWN_HOUSEHOLDS || H > MAX_TOWN_HOUSEHOLDS) {
    throw new WanggeError('bad_request', `households must be an integer from ${MIN_TOWN_HOUSEHOLDS} to ${MAX_TOWN_HOUSEHOLDS}, got ${H}`, { parameter: 'households' });
  }
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 2 ** 32 - 1) {
    throw new WanggeError('bad_request', `seed must be an integer from 0 to 4294967295, got ${opts.seed}`, { parameter: 'seed' });
  }
  const code = opts.code ?? DEFAULT_TOWN_CODE;
  if (!/^\d{6}000000$/.test(code)) throw new WanggeError('bad_request', `county code must be 12 digits ending in 000000, got ${code}`, { parameter: 'code' });
  const countyName = opts.name ?? DEFAULT_TOWN_NAME;
  const seed = opts.seed;
  const rngFor = (phase: number) => new Rng(hashSeed(seed, phase));

  // ---- 1. lattice: cell sizes grow toward the edge, corners jittered, the whole bent by a smooth warp
  const r1 = rngFor(1);
  const nb = H / 110;
  const nx = Math.max(6, Math.round(Math.sqrt((nb / 0.74) * 1.3)));
  const ny = Math.max(5, Math.round(nb / 0.74 / nx));
  const colX = new Float64Array(nx + 1);
  const rowY = new Float64Array(ny + 1);
  for (let i = 0; i < nx; i++) {
    const ef = Math.abs(i + 0.5 - nx / 2) / (nx / 2);
    colX[i + 1] = colX[i] + 140 + 70 * ef + r1.range(-20, 20);
  }
  for (let j = 0; j < ny; j++) {
    const ef = Math.abs(j + 0.5 - ny / 2) / (ny / 2);
    rowY[j + 1] = rowY[j] + 120 + 60 * ef + r1.range(-18, 18);
  }
  const cx0 = colX[nx] / 2, cy0 = rowY[ny] / 2;
  for (let i = 0; i <= nx; i++) colX[i] -= cx0;
  for (let j = 0; j <= ny; j++) rowY[j] -= cy0;
  const jitter = new Float64Array((nx + 1) * (ny + 1) * 2);
  for (let k = 0; k < jitter.length; k += 2) {
    jitter[k] = r1.range(-12, 12);
    jitter[k + 1] = r1.range(-10, 10);
  }
  const lat = new Lattice(nx, ny, colX, rowY, jitter, {
    ax: r1.range(40, 75), ay: r1.range(40, 75), l1: r1.range(1800, 2800), p1: r1.range(0, 6.28), p2: r1.range(0, 6.28),
    a2: r1.range(12, 25), l2: r1.range(800, 1200), p3: r1.range(0, 6.28), p4: r1.range(0, 6.28),
  }, LON0, LAT0);
  const cellOf = (i: number, j: number) => j * nx + i;
  const ci = (c: number) => c % nx;
  const cj = (c: number) => Math.floor(c / nx);

  // ---- 2. county outline: row ranges [a_j, b_j) of an irregular ellipse; consecutive rows overlap (no pinches)
  const ra = new Int32Array(ny), rb = new Int32Array(ny);
  let shift = 0;
  for (let j = 0; j < ny; j++) {
    const t = (j + 0.5 - ny / 2) / (ny / 2 + 0.6);
    const hw = (nx / 2) * Math.sqrt(Math.max(0.2, 1 - t * t)) * r1.range(0.93, 1.07);
    shift = Math.max(-nx * 0.08, Math.min(nx * 0.08, shift + r1.range(-0.6, 0.6)));
    ra[j] = Math.max(0, Math.min(nx - 3, Math.round(nx / 2 + shift - hw)));
    rb[j] = Math.min(nx, Math.max(ra[j] + 3, Math.round(nx / 2 + shift + hw)));
    if (j > 0) {
      if (ra[j] > rb[j - 1] - 2) ra[j] = rb[j - 1] - 2;
      if (rb[j] < ra[j - 1] + 2) rb[j] = ra[j - 1] + 2;
    }
  }
  const inCounty = new Uint8Array(nx * ny);
  const countyCells: number[] = [];
  for (let j = 0; j < ny; j++) for (let i = ra[j]; i < rb[j]; i++) {
    inCounty[cellOf(i, j)] = 1;
    countyCells.push(cellOf(i, j));
  }
  const cellIn = (i: number, j: number) => i >= 0 && j >= 0 && i < nx && j < ny && inCounty[cellOf(i, j)] === 1;
  const neighbours = (c: number): number[] => {
    const i = ci(c), j = cj(c);
    const out: number[] = [];
    if (cellIn(i, j - 1)) out.push(c - nx);
    if (cellIn(i - 1, j)) out.push(c - 1);
    if (cellIn(i + 1, j)) out.push(c + 1);
    if (cellIn(i, j + 1)) out.push(c + nx);
    return out;
  };
  /** the edge key between two 4-adjacent cells */
  const edgeBetween = (a: number, b: number): number => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    return hi - lo === 1 ? lat.vKey(ci(hi), cj(hi)) : lat.hKey(ci(hi), cj(hi));
  };
  const zoneOf = (c: number) => {
    const dx = (ci(c) + 0.5 - nx / 2) / (nx / 2), dy = (cj(c) + 0.5 - ny / 2) / (ny / 2);
    return Math.min(1, Math.sqrt(dx * dx + dy * dy));
  };

  // ---- 3. arterials: every 3rd or 4th lattice line; superblocks between them
  const r3 = rngFor(3);
  const artCol = new Uint8Array(nx + 1), artRow = new Uint8Array(ny + 1);
  const sbCol = new Int32Array(nx), sbRow = new Int32Array(ny);
  for (let i = 0, k = 0; i < nx; k++) {
    artCol[i] = 1;
    const w = r3.int(5, 6);
    for (let q = i; q < Math.min(nx, i + w); q++) sbCol[q] = k;
    i += w;
  }
  artCol[nx] = 1;
  for (let j = 0, k = 0; j < ny; k++) {
    artRow[j] = 1;
    const w = r3.int(5, 6);
    for (let q = j; q < Math.min(ny, j + w); q++) sbRow[q] = k;
    j += w;
  }
  artRow[ny] = 1;

  // ---- 4. communities: connected parts of superblocks; slivers merged into a neighbour; a few isolated villages
  const cellCom = new Int32Array(nx * ny).fill(-1);
  const coms: Community[] = [];
  for (const c of countyCells) {
    if (cellCom[c] >= 0) continue;
    const id = coms.length;
    const key = sbCol[ci(c)] * 100000 + sbRow[cj(c)];
    const cells: number[] = [];
    const stack = [c];
    cellCom[c] = id;
    while (stack.length) {
      const x = stack.pop()!;
      cells.push(x);
      for (const n of neighbours(x)) {
        if (cellCom[n] < 0 && sbCol[ci(n)] * 100000 + sbRow[cj(n)] === key) {
          cellCom[n] = id;
          stack.push(n);
        }
      }
    }
    cells.sort((p, q) => p - q);
    coms.push({ cells, village: false, township: -1, code: '', name: '', kind: 'community' });
  }
  for (let pass = 0; pass < 5; pass++) {
    for (let id = 0; id < coms.length; id++) {
      const cm = coms[id];
      if (cm.cells.length === 0 || cm.cells.length >= 3) continue;
      const shared = new Map<number, number>();
      for (const c of cm.cells) for (const n of neighbours(c)) if (cellCom[n] !== id) shared.set(cellCom[n], (shared.get(cellCom[n]) ?? 0) + 1);
      let best = -1, bestN = 0;
      for (const [k, n] of [...shared].sort((p, q) => p[0] - q[0])) if (n > bestN) { best = k; bestN = n; }
      if (best < 0) continue;
      for (const c of cm.cells) cellCom[c] = best;
      coms[best].cells.push(...cm.cells);
      coms[best].cells.sort((p, q) => p - q);
      cm.cells = [];
    }
  }
  const connectedWithout = (cells: number[], drop: number, com: number) => {
    const rest = cells.filter((c) => c !== drop);
    if (rest.length === 0) return false;
    const seen = new Set<number>([rest[0]]);
    const stack = [rest[0]];
    while (stack.length) {
      const x = stack.pop()!;
      for (const n of neighbours(x)) if (n !== drop && cellCom[n] === com && !seen.has(n)) { seen.add(n); stack.push(n); }
    }
    return seen.size === rest.length;
  };
  const r4 = rngFor(4);
  // exceptions scale with the town (about 2% of grids in all), so that even a small town is mostly in range
  const nVillages = H < 20_000 ? 0 : H < 200_000 ? 1 : H < 800_000 ? 2 : 3;
  const edgeCells = r4.shuffle(countyCells.filter((c) => neighbours(c).length < 4));
  const villageCell = new Uint8Array(nx * ny);
  let villagesMade = 0;
  for (const c of edgeCells) {
    if (villagesMade >= nVillages) break;
    const com = cellCom[c];
    if (coms[com].cells.length < 6 || coms[com].village) continue;
    if (neighbours(c).some((n) => villageCell[n])) continue;
    if (!connectedWithout(coms[com].cells, c, com)) continue;
    coms[com].cells = coms[com].cells.filter((x) => x !== c);
    const id = coms.length;
    coms.push({ cells: [c], village: true, township: -1, code: '', name: '', kind: 'village' });
    cellCom[c] = id;
    villageCell[c] = 1;
    villagesMade++;
  }
  // renumber communities without the emptied ones
  const liveComs = coms.filter((c) => c.cells.length > 0);
  const comIndex = new Map<Community, number>(liveComs.map((c, k) => [c, k]));
  for (const cm of liveComs) for (const c of cm.cells) cellCom[c] = comIndex.get(cm)!;

  // ---- 5. townships: 3×3 superblocks each; codes numbered north→south, west→east
  const centroid = (cells: number[]): [number, number] => {
    let su = 0, sv = 0;
    for (const c of cells) { su += ci(c) + 0.5; sv += cj(c) + 0.5; }
    return [su / cells.length, sv / cells.length];
  };
  const tsKeyOf = new Map<string, number>();
  const tsCells: number[][] = [];
  for (const cm of liveComs) {
    const [u, v] = centroid(cm.cells);
    const c = cellOf(Math.min(nx - 1, Math.floor(u)), Math.min(ny - 1, Math.floor(v)));
    const key = `${Math.floor(sbCol[ci(c)] / 3)},${Math.floor(sbRow[cj(c)] / 3)}`;
    if (!tsKeyOf.has(key)) { tsKeyOf.set(key, tsCells.length); tsCells.push([]); }
    cm.township = tsKeyOf.get(key)!;
    tsCells[cm.township].push(...cm.cells);
  }
  const orderKey = (cells: number[]) => { const [u, v] = centroid(cells); return [-Math.round(v / 2), u] as const; };
  const byPlace = (p: readonly [number, number], q: readonly [number, number]) => p[0] - q[0] || p[1] - q[1];
  const tsOrder = tsCells.map((cells, k) => ({ k, key: orderKey(cells) })).sort((p, q) => byPlace(p.key, q.key));
  const taken = new Set<string>();
  const r5 = rngFor(5);
  const townships: Array<{ code: string; name: string; kind: 'street' | 'town'; cells: number[] }> = new Array(tsCells.length);
  let nStreet = 0, nTown = 0;
  for (const { k } of tsOrder) {
    const [u, v] = centroid(tsCells[k]);
    const d = Math.hypot((u - nx / 2) / (nx / 2), (v - ny / 2) / (ny / 2));
    const kind: 'street' | 'town' = d < 0.55 || tsCells.length === 1 ? 'street' : 'town';
    const seq = kind === 'street' ? ++nStreet : 100 + ++nTown;
    townships[k] = {
      code: `${code.slice(0, 6)}${String(seq).padStart(3, '0')}000`,
      name: `${placeName(r5, taken)}${kind === 'street' ? '街道' : '镇'}`, kind, cells: tsCells[k].sort((p, q) => p - q),
    };
  }
  for (let t = 0; t < townships.length; t++) {
    const members = liveComs.filter((c) => c.township === t).map((c) => ({ c, key: orderKey(c.cells) })).sort((p, q) => byPlace(p.key, q.key));
    let nc = 0, nv = 0;
    for (const { c } of members) {
      const village = c.village || townships[t].kind === 'town';
      c.kind = village ? 'village' : 'community';
      const seq = village ? 200 + ++nv : ++nc;
      c.code = `${townships[t].code.slice(0, 9)}${String(seq).padStart(3, '0')}`;
      c.name = `${placeName(r5, taken)}${village ? '村' : '社区'}`;
    }
  }

  // ---- 6. street blocks: a few streets left out between cells of one community (oversized blocks)
  const r6 = rngFor(6);
  const parent = new Int32Array(nx * ny).map((_, k) => k);
  const find = (x: number): number => { while (parent[x] !== x) x = parent[x] = parent[parent[x]]; return x; };
  const removed = new Set<number>();
  const blockRole = new Map<number, BlockRole>();
  const nonVillage = countyCells.filter((c) => !villageCell[c]);
  const nMerge = Math.max(2, Math.round(countyCells.length * 0.035));
  const mergeCands = r6.shuffle([...nonVillage]);
  for (const c of mergeCands) {
    if (blockRole.size >= nMerge) break;
    if (find(c) !== c) continue;
    const ns = neighbours(c).filter((n) => cellCom[n] === cellCom[c] && !villageCell[n] && find(n) === n && !blockRole.has(n) && !blockRole.has(c));
    if (!ns.length || blockRole.has(c)) continue;
    const n = r6.pick(ns);
    removed.add(edgeBetween(c, n));
    parent[n] = c;
    blockRole.set(c, 'oversize');
    blockRole.set(n, 'oversize');
  }
  // blocks: union of cells joined by removed edges, numbered in cell order
  const blockOfCell = new Int32Array(nx * ny).fill(-1);
  const blocks: Block[] = [];
  for (const c of countyCells) {
    const root = find(c);
    if (blockOfCell[root] < 0) {
      blockOfCell[root] = blocks.length;
      blocks.push({ id: blocks.length, cells: [], community: cellCom[c], role: 'normal', zone: zoneOf(c), target: 0, bigTower: 0 });
    }
    blockOfCell[c] = blockOfCell[root];
    blocks[blockOfCell[c]].cells.push(c);
  }
  for (const b of blocks) {
    if (b.cells.length > 1) b.role = 'oversize';
    if (villageCell[b.cells[0]]) b.role = 'village';
  }
  const edgeExists = (key: number): boolean => {
    if (removed.has(key)) return false;
    const k = key >> 1;
    if (key % 2 === 0) {
      const i = k % nx, j = Math.floor(k / nx);
      return cellIn(i, j) || cellIn(i, j - 1);
    }
    const i = k % (nx + 1), j = Math.floor(k / (nx + 1));
    return cellIn(i, j) || cellIn(i - 1, j);
  };

  // ---- 7. river (and a railway in larger towns) in index space; cells they cross
  const r7 = rngFor(7);
  const vc = ny * r7.range(0.35, 0.6);
  const amp = Math.max(0.15, Math.min(vc - 1.2, ny - 1.2 - vc, 1.1));
  const rp = { a1: amp * 0.7, p1: r7.range(6, 10), f1: r7.range(0, 6.28), a2: amp * 0.3, p2: r7.range(2.5, 3.5), f2: r7.range(0, 6.28) };
  const fRiver = (u: number) => vc + rp.a1 * Math.sin((2 * Math.PI * u) / rp.p1 + rp.f1) + rp.a2 * Math.sin((2 * Math.PI * u) / rp.p2 + rp.f2);
  const hasRail = nx >= 9;
  const uc = nx * r7.range(0.3, 0.7);
  const gp = { b: r7.range(0.3, 0.6), q: r7.range(6, 10), psi: r7.range(0, 6.28), s: r7.range(-0.15, 0.15) };
  const gRail = (v: number) => uc + gp.b * Math.sin((2 * Math.PI * v) / gp.q + gp.psi) + gp.s * (v - ny / 2);
  const crossed = new Uint8Array(nx * ny);
  for (const c of countyCells) {
    const i = ci(c), j = cj(c);
    for (let s = 0; s <= 8; s++) {
      const vr = fRiver(i + s / 8);
      if (vr > j - 0.2 && vr < j + 1.2) crossed[c] = 1;
      if (hasRail) {
        const ur = gRail(j + s / 8);
        if (ur > i - 0.2 && ur < i + 1.2) crossed[c] = 1;
      }
    }
  }

  // ---- 8. units: whole blocks, two blocks across a street, and parts of blocks
  const r8 = rngFor(8);
  const units: Array<{ kind: TownUnit['kind']; dedicated: boolean; cells: number[]; rect?: [number, number, number, number]; com: number }> = [];
  const unitCell = new Uint8Array(nx * ny);
  const singles = r8.shuffle(blocks.filter((b) => b.role === 'normal' && b.cells.length === 1 && !crossed[b.cells[0]]).map((b) => b.cells[0]));
  let si = 0;
  const nextSingle = (ok: (c: number) => boolean = () => true): number => {
    while (si < singles.length) {
      const c = singles[si++];
      if (!unitCell[c] && ok(c)) return c;
    }
    return -1;
  };
  // about one dedicated grid (专属网格) per 90 grids: schools, hospitals, enterprises of their own
  const gridsExpected = H / 500;
  const nWhole = Math.max(3, Math.round(gridsExpected / 30));
  const wholeKinds: Array<[TownUnit['kind'], boolean]> = [['school', true], ['compound', false], ['enterprise', false], ['compound', false], ['hospital', false], ['enterprise', false]];
  // a dedicated unit takes a whole block out of the community's grids: only in large urban communities, where
  // it cannot cut a small village in two
  const roomy = (c: number) => liveComs[cellCom[c]].kind === 'community' && liveComs[cellCom[c]].cells.length >= 12;
  // any unit is a block the grids must take whole: keep them to communities with room around them
  const spacious = (c: number) => liveComs[cellCom[c]].cells.length >= 10;
  for (let k = 0; k < nWhole; k++) {
    const c = wholeKinds[k % wholeKinds.length][1] && gridsExpected >= 40 ? nextSingle(roomy) : nextSingle(spacious);
    if (c < 0) break;
    const [kind, dedicatedKind] = wholeKinds[k % wholeKinds.length];
    const dedicated = dedicatedKind && gridsExpected >= 40;
    unitCell[c] = 1;
    units.push({ kind, dedicated, cells: [c], com: cellCom[c] });
    const b = blocks[blockOfCell[c]];
    if (dedicated) {
      b.role = 'unit_fixed';
      b.target = kind === 'enterprise' ? r8.int(0, 60) : r8.int(0, 20);
    }
  }
  const nTwo = Math.max(1, Math.round(gridsExpected / 60));
  for (let k = 0; k < nTwo; k++) {
    const c = nextSingle((x) => spacious(x) && neighbours(x).some((n) => cellCom[n] === cellCom[x] && !unitCell[n] && blocks[blockOfCell[n]].role === 'normal' && blocks[blockOfCell[n]].cells.length === 1 && !crossed[n]));
    if (c < 0) break;
    const n = neighbours(c).find((m) => cellCom[m] === cellCom[c] && !unitCell[m] && blocks[blockOfCell[m]].role === 'normal' && blocks[blockOfCell[m]].cells.length === 1 && !crossed[m])!;
    unitCell[c] = unitCell[n] = 1;
    units.push({ kind: k % 2 ? 'school' : 'compound', dedicated: false, cells: [c, n].sort((p, q) => p - q), com: cellCom[c] });
    for (const x of [c, n]) {
      const b = blocks[blockOfCell[x]];
      b.role = 'unit_fixed';
      b.target = r8.int(150, 270);
    }
  }
  const nPart = Math.max(2, Math.round(gridsExpected / 30));
  for (let k = 0; k < nPart; k++) {
    const c = k % 8 === 5 ? nextSingle(roomy) : nextSingle(spacious);
    if (c < 0) break;
    unitCell[c] = 1;
    const x0 = r8.chance(0.5) ? 0.12 : 0.45, y0 = r8.chance(0.5) ? 0.12 : 0.42;
    const dedicated = k % 8 === 5 && gridsExpected >= 40;
    units.push({ kind: dedicated ? 'school' : r8.pick(['compound', 'enterprise'] as const), dedicated, cells: [c], rect: [x0, y0, x0 + 0.43, y0 + 0.46], com: cellCom[c] });
  }

  // ---- 9. household targets per block; scaled to the request; communities kept partitionable
  const r9 = rngFor(9);
  const nCore = blocks.filter((b) => b.role === 'normal' && b.zone < 0.4 && !unitCell[b.cells[0]]);
  r9.shuffle(nCore);
  const nInd = Math.round((H / 500) * 0.005);
  const nOverSingle = Math.max(1, Math.round(countyCells.length * 0.012));
  nCore.slice(0, nInd).forEach((b) => { b.role = 'indivisible'; b.bigTower = r9.int(605, 700); });
  nCore.slice(nInd, nInd + nOverSingle).forEach((b) => { b.role = 'oversize'; });
  for (const b of blocks) {
    switch (b.role) {
      case 'normal': b.target = b.zone < 0.33 ? r9.int(90, 210) : b.zone < 0.66 ? r9.int(60, 180) : r9.int(30, 120); break;
      case 'oversize': b.target = b.cells.length > 1 ? r9.int(650, 1250) : r9.int(620, 880); break;
      case 'indivisible': b.target = b.bigTower + r9.int(0, 150); break;
      case 'village': b.target = r9.int(150, 380); break;
      case 'unit_fixed': break;
    }
  }
  const scalable = (b: Block) => b.role === 'normal' || b.role === 'oversize';
  const scaleBlocks = (bs: Block[], f: number) => {
    for (const b of bs) {
      if (!scalable(b)) continue;
      b.target = Math.max(b.role === 'oversize' ? 640 : 10, Math.round(b.target * f));
    }
  };
  const sumT = (bs: Block[]) => bs.reduce((s, b) => s + b.target, 0);
  {
    const fixed = sumT(blocks.filter((b) => !scalable(b)));
    const sc = sumT(blocks.filter(scalable));
    scaleBlocks(blocks, Math.max(0.2, (H - fixed) / Math.max(1, sc)));
  }
  const blocksOfCom: Block[][] = liveComs.map(() => []);
  for (const b of blocks) blocksOfCom[b.community].push(b);
  blocksOfCom.forEach((bs, k) => {
    if (liveComs[k].village) return;
    const t = sumT(bs);
    const sc = sumT(bs.filter(scalable));
    if (sc === 0) return;
    // steer each community's total to where whole blocks split comfortably: k grids of 450–550 households
    const kg = Math.max(1, Math.round(t / 500));
    const want = Math.min(550 * kg, Math.max(450 * kg, t));
    if (want !== t) scaleBlocks(bs, Math.max(0.2, (want - (t - sc)) / sc));
  });
  {
    // exact total: ±1 on normal blocks of large communities, round robin
    // first within each community's comfortable band (k grids of 450–550), then anywhere
    const adj = r9.shuffle(blocks.filter((b) => b.role === 'normal' && sumT(blocksOfCom[b.community]) >= 1300));
    const comSum = blocksOfCom.map((bs) => sumT(bs));
    const band = comSum.map((t) => Math.max(1, Math.round(t / 500)));
    let diff = H - sumT(blocks);
    for (const strict of [true, false]) {
      for (let pass = 0; diff !== 0 && adj.length > 0 && pass < 400_000; pass++) {
        const b = adj[pass % adj.length];
        const c = b.community;
        if (diff > 0 && b.target < 470 && (!strict || comSum[c] + 1 <= 550 * band[c])) { b.target++; comSum[c]++; diff--; }
        else if (diff < 0 && b.target > 40 && (!strict || comSum[c] - 1 >= 450 * band[c])) { b.target--; comSum[c]--; diff++; }
        if (strict && pass > 4 * adj.length * 50) break;
      }
    }
  }

  // ---- 10. dead ends: cul-de-sacs, service spurs and paths into blocks; stubs of the streets left out
  const r10 = rngFor(10);
  const spurs: Array<{ kind: StreetKind; pts: LP[]; cells: number[] }> = [];
  for (const b of blocks) {
    const c = b.cells[0];
    if (b.cells.length !== 1 || crossed[c] || unitCell[c] || !r10.chance(0.14)) continue;
    const i = ci(c), j = cj(c);
    const sides = ([
      { key: lat.hKey(i, j), start: { u: i + 0.5, v: j }, dir: [0, 1] },
      { key: lat.vKey(i + 1, j), start: { u: i + 1, v: j + 0.5 }, dir: [-1, 0] },
      { key: lat.hKey(i, j + 1), start: { u: i + 0.5, v: j + 1 }, dir: [0, -1] },
      { key: lat.vKey(i, j), start: { u: i, v: j + 0.5 }, dir: [1, 0] },
    ] as Array<{ key: number; start: LP; dir: [number, number] }>).filter((s) => edgeExists(s.key));
    if (!sides.length) continue;
    const s = r10.pick(sides);
    const depth = r10.range(0.35, 0.55), bend = r10.range(-0.12, 0.12);
    const [dx, dy] = s.dir;
    const mid = { u: s.start.u + dx * depth * 0.5, v: s.start.v + dy * depth * 0.5 };
    const end = { u: s.start.u + dx * depth + dy * bend, v: s.start.v + dy * depth + dx * bend };
    spurs.push({ kind: r10.weighted([['residential', 5], ['service', 3.5], ['path', 1.5]] as const), pts: [s.start, mid, end], cells: [c] });
  }
  const nodeHasStreet = (i: number, j: number) =>
    (i < nx && edgeExists(lat.hKey(i, j))) || (i > 0 && edgeExists(lat.hKey(i - 1, j))) ||
    (j < ny && edgeExists(lat.vKey(i, j))) || (j > 0 && edgeExists(lat.vKey(i, j - 1)));
  for (const key of [...removed].sort((p, q) => p - q)) {
    if (!r10.chance(0.6)) continue;
    const k = key >> 1;
    const horizontal = key % 2 === 0;
    const i = horizontal ? k % nx : k % (nx + 1), j = horizontal ? Math.floor(k / nx) : Math.floor(k / (nx + 1));
    const fromStart = r10.chance(0.5);
    const a: LP = fromStart ? { u: i, v: j } : horizontal ? { u: i + 1, v: j } : { u: i, v: j + 1 };
    if (!nodeHasStreet(a.u, a.v)) continue;
    const len = r10.range(0.3, 0.45) * (fromStart ? 1 : -1);
    const end: LP = horizontal ? { u: a.u + len, v: j } : { u: i, v: a.v + len };
    const cells = horizontal ? [cellOf(i, j), cellOf(i, j - 1)] : [cellOf(i, j), cellOf(i - 1, j)];
    spurs.push({ kind: 'residential', pts: [a, end], cells });
  }

  // ---- 11. free lines: the river and the rail, with exact crossings inserted into both sides
  const river: LP[] = [];
  const rail: LP[] = [];
  // crossings keep clear of junctions (>= 12% of the edge) and snap onto an edge's own vertex within 5 m,
  // so no boundary gets a sub-metre segment (GEOS overlay has been seen failing on those)
  const nudge = (x: number, metres: number) => {
    const fl = Math.floor(x);
    let f = x - fl;
    f = f < 0.12 ? 0.12 : f > 0.88 ? 0.88 : f;
    for (const q of [0.25, 0.5, 0.75]) if (Math.abs(f - q) * metres < 5) return fl + q;
    return fl + f;
  };
  const addIfEdge = (key: number, p: LP) => { if (edgeExists(key)) lat.addVertex(key, p); };
  for (let s = -8; s <= nx * 8 + 8; s++) {
    const u = s / 8;
    const p: LP = { u, v: s % 8 === 0 ? nudge(fRiver(u), lat.rowH(Math.floor(fRiver(u)))) : fRiver(u) };
    const prev = river[river.length - 1];
    if (prev && Math.floor(prev.v) !== Math.floor(p.v)) {
      const jl = Math.max(Math.floor(prev.v), Math.floor(p.v));
      const u0 = prev.u + ((jl - prev.v) / (p.v - prev.v)) * (p.u - prev.u);
      const uu = nudge(u0, lat.colW(Math.floor(u0)));
      const x: LP = { u: uu, v: jl };
      river.push(x);
      if (jl >= 0 && jl <= ny && uu >= 0 && uu < nx) addIfEdge(lat.hKey(Math.floor(uu), jl), x);
    }
    river.push(p);
    if (s % 8 === 0 && u >= 0 && u <= nx && p.v >= 0 && p.v < ny) addIfEdge(lat.vKey(u, Math.floor(p.v)), p);
  }
  if (hasRail) {
    for (let s = -8; s <= ny * 8 + 8; s++) {
      const v = s / 8;
      const p: LP = { u: s % 8 === 0 ? nudge(gRail(v), lat.colW(Math.floor(gRail(v)))) : gRail(v), v };
      const prev = rail[rail.length - 1];
      if (prev && Math.floor(prev.u) !== Math.floor(p.u)) {
        const il = Math.max(Math.floor(prev.u), Math.floor(p.u));
        const v0 = prev.v + ((il - prev.u) / (p.u - prev.u)) * (p.v - prev.v);
        const vv = nudge(v0, lat.rowH(Math.floor(v0)));
        const x: LP = { u: il, v: vv };
        rail.push(x);
        if (il >= 0 && il <= nx && vv >= 0 && vv < ny) addIfEdge(lat.vKey(il, Math.floor(vv)), x);
      }
      rail.push(p);
      if (s % 8 === 0 && v >= 0 && v <= ny && p.u >= 0 && p.u < nx) addIfEdge(lat.hKey(Math.floor(p.u), v), p);
    }
    // the bridges: where river and rail cross, one shared vertex each
    for (let found = true, rounds = 0; found && rounds < 16; rounds++) {
      found = false;
      outer: for (let a = 0; a + 1 < river.length; a++) {
        for (let b = 0; b + 1 < rail.length; b++) {
          const x = segX(river[a], river[a + 1], rail[b], rail[b + 1]);
          if (x) {
            river.splice(a + 1, 0, x);
            rail.splice(b + 1, 0, x);
            found = true;
            break outer;
          }
        }
      }
    }
  }

  // ---- 12. buildings: fill each block to its target, placed on free slots inside its cells
  const r12 = rngFor(12);
  const buildings: TownBuilding[] = [];
  const comSeq = new Int32Array(liveComs.length);
  const spursByCell = new Map<number, LP[][]>();
  for (const s of spurs) for (const c of s.cells) {
    if (!spursByCell.has(c)) spursByCell.set(c, []);
    spursByCell.get(c)!.push(s.pts);
  }
  const rectByCell = new Map<number, [number, number, number, number]>();
  for (const un of units) if (un.rect) rectByCell.set(un.cells[0], un.rect);
  const cellHH = new Float64Array(nx * ny);
  for (const b of blocks) {
    const cm = liveComs[b.community];
    const ts = townships[cm.township];
    const kinds = fillBlock(r12, b, cm.village || ts.kind === 'town');
    if (kinds.length === 0) continue;
    const slots = blockSlots(r12, lat, b.cells, kinds.length, { spursByCell, rectByCell, fRiver, gRail: hasRail ? gRail : null });
    for (let k = 0; k < kinds.length && k < slots.length; k++) {
      const [kind, h] = kinds[k];
      const sc = cellOf(Math.min(nx - 1, Math.max(0, Math.floor(slots[k].u))), Math.min(ny - 1, Math.max(0, Math.floor(slots[k].v))));
      cellHH[b.cells.includes(sc) ? sc : b.cells[0]] += h;
      const seq = ++comSeq[b.community];
      const apartment = kind !== 'villa' && kind !== 'village_house';
      buildings.push({
        id: buildings.length, households: h, kind, levels: levelsOf(r12, kind, h), name: `${cm.name}${seq}${apartment ? '号楼' : '号'}`,
        address: `${countyName}${ts.name}${cm.name}${seq}号`, communityCode: cm.code, block: b.id, position: lat.lonlat(slots[k]),
      });
    }
    if (slots.length < kinds.length) {
      // not enough room (should not happen): the remaining households join the last placed building
      const extra = kinds.slice(slots.length).reduce((s, [, h]) => s + h, 0);
      buildings[buildings.length - 1].households += extra;
    }
  }

  // ---- 13. geometry out: outlines, streets, units
  const countyGeom = lat.traceCells(countyCells, (c) => inCounty[c] === 1);
  const comGeoms = liveComs.map((cm, k) => lat.traceCells(cm.cells, (c) => inCounty[c] === 1 && cellCom[c] === k));
  const tsOfCell = new Int32Array(nx * ny).fill(-1);
  for (const cm of liveComs) for (const c of cm.cells) tsOfCell[c] = cm.township;
  const hhByCom = new Array<number>(liveComs.length).fill(0);
  for (const bl of buildings) hhByCom[cellCom[blocks[bl.block].cells[0]]] += bl.households;
  const outCommunities: TownCommunity[] = liveComs.map((cm, k) => ({
    code: cm.code, name: cm.name, townshipCode: townships[cm.township].code, kind: cm.kind, households: hhByCom[k],
    geom: { type: 'MultiPolygon', coordinates: comGeoms[k] },
  }));
  const outTownships: TownTownship[] = townships.map((t, k) => ({
    code: t.code, name: t.name, kind: t.kind,
    households: liveComs.reduce((s, cm, q) => s + (cm.township === k ? hhByCom[q] : 0), 0),
    geom: { type: 'MultiPolygon', coordinates: lat.traceCells(t.cells, (c) => inCounty[c] === 1 && tsOfCell[c] === k) },
  }));
  const streets = emitStreets(rngFor(13), lat, edgeExists, artCol, artRow, taken);
  for (const s of spurs) {
    const coords = dedupe(s.pts.map((p) => lat.lonlat(p)));
    if (coords.length >= 2) streets.push({ kind: s.kind, name: s.kind === 'path' ? '' : `${liveComs[cellCom[s.cells[0]]].name}${s.kind === 'service' ? '内部道路' : '胡同'}`, coordinates: coords, deadEnd: true });
  }
  const r13 = rngFor(14);
  streets.push({ kind: 'river', name: `${placeName(r13, taken)}河`, coordinates: dedupe(river.map((p) => lat.lonlat(p))), deadEnd: false });
  if (hasRail) streets.push({ kind: 'rail', name: `${placeName(r13, taken)}铁路`, coordinates: dedupe(rail.map((p) => lat.lonlat(p))), deadEnd: false });

  const outUnits: TownUnit[] = units.map((un, k) => {
    const cm = liveComs[un.com];
    const kindNames = UNIT_KINDS[un.kind];
    const name = `${cm.name.slice(0, 2)}${kindNames[k % kindNames.length]}`;
    let ring: Position[];
    if (un.rect) {
      const i = ci(un.cells[0]), j = cj(un.cells[0]);
      const [x0, y0, x1, y1] = un.rect;
      const pts: LP[] = [];
      for (let s = 0; s < 4; s++) pts.push({ u: i + x0 + ((x1 - x0) * s) / 4, v: j + y0 });
      for (let s = 0; s < 4; s++) pts.push({ u: i + x1, v: j + y0 + ((y1 - y0) * s) / 4 });
      for (let s = 0; s < 4; s++) pts.push({ u: i + x1 - ((x1 - x0) * s) / 4, v: j + y1 });
      for (let s = 0; s < 4; s++) pts.push({ u: i + x0, v: j + y1 - ((y1 - y0) * s) / 4 });
      ring = dedupe(pts.map((p) => lat.lonlat(p)));
      ring.push(ring[0]);
    } else {
      const set = new Set(un.cells);
      ring = lat.traceCells(un.cells, (c) => set.has(c))[0][0];
    }
    return { code: `${code.slice(0, 6)}DW${String(k + 1).padStart(4, '0')}`, name, kind: un.kind, dedicated: un.dedicated, geom: { type: 'Polygon', coordinates: [ring] } };
  });

  const blockStats: TownBlockStat[] = blocks.map((b) => ({ id: b.id, cells: b.cells.length, households: 0, communityCode: liveComs[b.community].code }));
  for (const bl of buildings) blockStats[bl.block].households += bl.households;
  const total = buildings.reduce((s, b) => s + b.households, 0);

  const town: Town = {
    name: countyName, code, seed, requested: H, households: total, params: { min: 400, max: 600 }, origin: [LON0, LAT0],
    boundary: { type: 'MultiPolygon', coordinates: countyGeom },
    townships: outTownships, communities: outCommunities, streets, buildings, units: outUnits,
    hazards: [], cameras: [], tracks: [], overlays: [], blocks: blockStats,
  };
  addTownExtras(town, {
    lattice: lat, rng: (phase) => rngFor(100 + phase), edgeExists, cellIn, river,
    cellCommunity: (i, j) => (cellIn(i, j) ? cellCom[cellOf(i, j)] : -1),
    cellHouseholds: (i, j) => (cellIn(i, j) ? cellHH[cellOf(i, j)] : 0),
    cellBlock: (i, j) => (cellIn(i, j) ? blockOfCell[cellOf(i, j)] : -1),
  });
  return town;
}

function segX(a: LP, b: LP, c: LP, d: LP): LP | null {
  const r = [b.u - a.u, b.v - a.v], s = [d.u - c.u, d.v - c.v];
  const den = r[0] * s[1] - r[1] * s[0];
  if (Math.abs(den) < 1e-12) return null;
  const t = ((c.u - a.u) * s[1] - (c.v - a.v) * s[0]) / den;
  const q = ((c.u - a.u) * r[1] - (c.v - a.v) * r[0]) / den;
  if (t <= 1e-9 || t >= 1 - 1e-9 || q <= 1e-9 || q >= 1 - 1e-9) return null;
  return { u: a.u + t * r[0], v: a.v + t * r[1] };
}

/** Buildings (kind, households) of one block summing exactly to its target. */
function fillBlock(rng: Rng, b: Block, rural: boolean): Array<[BuildingKind, number]> {
  const out: Array<[BuildingKind, number]> = [];
  let rem = b.target;
  if (b.bigTower > 0) {
    out.push(['tower', b.bigTower]);
    rem -= b.bigTower;
  }
  const z = b.zone;
  const weights: ReadonlyArray<readonly [BuildingKind, number]> = b.role === 'village'
    ? [['village_house', 1]]
    : z < 0.33 ? [['tower', 45], ['midrise', 40], ['walkup', 15]]
      : z < 0.66 ? [['tower', 8], ['midrise', 30], ['walkup', 62]]
        : rural ? [['walkup', 20], ['villa', 25], ['village_house', 55]] : [['walkup', 45], ['villa', 40], ['midrise', 15]];
  while (rem > 0) {
    const kind = rng.weighted(weights);
    const [lo, hi] = BUILDING_RANGES[kind];
    let h = Math.min(rem, rng.int(lo, hi));
    if (rem - h > 0 && rem - h < 5 && kind !== 'villa' && kind !== 'village_house') h = rem;
    rem -= h;
    out.push([relabel(kind, h), h]);
  }
  return out;
}

function relabel(kind: BuildingKind, h: number): BuildingKind {
  if (kind === 'villa' || kind === 'village_house') return kind;
  if (h <= 4) return 'villa';
  if (h < 60) return 'walkup';
  if (h < 150) return 'midrise';
  return 'tower';
}

function levelsOf(rng: Rng, kind: BuildingKind, h: number): number {
  switch (kind) {
    case 'villa': return rng.int(2, 3);
    case 'village_house': return rng.int(1, 2);
    case 'walkup': return rng.int(4, 6);
    case 'midrise': return rng.int(9, 18);
    case 'tower': return Math.min(54, Math.max(18, Math.round(h / 8)));
  }
}

interface SlotContext {
  spursByCell: Map<number, LP[][]>;
  rectByCell: Map<number, [number, number, number, number]>;
  fRiver: (u: number) => number;
  gRail: ((v: number) => number) | null;
}

/** `n` building positions inside the cells of a block, clear of its edges, spurs, river, rail and unit outlines. */
function blockSlots(rng: Rng, lat: Lattice, cells: number[], n: number, ctx: SlotContext): LP[] {
  const nx = lat.nx;
  let area = 0;
  for (const c of cells) area += (lat.colW(c % nx) - 36) * (lat.rowH(Math.floor(c / nx)) - 36);
  let spacing = Math.max(3, Math.sqrt(area / (n * 1.8)));
  for (let attempt = 0; attempt < 8; attempt++, spacing *= 0.75) {
    const slots: LP[] = [];
    for (const c of cells) {
      const i = c % nx, j = Math.floor(c / nx);
      const W = lat.colW(i), Hh = lat.rowH(j);
      const m = 18;
      const na = Math.max(1, Math.floor((W - 2 * m) / spacing)), nbb = Math.max(1, Math.floor((Hh - 2 * m) / spacing));
      const sx = (W - 2 * m) / na, sy = (Hh - 2 * m) / nbb;
      const sp = ctx.spursByCell.get(c) ?? [];
      const rect = ctx.rectByCell.get(c);
      for (let a = 0; a < na; a++) for (let q = 0; q < nbb; q++) {
        const x = m + (a + 0.5 + rng.range(-0.25, 0.25)) * sx, y = m + (q + 0.5 + rng.range(-0.25, 0.25)) * sy;
        const u = i + x / W, v = j + y / Hh;
        if (Math.abs(v - ctx.fRiver(u)) * Hh < 30) continue;
        if (ctx.gRail && Math.abs(u - ctx.gRail(v)) * W < 30) continue;
        if (rect) {
          const fx = x / W, fy = y / Hh;
          const dIn = Math.min(Math.abs(fx - rect[0]) * W, Math.abs(fx - rect[2]) * W, Math.abs(fy - rect[1]) * Hh, Math.abs(fy - rect[3]) * Hh);
          if (dIn < 6) continue;
        }
        let nearSpur = false;
        for (const pts of sp) {
          for (let k = 0; k + 1 < pts.length && !nearSpur; k++) {
            if (segDistM(u, v, pts[k], pts[k + 1], W, Hh) < 14) nearSpur = true;
          }
        }
        if (nearSpur) continue;
        slots.push({ u, v });
      }
    }
    if (slots.length >= n) return rng.shuffle(slots).slice(0, n);
  }
  return [];
}

function segDistM(u: number, v: number, a: LP, b: LP, W: number, H: number): number {
  const px = u * W, py = v * H, ax = a.u * W, ay = a.v * H, bx = b.u * W, by = b.v * H;
  const dx = bx - ax, dy = by - ay;
  const L = dx * dx + dy * dy;
  const t = L === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / L));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Street features: each lattice line cut into runs of existing edges (at most 8 edges per feature). */
function emitStreets(rng: Rng, lat: Lattice, edgeExists: (key: number) => boolean, artCol: Uint8Array, artRow: Uint8Array, taken: Set<string>): TownStreet[] {
  const out: TownStreet[] = [];
  const { nx, ny } = lat;
  let artK = 0;
  const lineKind = (art: boolean, idx: number): StreetKind => {
    if (art) return artK++ % 2 === 0 ? 'primary' : 'secondary';
    return idx % 2 === 0 ? 'tertiary' : 'residential';
  };
  const emitLine = (keys: number[], kind: StreetKind, name: string) => {
    let run: Position[] = [];
    let n = 0;
    const flush = () => {
      if (run.length >= 2) out.push({ kind, name, coordinates: dedupe(run), deadEnd: false });
      run = [];
      n = 0;
    };
    for (const key of keys) {
      if (!edgeExists(key)) { flush(); continue; }
      const c = lat.edgeCoords(key);
      for (let k = run.length === 0 ? 0 : 1; k < c.length; k++) run.push(c[k]);
      if (++n >= 8) {
        const last = run[run.length - 1];
        flush();
        run = [last];
      }
    }
    flush();
  };
  for (let j = 0; j <= ny; j++) {
    const kind = lineKind(artRow[j] === 1, j);
    const name = `${placeName(rng, taken)}${rng.pick(STREET_SUFFIX[kind])}`;
    const keys: number[] = [];
    for (let i = 0; i < nx; i++) keys.push(lat.hKey(i, j));
    emitLine(keys, kind, name);
  }
  for (let i = 0; i <= nx; i++) {
    const kind = lineKind(artCol[i] === 1, i);
    const name = `${placeName(rng, taken)}${rng.pick(STREET_SUFFIX[kind])}`;
    const keys: number[] = [];
    for (let j = 0; j < ny; j++) keys.push(lat.vKey(i, j));
    emitLine(keys, kind, name);
  }
  return out;
}

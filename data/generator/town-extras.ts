/**
 * The layers of a generated town beyond the partition problem: hazards (points and a few polygons),
 * cameras, grid workers' patrol tracks for three days walking along the streets, and three departmental
 * overlay layers (党建 party building, 综治 security, 经济 economic) drawn the way departments draw them:
 * roughly grid-sized freehand zones that overlap each other, leave gaps and cut across streets.
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

  // ---- patrol tracks: each worker walks the streets from a home junction on three days
  const rt = ctx.rng(3);
  const nWorkers = Math.max(3, Math.min(60, Math.round(H / 5000)));
  for (let w = 0; w < nWorkers && streetNodes.length; w++) {
    const male = rt.chance(0.45);
    const worker = personName(rt, male);
    const phone = makePhone(rt);
    const home = rt.pick(streetNodes);
    for (const day of PATROL_DAYS) {
      const duration = rt.range(5400, 10800), speed = rt.range(1.0, 1.4);
      let node = home;
      let cameFrom = -1;
      const coords: Position[] = [jiggle(rt, lat, lat.lonlat({ u: node[0], v: node[1] }))];
      const times = [0];
      let t = 0;
      let prevExact = lat.lonlat({ u: node[0], v: node[1] });
      while (t < duration && coords.length < 3000) {
        let opts = nodeEdges(node[0], node[1]);
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
      const hh = 8 + rt.int(0, 1), mm = rt.int(0, 59);
      town.tracks.push({
        worker, phone, day, startedAt: `${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`,
        times, coordinates: dedupe(coords).length === coords.length ? coords : coords.map((p, k) => (k > 0 && p[0] === coords[k - 1][0] && p[1] === coords[k - 1][1] ? lat.offset(p, 0.05, 0) : p)),
      });
    }
  }

  // ---- overlay layers: rotated jittered lattices of overlapping freehand zones, some left out (gaps)
  const layers: Array<[OverlayLayerName, string, string, string]> = [
    ['party_building', '党建网格', '街道党工委组织办', 'DJ'],
    ['security', '综治网格', '综治中心', 'ZZ'],
    ['economic', '经济网格', '经济发展办公室', 'JJ'],
  ];
  layers.forEach(([layer, title, department, prefix], li) => {
    const ro = ctx.rng(10 + li);
    const theta = ro.range(-0.5, 0.5), sp = ro.range(1.3, 1.7);
    const ox = ro.range(0, sp), oy = ro.range(0, sp);
    const K = Math.ceil(Math.max(nx, ny) / sp) + 2;
    const ov: TownOverlay = { layer, title, department, zones: [] };
    for (let l = K; l >= -K; l--) {
      for (let k = -K; k <= K; k++) {
        const a = k * sp + ox, b = l * sp + oy;
        const cu = nx / 2 + a * Math.cos(theta) - b * Math.sin(theta);
        const cv = ny / 2 + a * Math.sin(theta) + b * Math.cos(theta);
        if (cu < 0 || cv < 0 || !ctx.cellIn(Math.floor(cu), Math.floor(cv))) continue;
        if (ro.chance(0.1)) continue;
        const m = 14;
        const pts: LP[] = [];
        const f = ro.int(2, 4), ph = ro.range(0, 6.28);
        for (let q = 0; q < m; q++) {
          const ang = theta + (2 * Math.PI * (q + ro.range(-0.25, 0.25))) / m;
          const r = 0.62 * sp * (1 + 0.15 * Math.sin(q * f * ((2 * Math.PI) / m) + ph) + ro.range(-0.07, 0.07));
          pts.push({ u: cu + r * Math.cos(ang), v: cv + r * Math.sin(ang) });
        }
        const ring = dedupe(pts.map((p) => lat.lonlat(p)));
        ring.push(ring[0]);
        const seq = ov.zones.length + 1;
        ov.zones.push({
          code: `${prefix}${town.code.slice(0, 6)}${String(seq).padStart(4, '0')}`, name: `${title}第${seq}号`,
          person: personName(ro, ro.chance(0.5)), phone: makePhone(ro), geom: { type: 'Polygon', coordinates: [ring] },
        });
      }
    }
    town.overlays.push(ov);
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

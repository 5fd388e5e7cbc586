/**
 * `generateWorld(seed, { kind?, households? })`: one random test world (a partition problem in the shape of
 * ../shared/FORMAT.md), fully determined by the seed. Drawn from the seed unless given: the kind (among the
 * synthetic ones), the household total (log-uniform 3,000-80,000), then everything else — place, outline,
 * street pattern, land use and density mix (world-recipes.ts), units (units.ts), indivisible towers (35% of
 * the worlds with towers: 1-3 points of 601-1,500 households), points outside the jurisdiction, the frame
 * that bends the town (frame.ts; 25% of towns are plain, their boundary a lon/lat rectangle) and the
 * communities (communities.ts). Each phase has its own RNG stream (`hashSeed(seed, phase, kind)`), so a
 * change in one phase does not reshuffle the others.
 *
 * Design space: everything is laid out in metres on a local plane (x east, y north, the jurisdiction being the
 * rectangle [-a, a] × [-b, b], streets running on past it into a margin) and only then carried to lon/lat.
 */
import { Rng, hashSeed } from '../rng.ts';
import { finishWorld } from './finish-world.ts';
import { Frame, buildFrame, drawShape, frameLines, isPlain, rectangleRing, type ShapeParams } from './frame.ts';
import { ConvexSampler, RectIndex, type SegIndex, clipToRect, logUniform, ringArea } from './geometry.ts';
import { generateRealWorld } from './generate-real.ts';
import {
  BLOCK_POINTS, PointBuf, blockTypes, fillHamlets, fillSpots, okSpot, placeDeficit, planHamlets, splitProportional,
  type BlockType, type Hamlet, type PlaceCtx,
} from './households.ts';
import { specialLines } from './street-lines.ts';
import { fillUnits, planUnits, type UnitPlan } from './units.ts';
import { addDuplicates, drawIdentity, followOffsets, indexStreets, placeOutside, streetFeatures } from './world-common.ts';
import { drawRecipe, type Recipe } from './world-recipes.ts';
import {
  SYNTHETIC_KINDS, WORLD_KINDS, type DBlock, type DStreet, type Position, type Rect, type StreetKind, type StreetPlan, type World, type WorldKind, type WorldOptions,
} from './world-types.ts';

export const MIN_WORLD_HOUSEHOLDS = 100;
export const MAX_WORLD_HOUSEHOLDS = 3_000_000;

/** Generate one world. Pure: the same seed and options always give the same world. */
export function generateWorld(seed: number, opts: WorldOptions = {}): World {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const r0 = new Rng(hashSeed(seed, 0));
  const drawnKind = r0.pick(SYNTHETIC_KINDS);
  const drawnHouseholds = Math.round(logUniform(r0, 3000, 80_000));
  const kind = opts.kind ?? drawnKind;
  if (!WORLD_KINDS.includes(kind)) throw new RangeError(`unknown world kind ${kind}; one of ${WORLD_KINDS.join(', ')}`);
  const H = opts.households ?? drawnHouseholds;
  if (!Number.isInteger(H) || H < MIN_WORLD_HOUSEHOLDS || H > MAX_WORLD_HOUSEHOLDS) {
    throw new RangeError(`households must be an integer from ${MIN_WORLD_HOUSEHOLDS} to ${MAX_WORLD_HOUSEHOLDS}, got ${H}`);
  }
  return kind === 'real-streets' ? generateRealWorld(seed, H) : generateSynthetic(seed, kind, H);
}

/** Area-weighted random spot inside the given convex samplers (or anywhere in `inner` when there are none). */
function spotSampler(rng: Rng, samplers: (ConvexSampler | null)[], inner: Rect): () => [number, number] {
  const idx: number[] = [], cum: number[] = [];
  let s = 0;
  samplers.forEach((sm, i) => {
    if (!sm) return;
    s += sm.area;
    idx.push(i);
    cum.push(s);
  });
  return () => {
    if (s <= 0) return [rng.range(inner.x0, inner.x1), rng.range(inner.y0, inner.y1)];
    const r = rng.next() * s;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (cum[m] < r) lo = m + 1;
      else hi = m;
    }
    return samplers[idx[lo]]!.sample(rng);
  };
}

interface Land {
  types: BlockType[];
  samplers: (ConvexSampler | null)[];
  caps: number[];
  fieldSamplers: (ConvexSampler | null)[];
  fieldCap: number;
}

/** Block types, clipped samplers and household capacities (households at the drawn densities). */
function landUse(rng: Rng, recipe: Recipe, blocks: DBlock[], inner: Rect): Land {
  const types = blockTypes(rng, blocks, recipe.zoneMixes, recipe.pEmpty, recipe.district);
  const samplers: (ConvexSampler | null)[] = [], fieldSamplers: (ConvexSampler | null)[] = [], caps: number[] = [];
  let fieldArea = 0;
  blocks.forEach((bl, i) => {
    const ring = clipToRect(bl.ring, inner);
    const sm = ring.length >= 6 && Math.abs(ringArea(ring)) > 1 ? new ConvexSampler(ring) : null;
    const isField = bl.zone === 'field';
    samplers.push(!isField && types[i] !== 'empty' ? sm : null);
    fieldSamplers.push(isField ? sm : null);
    if (isField && sm) fieldArea += sm.area;
    const t = types[i];
    caps.push(t === 'empty' || !sm || isField ? 0 : (sm.area / 1e6) * recipe.densities[t] * Math.exp(0.45 * rng.normal()));
  });
  return { types, samplers, caps, fieldSamplers, fieldCap: (fieldArea / 1e6) * recipe.fieldDensity };
}

/** Place 1-3 indivisible towers (601-1,500 households) in residential blocks; returns their ids and what did not fit. */
function placeBigTowers(rng: Rng, ctx: PlaceCtx, spot: () => [number, number], H: number, enabled: boolean): { ids: number[]; planned: number; left: number } {
  if (!enabled || H < 5000 || !rng.chance(0.35)) return { ids: [], planned: 0, left: 0 };
  const ids: number[] = [];
  let planned = 0, left = 0;
  for (let k = rng.int(1, 3); k > 0; k--) {
    const hh = Math.round(logUniform(rng, 601, 1500));
    if (planned + hh > 0.2 * H) break;
    planned += hh;
    let done = false;
    for (let t = 0; t < 300 && !done; t++) {
      const [x, y] = spot();
      if (okSpot(ctx, x, y)) {
        ids.push(ctx.pts.push(x, y, hh));
        done = true;
      }
    }
    if (!done) left += hh;
  }
  return { ids, planned, left };
}

/** Streets whose middle vertex lies in the field zone (the roads hamlets sit beside). */
function fieldRoads(streets: DStreet[], zoneAt: Recipe['zoneAt']): DStreet[] {
  return streets.filter((s) => {
    const m = 2 * Math.floor(s.pts.length / 4);
    return !s.deadEnd && zoneAt(s.pts[m], s.pts[m + 1]) === 'field';
  });
}

/** Everything drawn before the households: the place, the recipe, streets, land use, hamlets, the street index. */
interface TownPlan {
  R: (phase: number) => Rng;
  id: ReturnType<typeof drawIdentity>;
  recipe: Recipe;
  H: number;
  dom: Rect;
  inner: Rect;
  plan: StreetPlan;
  land: Land;
  hamlets: Hamlet[];
  lanes: DStreet[];
  streets: DStreet[];
  index: SegIndex;
  kinds: StreetKind[];
}

function planTown(seed: number, kind: WorldKind, H: number): TownPlan {
  const R = (phase: number) => new Rng(hashSeed(seed, phase, WORLD_KINDS.indexOf(kind)));
  const id = drawIdentity(R(1), kind);
  const recipe = drawRecipe(kind, R(2), H);
  const { a, b } = recipe;
  const A = a + recipe.margin, B = b + recipe.margin;
  const dom: Rect = { x0: -A, y0: -B, x1: A, y1: B }, inner: Rect = { x0: -a + 2, y0: -b + 2, x1: a - 2, y1: b - 2 };
  const plan = recipe.streets(R(3), dom, id.names);
  const specials = specialLines(R(4), A, B, recipe.specials, id.names);
  // land use, then hamlets (their lanes are streets, so they come before the street index)
  const rUse = R(5);
  const land = landUse(rUse, recipe, plan.blocks, inner);
  const capBlocks = land.caps.reduce((p, q) => p + q, 0);
  const fieldShare = land.fieldCap > 0 ? land.fieldCap / (land.fieldCap + capBlocks) : 0;
  const fieldSpot = spotSampler(rUse, land.fieldSamplers, inner);
  const inField = (x: number, y: number) => x > inner.x0 && x < inner.x1 && y > inner.y0 && y < inner.y1 && recipe.zoneAt(x, y) === 'field';
  const sampleField = (): [number, number] | null => {
    const p = fieldSpot();
    return inField(p[0], p[1]) ? p : null;
  };
  const { hamlets, lanes } = fieldShare > 0
    ? planHamlets(R(6), H * fieldShare, fieldRoads(plan.streets, recipe.zoneAt), sampleField, inField)
    : { hamlets: [], lanes: [] };
  const streets = [...plan.streets, ...specials, ...lanes];
  const { index, kinds } = indexStreets(streets, recipe.clearance, dom);
  return { R, id, recipe, H, dom, inner, plan, land, hamlets, lanes, streets, index, kinds };
}

/** Units, then households: unit residents, indivisible towers, blocks, hamlets, whatever did not fit, outside points. */
function populate(t: TownPlan): { pts: PointBuf; outsideFrom: number; units: UnitPlan[] | null; bigIds: number[] } {
  const { R, land, inner, index, H } = t;
  const rUnits = R(7);
  const withUnits = !rUnits.chance(0.1);
  const hasCity = land.samplers.some((s) => s);
  const spot = spotSampler(rUnits, hasCity ? land.samplers : land.fieldSamplers, inner);
  const up = withUnits ? planUnits(rUnits, H, index, t.kinds, inner, spot) : { units: [], rects: new RectIndex(200) };
  const rPts = R(8);
  const pts = new PointBuf();
  const ctx: PlaceCtx = { rng: rPts, index, units: up.rects, inner, pts };
  let deficit = fillUnits(rPts, up.units, index, pts);
  const unitTarget = up.units.reduce((s, u) => s + u.target, 0);
  const big = placeBigTowers(rPts, ctx, spotSampler(rPts, land.samplers, inner), H, t.recipe.bigTowers && hasCity);
  deficit += big.left;
  const quotas = splitProportional([...land.caps, land.fieldCap], H - unitTarget - big.planned);
  land.samplers.forEach((sm, i) => {
    const q = quotas[i];
    if (q <= 0) return;
    if (!sm) deficit += q;
    else deficit += fillSpots(ctx, q, BLOCK_POINTS[land.types[i] as Exclude<BlockType, 'empty'>], () => sm.sample(rPts), (x, y) => okSpot(ctx, x, y));
  });
  deficit += fillHamlets(ctx, t.hamlets, quotas[quotas.length - 1]);
  if (deficit > 0 && t.hamlets.length) deficit = fillHamlets(ctx, t.hamlets, deficit);
  placeDeficit(ctx, deficit, land.samplers, land.types, new Set(big.ids));
  const outsideFrom = pts.x.length;
  const outsideMix = hasCity ? [['walkup', 0.3], ['address', 0.4], ['villa', 0.3]] as const : [['house', 1]] as const;
  placeOutside(R(9), ctx, t.dom, t.recipe.a, t.recipe.b, outsideMix, outsideFrom);
  return { pts, outsideFrom, units: withUnits && up.units.length ? up.units : null, bigIds: big.ids };
}

/** The frame that bends the town onto the ground, with lines 1-30 m beside some streets. */
function frameOf(t: TownPlan): { frame: Frame; shape: ShapeParams; step: number; fs: number; boundaryRing?: Position[] } {
  const { recipe, dom } = t;
  const { a, b } = recipe;
  const rFrame = t.R(10);
  const [fx, fy] = followOffsets(rFrame, t.plan.followLines, recipe.follow);
  const fs = Math.min(600, Math.max(25, Math.sqrt((4 * a * b) / 20_000)));
  const xs = frameLines(rFrame, dom.x0, dom.x1, [-a, a], fx, fs, 5), ys = frameLines(rFrame, dom.y0, dom.y1, [-b, b], fy, fs, 5);
  const shape = drawShape(rFrame, a, b, recipe.slope);
  const { frame, twist } = buildFrame(xs, ys, shape, t.id.lon0, t.id.lat0);
  const boundaryRing = isPlain(shape) ? rectangleRing(frame, xs.indexOf(-a), xs.indexOf(a), ys.indexOf(-b), ys.indexOf(b), undefined, 400) : undefined;
  // densify so that a straight design segment stays within ~0.1 m of its bilinear image
  const step = Math.min(200, Math.max(5, Math.sqrt(0.8 / Math.max(twist, 1e-12))));
  return { frame, shape, step, fs, boundaryRing };
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

function generateSynthetic(seed: number, kind: WorldKind, H: number): World {
  const t = planTown(seed, kind, H);
  const { recipe, plan, land } = t;
  const { pts, outsideFrom, units, bigIds } = populate(t);
  const { frame, shape, step, fs, boundaryRing } = frameOf(t);
  const features = streetFeatures(t.streets, (x, y) => frame.toLonLat(x, y), step);
  const duplicates = addDuplicates(t.R(11), features);
  return finishWorld({
    seed, kind, name: t.id.name, code: t.id.code, a: recipe.a, b: recipe.b, frame, step, boundaryRing,
    rotationDeg: Math.round(((shape.rotation * 180) / Math.PI) * 10) / 10,
    outlineIrregularity: r3(shape.damp * shape.harmonics.reduce((s, h) => s + Math.abs(h.c), 0)),
    warp: r3(shape.damp * shape.waves.reduce((s, w) => s + Math.hypot(w.ax, w.ay) * Math.hypot(w.kx, w.ky), 0)),
    streets: features,
    streetStats: { gaps: plan.gaps, duplicates, deadEnds: plan.deadEnds + t.lanes.length, missingSegments: plan.missingSegments },
    pts, outsideFrom, indivisible: bigIds, units,
    villageAt: (x, y) => recipe.zoneAt(x, y) === 'field',
    densityMix: Object.fromEntries(Object.entries(recipe.zoneMixes).flatMap(([z, m]) => Object.entries(m ?? {}).map(([k, w]) => [`${z}.${k}`, w]))),
    params: {
      ...recipe.params, pEmpty: r3(recipe.pEmpty), hamlets: t.hamlets.length, frameSpacing: Math.round(fs), densifyStep: Math.round(step),
      ...Object.fromEntries(Object.entries(recipe.densities).map(([k, v]) => [`density.${k}`, v])),
    },
    blocks: plan.blocks.length,
    emptyBlocks: land.types.filter((ty, i) => ty === 'empty' && plan.blocks[i].zone !== 'field').length,
  }, t.R(12));
}

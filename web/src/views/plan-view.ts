/**
 * /plan/:id — the planner's editor. The plan's grids coloured distinctly with household-count labels,
 * out-of-range grids outlined red; click a block (Shift adds) to move it to a neighbouring grid, split the
 * selection into a new grid or merge two grids. Each edit is applied locally first (live recount and
 * validation, plan-state.ts), then sent with If-Match; the server's answer is the truth (a 412 reloads the
 * plan and says so). Undo/redo replay inverse edits. A new partition runs as a job followed over SSE;
 * two versions compare with their moved blocks drawn; publish; export GeoJSON, GeoPackage, zipped Shapefile and KML (server files).
 */
import type { PickingInfo } from '@deck.gl/core';
import type { FeatureCollection } from 'geojson';
import {
  ApiError, copyPlanToDraft, fetchDiff, fetchFile, fetchPlan, fetchPlanGeoJson, fetchPlans, postEdit, publishPlan, startPartition, watchJob,
  type PlanDiff, type PlanInfo,
} from '../api-client.ts';
import { createDeckMap, type DeckMap } from '../deck-map.ts';
import { button, el, saveBlob } from '../dom.ts';
import { formatCount, t } from '../i18n.ts';
import { GridsDeckLayer } from '../../layers/grids-deck-layer.ts';
import { BlocksDeckLayer } from '../../layers/blocks-deck-layer.ts';
import { boundsOf, gridData } from '../../layers/grid-features.ts';
import {
  applyEdit, blockAdjacency, inverseEdit, neighbourGrids, neighbourGridsOfGrid, planStateFrom, validatePlan, withServerCounts,
  type PlanEdit, type PlanState,
} from '../../layers/plan-state.ts';
import { header, loadFailed, pickJurisdiction } from './common.ts';
import type { Unmount, ViewContext } from './view.ts';

interface Done { edit: PlanEdit; inverse: PlanEdit[] }

export function mountPlanView(ctx: ViewContext): Unmount {
  const planId = Number(ctx.params.id);
  const mapEl = el('div', 'view-map');
  const panel = el('aside', 'side-panel plan-panel');
  ctx.root.replaceChildren(mapEl, panel);
  ctx.root.className = 'view view-plan';

  let jcode = '';
  let plan: PlanInfo | null = null;
  let plans: PlanInfo[] = [];
  let grids: FeatureCollection = { type: 'FeatureCollection', features: [] };
  let blocks: FeatureCollection = { type: 'FeatureCollection', features: [] };
  let adjacency = new Map<number, number[]>();
  let state: PlanState | null = null;
  let selected = new Set<number>();
  let diff: PlanDiff | null = null;
  let busy = false;
  let message: { text: string; kind: string } | null = null;
  let job: { percent: number; phase: string; done: boolean; planId?: number; error?: string } | null = null;
  const undo: Done[] = [];
  const redo: Done[] = [];
  let view: DeckMap | null = null;
  let stopJob: () => void = () => undefined;
  let alive = true;

  const range = () => ({ min: Number(plan?.params.min ?? 400), max: Number(plan?.params.max ?? 600) });

  async function reload(): Promise<void> {
    const [p, g, b, all] = await Promise.all([fetchPlan(jcode, planId), fetchPlanGeoJson(jcode, planId, 'grids'), fetchPlanGeoJson(jcode, planId, 'blocks'), fetchPlans(jcode)]);
    const firstLoad = blocks.features.length === 0;
    plan = p;
    grids = g;
    blocks = b;
    plans = all;
    if (firstLoad) adjacency = blockAdjacency(blocks); // block outlines never change, only their grid
    const { min, max } = range();
    state = planStateFrom(blocks, grids, min, max);
    selected = new Set([...selected].filter((id) => state!.blocks.has(id)));
  }

  function drawMap(): void {
    if (!view || !state) return;
    const s = state;
    const { min, max } = range();
    // live counts: the grids' outlines are the server's, their counts the state's (local until it answers)
    const counted: FeatureCollection = {
      ...grids,
      features: grids.features.filter((f) => s.grids.has(String(f.properties?.code)))
        .map((f) => ({ ...f, properties: { ...f.properties, households: s.grids.get(String(f.properties?.code))!.households } })),
    };
    const data = gridData(counted, { min, max });
    const sel = [...selected].map((id) => s.blocks.get(id)?.grid).find(Boolean) ?? null;
    view.setLayers([
      new GridsDeckLayer({ id: 'grids', data, part: 'fills', pickable: false, selected: sel }),
      new BlocksDeckLayer({ id: 'blocks', data: blocks, selected, moved: diff?.movedBlocks ?? null }),
      new GridsDeckLayer({ id: 'grid-labels', data, part: 'labels', labelSize: 15 }),
    ]);
  }

  function render(): void {
    if (!alive) return;
    drawMap();
    panel.replaceChildren();
    panel.append(header(ctx, `${t('view.plan')} · ${plan?.name ?? ''}`));
    if (!plan || !state) return;
    const s = state;
    const { min, max } = range();
    const v = validatePlan(s, adjacency);
    const meta = el('p', 'plan-meta', `#${plan.id} · ${t(`plan.status.${plan.status}` as 'plan.status.draft')} · ${t('plan.version')} ${plan.version} · ${t('plan.range')} ${min}–${max}`);
    const badge = el('div', `badge ${v.ok ? 'badge-ok' : 'badge-bad'}`, v.ok ? t('plan.valid') : `${v.issues.length} ${t('plan.issues')}`);
    badge.id = 'plan-badge';
    badge.dataset.issues = String(v.issues.length);
    badge.title = v.issues.map((i) => i.message).join('\n');
    panel.append(meta, badge);
    if (message) {
      const m = el('p', `message message-${message.kind}`, message.text);
      m.id = 'plan-msg';
      panel.append(m);
    }
    const editable = plan.status === 'draft';

    // ---- edit tools
    const tools = el('section', 'plan-tools');
    if (!editable) {
      tools.append(el('p', 'hint', t('plan.readOnly')), button(t('plan.copyDraft'), () => void copyDraft(), 'btn btn-primary copy-draft'));
    } else {
      tools.append(el('p', 'hint', t('plan.hint')));
      const ids = [...selected];
      if (ids.length) {
        const hh = ids.reduce((n, id) => n + (s.blocks.get(id)?.households ?? 0), 0);
        const from = s.blocks.get(ids[0])?.grid ?? '';
        const selection = el('p', 'selection', `${t('plan.block')} ${ids.join(', ')} · ${formatCount(hh)} ${t('households')} · ${t('grid')} ${from}`);
        selection.dataset.blocks = ids.join(',');
        selection.dataset.grid = from;
        tools.append(selection);
        const targets = [...new Set(ids.flatMap((id) => neighbourGrids(s, adjacency, id)))].filter((g) => g !== from).sort();
        tools.append(el('h3', undefined, t('plan.moveTo')));
        const row = el('div', 'btn-row');
        if (targets.length === 0) row.append(el('span', 'hint', t('plan.noNeighbour')));
        for (const g of targets) {
          const b = button(`${g.slice(-3)} (${formatCount(s.grids.get(g)?.households ?? 0)} → ${formatCount((s.grids.get(g)?.households ?? 0) + hh)})`,
            () => void runEdit({ op: 'move', blocks: ids, to: g }), 'btn move-to');
          b.dataset.grid = g;
          b.disabled = busy;
          row.append(b);
        }
        tools.append(row);
        const sameGrid = ids.every((id) => s.blocks.get(id)?.grid === from);
        const split = button(t('plan.split'), () => void runEdit({ op: 'split', grid: from, blocks: ids }), 'btn split');
        split.disabled = busy || !sameGrid || ids.length >= (s.grids.get(from)?.blocks ?? 0);
        tools.append(split);
        const mergeRow = el('div', 'btn-row');
        mergeRow.append(el('span', 'hint', `${t('plan.mergeWith')}:`));
        for (const g of neighbourGridsOfGrid(s, adjacency, from)) {
          const b = button(g.slice(-3), () => void runEdit({ op: 'merge', grids: [from, g] }), 'btn merge');
          b.dataset.grid = g;
          b.disabled = busy;
          mergeRow.append(b);
        }
        tools.append(mergeRow);
      }
      const ur = el('div', 'btn-row');
      const u = button(`↶ ${t('plan.undo')}`, () => void doUndo(), 'btn undo');
      u.disabled = busy || undo.length === 0;
      const r = button(`↷ ${t('plan.redo')}`, () => void doRedo(), 'btn redo');
      r.disabled = busy || redo.length === 0;
      const pub = button(t('plan.publish'), () => void doPublish(), 'btn btn-primary publish');
      pub.disabled = busy;
      ur.append(u, r, pub);
      tools.append(ur);
    }
    panel.append(tools);

    // ---- partition job
    const part = el('details', 'plan-partition');
    part.append(el('summary', undefined, t('plan.partition')));
    const form = el('form', 'partition-form');
    const num = (name: string, label: string, value: number) => {
      const l = el('label', undefined, label);
      const i = el('input');
      i.type = 'number';
      i.name = name;
      i.value = String(value);
      l.append(i);
      return l;
    };
    form.append(num('min', t('plan.min'), min), num('max', t('plan.max'), max), num('seed', t('plan.seed'), Number(plan.params.seed ?? 1) + 1),
      button(t('plan.run'), () => form.requestSubmit(), 'btn run-partition'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const f = new FormData(form);
      void runPartition(Number(f.get('min')), Number(f.get('max')), Number(f.get('seed')));
    });
    part.append(form);
    if (job) {
      part.open = true;
      const bar = el('progress');
      bar.id = 'job-progress';
      bar.max = 100;
      bar.value = job.percent;
      part.append(bar, el('span', 'hint', ` ${job.phase} ${Math.round(job.percent)}%`));
      if (job.error) part.append(el('p', 'message message-error', job.error));
      if (job.done && job.planId) {
        const a = el('a', 'job-done', `${t('plan.jobDone')} #${job.planId}`);
        a.href = `/plan/${job.planId}?jcode=${jcode}`;
        a.addEventListener('click', (e) => { e.preventDefault(); ctx.navigate(a.pathname + a.search); });
        part.append(a);
      }
    }
    panel.append(part);

    // ---- compare
    const cmp = el('section', 'plan-compare');
    cmp.append(el('h3', undefined, t('plan.compare')));
    const sel = el('select');
    sel.className = 'compare-select';
    sel.append(new Option(t('plan.compareNone'), ''));
    for (const p of plans) if (p.id !== planId) sel.append(new Option(`#${p.id} ${p.name} (${t(`plan.status.${p.status}` as 'plan.status.draft')})`, String(p.id), false, diff?.from === p.id));
    sel.addEventListener('change', () => void compare(sel.value ? Number(sel.value) : null));
    cmp.append(sel);
    if (diff) cmp.append(el('p', 'diff-summary', `${t('plan.moved')}: ${diff.blocks.moved} / ${diff.blocks.total} · ${t('plan.movedHh')}: ${formatCount(diff.households.moved)}`));
    panel.append(cmp);

    // ---- export
    const ex = el('div', 'btn-row plan-export');
    ex.append(el('span', 'hint', `${t('plan.export')}:`));
    // server-side files of the stored plan (every edit is saved before it shows): GET …/export.{format}, fetched
    // with the login (a draft's exports need one) and saved from a Blob; the link stays for a published plan's URL
    for (const [label, ext, cls] of [['GeoJSON', 'geojson', 'geojson'], ['GeoPackage', 'gpkg', 'gpkg'], ['Shapefile', 'shp.zip', 'shp'], ['KML', 'kml', 'kml']]) {
      const a = el('a', `btn export-${cls}`, label);
      a.href = `/api/jurisdictions/${encodeURIComponent(jcode)}/plans/${planId}/export.${ext}`;
      a.download = `plan-${planId}.${ext}`;
      a.addEventListener('click', (e) => { e.preventDefault(); void exportFile(a.href, a.download); });
      ex.append(a);
    }
    panel.append(ex);

    // ---- grids list (live counts)
    panel.append(el('h3', undefined, `${t('plan.grids')} (${s.grids.size})`));
    const table = el('table', 'grid-table');
    const issuesOf = new Map<string, string[]>();
    for (const i of v.issues) issuesOf.set(i.grid, [...(issuesOf.get(i.grid) ?? []), i.kind === 'split' ? t('plan.notContiguous') : t('plan.outOfRange')]);
    for (const g of [...s.grids.values()].sort((a, b) => a.code.localeCompare(b.code))) {
      const tr = el('tr');
      tr.dataset.grid = g.code;
      if (issuesOf.has(g.code)) tr.className = 'bad';
      const hh = el('td', 'hh', String(g.households));
      tr.append(el('td', 'code', g.code), hh, el('td', 'issue', (issuesOf.get(g.code) ?? []).join(' · ')));
      table.append(tr);
    }
    panel.append(table);
  }

  async function guarded(fn: () => Promise<void>): Promise<void> {
    busy = true;
    render();
    try {
      await fn();
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        await reload().catch(() => undefined);
        message = { text: t('plan.stale'), kind: 'warn' };
      } else {
        await reload().catch(() => undefined);
        message = { text: `${t('plan.failed')}: ${(e as Error).message}`, kind: 'error' };
      }
    } finally {
      busy = false;
      render();
    }
  }

  /** Apply locally (live recount), send, take the server's answer; returns the inverse edits. */
  async function send(edit: PlanEdit): Promise<PlanEdit[]> {
    const before = state!;
    state = applyEdit(before, edit);
    message = { text: t('plan.saving'), kind: 'info' };
    render();
    const res = await postEdit(jcode, planId, plan!.version, edit);
    state = withServerCounts(state, res.changed, res.removed);
    plan = { ...plan!, version: res.version };
    render();
    await reload();
    message = { text: t('plan.saved'), kind: 'ok' };
    return inverseEdit(before, edit, res.created);
  }

  const runEdit = (edit: PlanEdit) => guarded(async () => {
    const inverse = await send(edit);
    undo.push({ edit, inverse });
    redo.length = 0;
    selected = new Set(edit.op === 'move' ? edit.blocks : []);
  });

  const doUndo = () => guarded(async () => {
    const d = undo.pop();
    if (!d) return;
    for (const e of d.inverse) await send(e);
    redo.push(d);
  });

  const doRedo = () => guarded(async () => {
    const d = redo.pop();
    if (!d) return;
    const inverse = await send(d.edit);
    undo.push({ edit: d.edit, inverse });
  });

  const doPublish = () => guarded(async () => {
    await publishPlan(jcode, planId, plan!.version);
    await reload();
    message = { text: t('plan.published'), kind: 'ok' };
  });

  const copyDraft = () => guarded(async () => {
    const copy = await copyPlanToDraft(jcode, planId);
    ctx.navigate(`/plan/${copy.id}?jcode=${jcode}`);
  });

  async function exportFile(url: string, name: string): Promise<void> {
    try {
      saveBlob(name, await fetchFile(url));
    } catch (e) {
      message = { text: `${t('plan.export')}: ${t('plan.failed')}: ${(e as Error).message}`, kind: 'error' };
      render();
    }
  }

  async function compare(against: number | null): Promise<void> {
    diff = against === null ? null : await fetchDiff(jcode, planId, against);
    render();
  }

  async function runPartition(min: number, max: number, seed: number): Promise<void> {
    try {
      const j = await startPartition(jcode, { min, max, seed });
      job = { percent: j.percent ?? 0, phase: j.phase ?? '', done: false };
      render();
      stopJob();
      stopJob = watchJob(j.id, (jv, done) => {
        job = { percent: jv.percent ?? 0, phase: jv.phase ?? jv.status, done, planId: jv.result?.planId, error: jv.error?.detail };
        if (done) void fetchPlans(jcode).then((p) => { plans = p; render(); });
        else render();
      });
    } catch (e) {
      job = { percent: 0, phase: '', done: true, error: (e as Error).message };
      render();
    }
  }

  function onClick(info: PickingInfo, event?: { srcEvent?: { shiftKey?: boolean } }): void {
    if (!state || plan?.status !== 'draft' || busy) return;
    const f = info.object as { properties?: { id?: number } } | undefined;
    const id = info.layer?.id.startsWith('blocks') && f ? Number(f.properties?.id) : null;
    const shift = Boolean(event?.srcEvent?.shiftKey ?? (info as unknown as { srcEvent?: { shiftKey?: boolean } }).srcEvent?.shiftKey);
    if (id === null) selected = new Set();
    else if (shift) selected = new Set(selected.has(id) ? [...selected].filter((x) => x !== id) : [...selected, id]);
    else selected = new Set([id]);
    message = null;
    render();
  }

  void (async () => {
    ctx.setState('loading');
    render();
    try {
      const j = await pickJurisdiction(ctx.query);
      if (!j) { ctx.setState('empty'); panel.append(el('p', 'message', t('noJurisdiction'))); return; }
      jcode = j.jcode;
      await reload();
      if (!alive) return;
      view = createDeckMap(mapEl, { bounds: grids.features.length ? boundsOf(grids) : j.bbox, padding: { top: 30, bottom: 30, left: 30, right: 400 }, onClick: onClick as (i: PickingInfo) => void });
      render();
      await view.firstIdle;
      ctx.setState('ready');
    } catch (e) {
      loadFailed(ctx, panel, e);
    }
  })();

  return () => {
    alive = false;
    stopJob();
    view?.destroy();
  };
}

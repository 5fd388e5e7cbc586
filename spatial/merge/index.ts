// 多网合一: merging departmental overlay layers into comprehensive grids.
export { mergeOverlays, type MergeOptions, type MergeResult, type OverlayLayerInput, type CrosswalkRow, type RosterRow, type ConflictFeature, type MergeAttribution, type ZoneLoss, type GridOutOfRange } from './merge-overlays.ts';
export { crosswalkCsv, rosterCsv } from './merge-csv.ts';

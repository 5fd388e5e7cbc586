// The partition engine's public face.
export { partitionJurisdiction, type PartitionOptions, type PartitionSummary } from './partition-jurisdiction.ts';
export { publishPlan } from './publish-plan.ts';
export { planFeatureCollection, type GridFeature } from './plan-geojson.ts';

// Repair of grid layers: the public face.
export { repair, type RepairChange, type RepairResult } from './repair-layer.ts';
export { REPAIR_DEFAULTS, resolveRepairOptions, type RepairOptions } from './repair-options.ts';

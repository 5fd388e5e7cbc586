/** The app's map layers, bottom to top: the order in which they are drawn and listed. */
import type { MapLayerDef } from './layer-def.ts';
import { gridsLayer } from './grids-layer.ts';
import { unitsLayer } from './units-layer.ts';
import { communitiesLayer } from './communities-layer.ts';
import { streetsLayer } from './streets-layer.ts';
import { boundaryLayer } from './boundary-layer.ts';
import { hazardsLayer } from './hazards-layer.ts';
import { addressPointsLayer } from './address-points-layer.ts';
import { camerasLayer } from './cameras-layer.ts';

export const MAP_LAYERS: readonly MapLayerDef[] = [
  gridsLayer, unitsLayer, streetsLayer, communitiesLayer, boundaryLayer, hazardsLayer, addressPointsLayer, camerasLayer,
];

export type { MapLayerDef } from './layer-def.ts';

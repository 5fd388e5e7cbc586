/**
 * The blocks of a plan (what the editor moves) as a deck.gl composite layer: thin outlines, clickable;
 * selected blocks filled bright; blocks moved between two plan versions (diff) filled orange with a thick
 * outline.
 *
 * Props:
 * - `data`: the plan's blocks FeatureCollection (properties id, grid, households)
 * - `selected`: ids of selected blocks
 * - `moved`: moved blocks FeatureCollection from the plan diff (properties id, from, to), or null
 */
import { CompositeLayer, type DefaultProps, type Layer } from '@deck.gl/core';
import { GeoJsonLayer } from '@deck.gl/layers';
import type { Feature, FeatureCollection } from 'geojson';

export interface BlocksDeckLayerProps {
  data: FeatureCollection;
  selected?: ReadonlySet<number>;
  moved?: FeatureCollection | null;
}

const defaultProps: DefaultProps<BlocksDeckLayerProps> = {
  data: { type: 'object', value: { type: 'FeatureCollection', features: [] } },
  selected: { type: 'object', value: new Set<number>() },
  moved: null,
};

const blockId = (f: Feature) => Number(f.properties?.id ?? f.id);

export class BlocksDeckLayer extends CompositeLayer<BlocksDeckLayerProps> {
  static override layerName = 'BlocksDeckLayer';
  static override defaultProps = defaultProps;

  renderLayers(): Layer[] {
    const selected = this.props.selected ?? new Set<number>();
    const layers: Layer[] = [
      new GeoJsonLayer(this.getSubLayerProps({
        id: 'blocks',
        data: this.props.data,
        pickable: true,
        stroked: true,
        filled: true,
        getFillColor: (f: Feature) => (selected.has(blockId(f)) ? [255, 214, 0, 200] : [0, 0, 0, 0]),
        getLineColor: (f: Feature) => (selected.has(blockId(f)) ? [33, 33, 33, 255] : [96, 125, 139, 140]),
        getLineWidth: (f: Feature) => (selected.has(blockId(f)) ? 3 : 0.75),
        lineWidthUnits: 'pixels',
        autoHighlight: true,
        highlightColor: [255, 255, 255, 90],
        updateTriggers: { getFillColor: [selected], getLineColor: [selected], getLineWidth: [selected] },
      })),
    ];
    if (this.props.moved) {
      layers.push(new GeoJsonLayer(this.getSubLayerProps({
        id: 'moved',
        data: this.props.moved,
        pickable: false,
        stroked: true,
        filled: true,
        getFillColor: [255, 112, 67, 150],
        getLineColor: [191, 54, 12, 255],
        getLineWidth: 3,
        lineWidthUnits: 'pixels',
      })));
    }
    return layers;
  }
}

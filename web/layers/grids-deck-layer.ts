/**
 * The grids of a plan as one deck.gl composite layer: fills (distinct or by a measure), outlines, grids out
 * of the households range outlined thick red, and a label per grid (its household count) drawn with a
 * local CJK font by deck.gl's TextLayer (no glyph server).
 *
 * Props:
 * - `data`: GridDatum[] from grid-features.ts `gridData` (colour, anchor, label, outOfRange prepared there)
 * - `selected`: code of a grid drawn with a white outline
 * - `labelSize`: label size in px (default 14); `showLabels` (default true)
 * - `dark`: light labels and outlines for a dark background
 * - `part`: 'fills' | 'labels' | 'all' (so clickable layers can sit between the fills and the labels)
 */
import { CompositeLayer, type DefaultProps, type Layer, type UpdateParameters } from '@deck.gl/core';
import { GeoJsonLayer, TextLayer } from '@deck.gl/layers';
import type { Feature } from 'geojson';
import type { GridDatum } from './grid-features.ts';
import { CJK_FONT_FAMILY } from './deck-fonts.ts';

export interface GridsDeckLayerProps {
  data: GridDatum[];
  selected?: string | null;
  labelSize?: number;
  showLabels?: boolean;
  dark?: boolean;
  pickable?: boolean;
  /** draw only the fills and outlines, only the labels, or both (default) */
  part?: 'all' | 'fills' | 'labels';
}

type GridFeature = Feature & { properties: GridDatum };

const defaultProps: DefaultProps<GridsDeckLayerProps> = {
  data: { type: 'array', value: [] },
  selected: null,
  labelSize: 14,
  showLabels: true,
  dark: false,
  pickable: true,
  part: 'all',
};

export class GridsDeckLayer extends CompositeLayer<GridsDeckLayerProps> {
  static override layerName = 'GridsDeckLayer';
  static override defaultProps = defaultProps;
  declare state: { features: GridFeature[] };

  override updateState({ props, oldProps }: UpdateParameters<this>): void {
    if (props.data !== oldProps.data) {
      this.setState({ features: props.data.map((d) => ({ ...d.polygon, properties: d })) });
    }
  }

  renderLayers(): Layer[] {
    const { dark, selected, labelSize, showLabels, pickable, part } = this.props;
    const line = dark ? [220, 230, 240, 200] : [55, 71, 79, 220];
    const layers: Layer[] = part === 'labels' ? [] : [
      new GeoJsonLayer(this.getSubLayerProps({
        id: 'fill',
        data: this.state.features,
        pickable,
        stroked: true,
        filled: true,
        getFillColor: (f: GridFeature) => f.properties.fill,
        getLineColor: (f: GridFeature) => (f.properties.code === selected ? (dark ? [255, 255, 255, 255] : [21, 101, 192, 255]) : line),
        getLineWidth: (f: GridFeature) => (f.properties.code === selected ? 4 : 1.5),
        lineWidthUnits: 'pixels',
        updateTriggers: { getLineColor: [selected, dark], getLineWidth: [selected] },
      })),
      new GeoJsonLayer(this.getSubLayerProps({
        id: 'out-of-range',
        data: this.state.features.filter((f) => f.properties.outOfRange),
        pickable: false,
        stroked: true,
        filled: false,
        getLineColor: [211, 47, 47, 255],
        getLineWidth: 4,
        lineWidthUnits: 'pixels',
      })),
    ];
    if (showLabels && part !== 'fills') {
      layers.push(new TextLayer(this.getSubLayerProps({
        id: 'labels',
        data: this.props.data,
        pickable: false,
        getPosition: (d: GridDatum) => d.anchor as [number, number],
        getText: (d: GridDatum) => d.label,
        getSize: labelSize,
        getColor: (d: GridDatum) => (d.outOfRange ? [183, 28, 28, 255] : dark ? [255, 255, 255, 255] : [33, 33, 33, 255]),
        fontFamily: CJK_FONT_FAMILY,
        fontWeight: 600,
        characterSet: 'auto',
        outlineWidth: 3,
        outlineColor: dark ? [0, 0, 0, 220] : [255, 255, 255, 230],
        fontSettings: { sdf: true, fontSize: 64, buffer: 6 },
        billboard: true,
        updateTriggers: { getColor: [dark] },
      })));
    }
    return layers;
  }
}

/**
 * The grids of a plan as one deck.gl composite layer: fills (distinct or by a measure), outlines, grids out
 * of the households range outlined thick red, and a label per grid (its household count) drawn with a
 * local CJK font by deck.gl's TextLayer (no glyph server).
 *
 * Props:
 * - `data`: GridDatum[] from grid-features.ts `gridData` (colour, anchor, label, outOfRange prepared there)
 * - `selected`: code of a grid drawn with a white outline
 * - `labelSize`: label size in px (default 14); `showLabels` (default true)
 * - `labelSizeStops`: label size by zoom instead, [zoom, px] pairs (grid-features.ts `sizeAtZoom`); sizes
 *   should grow slower than the map (less than twice per zoom level) for `thinLabels` to hold
 * - `dark`: light labels and outlines for a dark background (labels bold with a wide dark halo)
 * - `part`: 'fills' | 'labels' | 'all' (so clickable layers can sit between the fills and the labels)
 * - `thinLabels`: draw only labels that do not overlap another at the current zoom (grid-features.ts
 *   `thinLabels`, `labelGap` px around each, default an eighth of the label size); default false, every
 *   label. Labels are thinned and sized again when the zoom crosses a quarter step, for the zoom rounded
 *   down: a choice made for a zoom holds at any higher one, so labels never overlap while the map zooms
 */
import { CompositeLayer, type DefaultProps, type Layer, type UpdateParameters } from '@deck.gl/core';
import { GeoJsonLayer, TextLayer } from '@deck.gl/layers';
import type { Feature } from 'geojson';
import { sizeAtZoom, thinLabels, type GridDatum } from './grid-features.ts';
import { CJK_FONT_FAMILY } from './deck-fonts.ts';

export interface GridsDeckLayerProps {
  data: GridDatum[];
  selected?: string | null;
  labelSize?: number;
  /** label size by zoom: [zoom, px] pairs ascending by zoom (overrides labelSize) */
  labelSizeStops?: Array<[number, number]> | null;
  showLabels?: boolean;
  dark?: boolean;
  pickable?: boolean;
  /** draw only the fills and outlines, only the labels, or both (default) */
  part?: 'all' | 'fills' | 'labels';
  /** draw only labels that do not overlap another (default false) */
  thinLabels?: boolean;
  /** px around each label when thinning (default labelSize / 8) */
  labelGap?: number | null;
}

type GridFeature = Feature & { properties: GridDatum };

/** the zoom labels are sized and thinned for: rounded down to a quarter step (labels kept at a zoom hold at any higher one) */
const labelZoom = (zoom: number) => Math.floor(zoom * 4) / 4;

const defaultProps: DefaultProps<GridsDeckLayerProps> = {
  data: { type: 'array', value: [] },
  selected: null,
  labelSize: 14,
  labelSizeStops: null,
  showLabels: true,
  dark: false,
  pickable: true,
  part: 'all',
  thinLabels: false,
  labelGap: null,
};

export class GridsDeckLayer extends CompositeLayer<GridsDeckLayerProps> {
  static override layerName = 'GridsDeckLayer';
  static override defaultProps = defaultProps;
  declare state: { features: GridFeature[]; labels: GridDatum[]; labelPx: number; labelZoom: number };

  override shouldUpdateState({ changeFlags }: UpdateParameters<this>): boolean {
    const followsZoom = Boolean(this.props.thinLabels || this.props.labelSizeStops);
    return changeFlags.propsOrDataChanged || (followsZoom && Boolean(changeFlags.viewportChanged) && labelZoom(this.context.viewport.zoom) !== this.state.labelZoom);
  }

  override updateState({ props, oldProps, changeFlags }: UpdateParameters<this>): void {
    if (props.data !== oldProps.data) {
      this.setState({ features: props.data.map((d) => ({ ...d.polygon, properties: d })) });
    }
    const zoom = labelZoom(this.context.viewport.zoom);
    if (!changeFlags.propsOrDataChanged && zoom === this.state.labelZoom) return;
    const px = props.labelSizeStops ? sizeAtZoom(zoom, props.labelSizeStops) : props.labelSize ?? 14;
    const labels = props.thinLabels ? thinLabels(props.data, zoom, { size: px, gap: props.labelGap ?? undefined }).map((i) => props.data[i]) : props.data;
    this.setState({ labels, labelPx: px, labelZoom: zoom });
  }

  renderLayers(): Layer[] {
    const { dark, selected, showLabels, pickable, part } = this.props;
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
        data: this.state.labels,
        pickable: false,
        getPosition: (d: GridDatum) => d.anchor as [number, number],
        getText: (d: GridDatum) => d.label,
        getSize: this.state.labelPx,
        getColor: (d: GridDatum) => (d.outOfRange ? [183, 28, 28, 255] : dark ? [255, 255, 255, 255] : [33, 33, 33, 255]),
        fontFamily: CJK_FONT_FAMILY,
        // on a dark wall: bold, with a halo of about 3 px at 36 px (outline in font-atlas px of 64-px glyphs, which
        // the atlas's buffer around each glyph must hold) so the numbers read on every fill colour from afar
        fontWeight: dark ? 700 : 600,
        characterSet: 'auto',
        outlineWidth: dark ? 7 : 3,
        outlineColor: dark ? [0, 0, 0, 235] : [255, 255, 255, 230],
        fontSettings: { sdf: true, fontSize: 64, buffer: dark ? 10 : 6 },
        billboard: true,
        updateTriggers: { getColor: [dark] },
      })));
    }
    return layers;
  }
}

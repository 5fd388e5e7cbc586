/**
 * Events by light (三灯) as a deck.gl composite layer: a dot per open event in the shared palette's green,
 * yellow or red (layer-def.ts), red dots larger and ringed so that they are seen first; an optional selected event
 * ringed in white. Data from `eventPoints` (event-points.ts), which puts red last so it is drawn on top.
 *
 * Props:
 * - `data`: EventPoint[]
 * - `radius`: px of a green dot (default 5); yellow 1.2 times, red 1.5 times, the red ring 2.6 times
 * - `dark`: the map is dark (the selection ringed in white, default false)
 * - `selected`: id of the event to ring, or null
 * - `hotspots`: H3 cells of places with repeated events, outlined under the dots (default none)
 * - `pickable`: default false (picked objects are EventPoints)
 */
import { CompositeLayer, type DefaultProps, type Layer, type UpdateParameters } from '@deck.gl/core';
import { ScatterplotLayer } from '@deck.gl/layers';
import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { lightColour, type EventPoint, type Light } from './event-points.ts';
import { LAYER_COLOURS, rgbOf } from './layer-def.ts';

export interface EventsDeckLayerProps {
  data: EventPoint[];
  radius?: number;
  dark?: boolean;
  selected?: number | null;
  hotspots?: Array<{ h3: string }>;
  pickable?: boolean;
}

const defaultProps: DefaultProps<EventsDeckLayerProps> = {
  data: { type: 'array', value: [] },
  radius: 5,
  dark: false,
  selected: null,
  hotspots: { type: 'array', value: [] },
  pickable: false,
};

const SIZE: Record<Light, number> = { green: 1, yellow: 1.2, red: 1.5 };

export class EventsDeckLayer extends CompositeLayer<EventsDeckLayerProps> {
  static override layerName = 'EventsDeckLayer';
  static override defaultProps = defaultProps;
  declare state: { red: EventPoint[]; selected: EventPoint[] };

  override updateState({ props, oldProps }: UpdateParameters<this>): void {
    // the sub-layers' data change only with the points or the selection, so deck uploads nothing more
    if (props.data !== oldProps.data || props.selected !== oldProps.selected) {
      this.setState({
        red: props.data.filter((p) => p.light === 'red'),
        selected: props.selected === null || props.selected === undefined ? [] : props.data.filter((p) => p.id === props.selected),
      });
    }
  }

  /** circles of `radius` px around `data` (the red events' halo, the selection) */
  ring(id: string, data: EventPoint[], radius: number, line: [number, number, number, number], width: number, fill?: [number, number, number, number]): Layer {
    return new ScatterplotLayer<EventPoint>(this.getSubLayerProps({
      id, data, getPosition: (p: EventPoint) => p.position, getRadius: radius, radiusUnits: 'pixels',
      stroked: true, filled: fill !== undefined, getFillColor: fill ?? [0, 0, 0, 0], getLineColor: line, getLineWidth: width, lineWidthUnits: 'pixels', pickable: false,
    }));
  }

  renderLayers(): Layer[] {
    const r = this.props.radius ?? 5;
    // white on both: it parts a dot from the grids' colours on a light map and on a wall's dark one alike
    const outline: [number, number, number, number] = this.props.dark ? [255, 255, 255, 230] : [255, 255, 255, 255];
    const { red, selected } = this.state;
    const hot = rgbOf(LAYER_COLOURS.eventHotspot);
    return [
      new H3HexagonLayer<{ h3: string }>(this.getSubLayerProps({
        id: 'hotspots', data: this.props.hotspots ?? [], getHexagon: (d: { h3: string }) => d.h3, highPrecision: true, extruded: false,
        stroked: true, filled: true, getFillColor: [...hot, 40], getLineColor: [...hot, 230], getLineWidth: 2, lineWidthUnits: 'pixels', pickable: false,
      })),
      this.ring('red-rings', red, r * 2.6, lightColour('red', 200), Math.max(1, r / 3), lightColour('red', 50)),
      new ScatterplotLayer<EventPoint>(this.getSubLayerProps({
        id: 'dots',
        data: this.props.data,
        getPosition: (p: EventPoint) => p.position,
        getRadius: (p: EventPoint) => r * SIZE[p.light],
        radiusUnits: 'pixels',
        stroked: true,
        filled: true,
        getFillColor: (p: EventPoint) => lightColour(p.light),
        getLineColor: outline,
        getLineWidth: Math.max(1, r / 4),
        lineWidthUnits: 'pixels',
        pickable: this.props.pickable,
        updateTriggers: { getRadius: [r] },
      })),
      this.ring('selected', selected, r * 2.4, this.props.dark ? [255, 255, 255, 255] : [20, 20, 20, 255], Math.max(2, r / 2)),
    ];
  }
}

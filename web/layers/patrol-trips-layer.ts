/**
 * Patrol tracks animated with deck.gl's TripsLayer: a glowing head with a fading trail moving along each
 * track at `currentTime` (seconds of the day, see patrol-trips.ts), over a faint line of the whole track.
 *
 * Props:
 * - `data`: Trip[] from `tripsFrom`
 * - `currentTime`: seconds of the day shown (the caller animates it)
 * - `trailLength`: seconds of trail (default 900); `width` px (default 4); `showPaths` faint full tracks
 * - `colour`: RGB of the trail
 * - `part`: 'all' (default), 'paths' (the faint full tracks only) or 'trips' (the moving trails only), so a
 *   wall can draw the still paths once and redraw only the trails each frame
 */
import { CompositeLayer, type DefaultProps, type Layer } from '@deck.gl/core';
import { PathLayer } from '@deck.gl/layers';
import { TripsLayer } from '@deck.gl/geo-layers';
import type { Trip } from './patrol-trips.ts';

export interface PatrolTripsLayerProps {
  data: Trip[];
  currentTime: number;
  trailLength?: number;
  width?: number;
  showPaths?: boolean;
  colour?: [number, number, number];
  part?: 'all' | 'paths' | 'trips';
}

const defaultProps: DefaultProps<PatrolTripsLayerProps> = {
  data: { type: 'array', value: [] },
  currentTime: 0,
  trailLength: 900,
  width: 4,
  showPaths: true,
  colour: [0, 229, 255],
  part: 'all',
};

export class PatrolTripsLayer extends CompositeLayer<PatrolTripsLayerProps> {
  static override layerName = 'PatrolTripsLayer';
  static override defaultProps = defaultProps;

  renderLayers(): Layer[] {
    const colour = this.props.colour ?? [0, 229, 255];
    const { part } = this.props;
    const layers: Layer[] = [];
    if (this.props.showPaths && part !== 'trips') {
      layers.push(new PathLayer<Trip>(this.getSubLayerProps({
        id: 'paths',
        data: this.props.data,
        getPath: (d: Trip) => d.path as [number, number][],
        getColor: [...colour, 70],
        getWidth: Math.max(1, (this.props.width ?? 4) / 2),
        widthUnits: 'pixels',
        pickable: false,
      })));
    }
    if (part === 'paths') return layers;
    layers.push(new TripsLayer<Trip>(this.getSubLayerProps({
      id: 'trips',
      data: this.props.data,
      getPath: (d: Trip) => d.path as [number, number][],
      getTimestamps: (d: Trip) => d.timestamps,
      getColor: colour,
      getWidth: this.props.width,
      widthUnits: 'pixels',
      capRounded: true,
      jointRounded: true,
      fadeTrail: true,
      trailLength: this.props.trailLength,
      currentTime: this.props.currentTime,
      pickable: false,
    })));
    return layers;
  }
}

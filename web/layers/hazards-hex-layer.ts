/**
 * Hazards as an H3 hexagon heat layer (deck.gl H3HexagonLayer over h3-js cells): each cell coloured by the
 * weight of the open hazards in it (see hazard-hexes.ts), optionally extruded.
 *
 * Props:
 * - `data`: HexBin[] from `hexBins`
 * - `extruded`: draw cells as columns (default false); `elevationScale` metres per weight unit (default 20)
 * - `exactCells`: each cell's own outline, tessellated once (default false: one hexagon shape repeated,
 *   which deck's H3HexagonLayer works out again whenever the map moves to another cell; exact cells keep
 *   a still map still)
 */
import { CompositeLayer, type DefaultProps, type Layer, type UpdateParameters } from '@deck.gl/core';
import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { heatColour, type HexBin } from './hazard-hexes.ts';

export interface HazardsHexLayerProps {
  data: HexBin[];
  extruded?: boolean;
  elevationScale?: number;
  exactCells?: boolean;
}

const defaultProps: DefaultProps<HazardsHexLayerProps> = {
  data: { type: 'array', value: [] },
  extruded: false,
  elevationScale: 20,
  exactCells: false,
};

export class HazardsHexLayer extends CompositeLayer<HazardsHexLayerProps> {
  static override layerName = 'HazardsHexLayer';
  static override defaultProps = defaultProps;
  declare state: { maxWeight: number };

  override updateState({ props, oldProps }: UpdateParameters<this>): void {
    if (props.data !== oldProps.data) this.setState({ maxWeight: props.data.reduce((m, b) => Math.max(m, b.weight), 0) });
  }

  renderLayers(): Layer[] {
    const { maxWeight } = this.state;
    return [new H3HexagonLayer<HexBin>(this.getSubLayerProps({
      id: 'hexes',
      data: this.props.data,
      getHexagon: (d: HexBin) => d.hex,
      getFillColor: (d: HexBin) => heatColour(d.weight, maxWeight),
      getElevation: (d: HexBin) => d.weight,
      extruded: this.props.extruded,
      elevationScale: this.props.elevationScale,
      stroked: false,
      highPrecision: this.props.exactCells ? true : 'auto',
      pickable: false,
      updateTriggers: { getFillColor: [maxWeight] },
    }))];
  }
}

/** The web app's only door to the service: typed fetches of the API; errors carry the problem detail. */
import type { FeatureCollection } from 'geojson';
import type { ApiLayerName } from '../layers/layer-def.ts';

export interface JurisdictionNode {
  jcode: string;
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  households: number | null;
  bbox: [number, number, number, number];
  children: JurisdictionNode[];
}

export interface LayerCollection extends FeatureCollection {
  numberReturned: number;
  truncated: boolean;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json, application/geo+json' } });
  if (!res.ok) {
    let code = 'http';
    let detail = `${res.status} ${res.statusText}`;
    try {
      const p = await res.json();
      code = p.code ?? code;
      detail = p.detail ?? detail;
    } catch {
      // not a problem+json body
    }
    throw new ApiError(res.status, code, `${url}: ${detail}`);
  }
  return (await res.json()) as T;
}

export async function fetchJurisdictions(signal?: AbortSignal): Promise<JurisdictionNode[]> {
  return (await getJson<{ jurisdictions: JurisdictionNode[] }>('/api/jurisdictions', signal)).jurisdictions;
}

export function fetchLayer(layer: ApiLayerName, jcode: string, signal?: AbortSignal): Promise<LayerCollection> {
  return getJson<LayerCollection>(`/api/layers/${layer}.geojson?jcode=${encodeURIComponent(jcode)}`, signal);
}

/**
 * Local metric CRS: the UTM zone (EPSG:326xx north / 327xx south) of a longitude/latitude. Wangge stores
 * EPSG:4326 and measures in this CRS.
 *
 * @example utmSrid(116.3, 39.99) // 32650
 */
export function utmSrid(lon: number, lat: number): number {
  const zone = Math.min(60, Math.max(1, Math.floor((lon + 180) / 6) + 1));
  return (lat >= 0 ? 32600 : 32700) + zone;
}

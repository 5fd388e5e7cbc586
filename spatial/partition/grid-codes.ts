/**
 * Grid codes: the community's code followed by a sequence numbered in reading order — rows from north to
 * south, west to east within a row — three digits (more only when a community has over 999 grids).
 * Rows are bands as tall as a typical grid of the community, so the order follows the map, not noise.
 *
 * @example assignCodes([{ community: '110108001001', cx: 0, cy: 0, area: 1e4 }], new Map()) // ['110108001001001']
 */
export interface Codable {
  community: string;
  cx: number;
  cy: number;
  area: number;
}

export function assignCodes(groups: Codable[], communityTop: Map<string, number>): string[] {
  const byCom = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = byCom.get(g.community) ?? [];
    list.push(i);
    byCom.set(g.community, list);
  });
  const codes = new Array<string>(groups.length);
  for (const [com, list] of byCom) {
    const areas = list.map((i) => groups[i].area).sort((a, b) => a - b);
    const band = Math.max(1, Math.sqrt(areas[Math.floor(areas.length / 2)]));
    const top = communityTop.get(com) ?? Math.max(...list.map((i) => groups[i].cy));
    const row = (i: number) => Math.floor((top - groups[i].cy) / band);
    list.sort((a, b) => row(a) - row(b) || groups[a].cx - groups[b].cx || groups[b].cy - groups[a].cy || a - b);
    const width = Math.max(3, String(list.length).length);
    list.forEach((gi, k) => { codes[gi] = `${com}${String(k + 1).padStart(width, '0')}`; });
  }
  return codes;
}

/** Chinese labels of the roster's codes, for the .xlsx and the printed list (the web app has its own i18n files). */
export const REASON_ZH: Record<string, string> = {
  elderly: '高龄', child: '幼儿', elderly_alone: '独居老人', disabled: '残疾', wheelchair: '轮椅', bedridden: '卧床', oxygen: '吸氧',
  dialysis: '透析', pregnant: '孕妇',
};
export const STATUS_ZH: Record<string, string> = { moved: '已转移', refused: '拒绝转移', not_found: '未找到', moved_elsewhere: '自行转移' };
export const KIND_ZH: Record<string, string> = { typhoon: '台风', flood: '洪涝', landslide: '地质灾害', fire: '火灾', chemical: '危化品' };
export const LEVEL_ZH: Record<string, string> = { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' };

export const reasonsZh = (reasons: string[]): string => reasons.map((r) => REASON_ZH[r] ?? r).join('、');

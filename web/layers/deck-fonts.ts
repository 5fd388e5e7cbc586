/** The local font stack for deck.gl text: CJK-capable system fonts only (nothing is fetched). */
export const CJK_FONT_FAMILY = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif';

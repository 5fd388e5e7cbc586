/**
 * Word lists for real-looking but fictitious Chinese names: people (common surnames + given-name
 * characters), townships, communities, villages, streets, units. Every place name is invented.
 */
import type { Rng } from './rng.ts';

export const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗',
  '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡',
  '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金',
];
const GIVEN_MALE = [
  '伟', '强', '磊', '军', '勇', '杰', '涛', '斌', '超', '明', '刚', '平', '辉', '鹏', '华', '飞', '鑫', '波', '宇', '浩',
  '凯', '健', '俊', '帆', '帅', '旭', '宁', '龙', '林', '洋', '峰', '建', '国', '志', '文', '德', '新', '东', '海', '振',
];
const GIVEN_FEMALE = [
  '芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '燕', '玲', '桂', '英', '秀', '兰', '梅', '琳', '雪', '婷', '慧', '颖',
  '红', '倩', '洁', '萍', '莉', '淑', '佳', '欣', '悦', '彤', '晶', '妍', '露', '瑶', '璐', '怡', '雯', '丹', '蕾', '薇',
];

/** A person's name: surname + one or two given-name characters. */
export function personName(rng: Rng, male: boolean): string {
  const g = male ? GIVEN_MALE : GIVEN_FEMALE;
  return rng.pick(SURNAMES) + rng.pick(g) + (rng.chance(0.6) ? rng.pick(g) : '');
}

const PLACE_A = [
  '青', '柳', '荷', '松', '桂', '枫', '杏', '梅', '兰', '竹', '石', '泉', '溪', '湖', '安', '康', '和', '平', '福', '祥',
  '瑞', '丰', '盛', '兴', '华', '明', '东', '西', '南', '北', '金', '银', '翠', '云', '星', '月', '锦', '绣', '文', '德',
];
const PLACE_B = [
  '禾', '岸', '塘', '湾', '苑', '园', '庭', '坊', '桥', '林', '峰', '川', '泽', '源', '台', '亭', '阳', '宁', '韵', '景',
  '馨', '悦', '雅', '新', '兴', '秀', '佳', '锦', '汇', '晖',
];

/** Distinct two-character place names; `taken` collects the names already used. */
export function placeName(rng: Rng, taken: Set<string>): string {
  for (let tries = 0; tries < 200; tries++) {
    const n = rng.pick(PLACE_A) + rng.pick(PLACE_B);
    if (!taken.has(n)) {
      taken.add(n);
      return n;
    }
  }
  for (let k = 2; ; k++) {
    const n = rng.pick(PLACE_A) + rng.pick(PLACE_B) + String(k);
    if (!taken.has(n)) {
      taken.add(n);
      return n;
    }
  }
}

export const STREET_SUFFIX: Record<string, readonly string[]> = {
  primary: ['大道', '大街', '路'],
  secondary: ['路', '大街'],
  tertiary: ['路', '街'],
  residential: ['街', '巷', '里'],
  service: ['支路', '内部道路'],
  path: ['步道', '小径'],
  river: ['河'],
  rail: ['铁路'],
};

export const UNIT_KINDS = {
  school: ['小学', '中学', '实验学校', '职业学校'],
  enterprise: ['机械有限公司', '食品有限公司', '纺织厂', '电子科技有限公司', '物流园'],
  compound: ['小区', '家园', '花园', '公寓'],
  hospital: ['人民医院', '中医院'],
} as const;

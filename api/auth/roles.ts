/** The four roles and what each may do with personal data. */
export const ROLES = ['admin', 'planner', 'commander', 'grid_worker'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** How a role sees residents: in full, masked, or not at all. */
export type ResidentView = 'full' | 'masked' | 'none';

export interface AuthUser {
  id: number;
  name: string;
  role: Role;
  /** the jurisdiction the account is limited to; null: every jurisdiction */
  jcode: string | null;
  /** grid codes of a grid worker */
  grids: string[];
}

/** The view `user` has of the residents of grid `gridCode` in `jcode`. */
export function residentView(user: AuthUser, jcode: string, gridCode: string): ResidentView {
  if (user.jcode !== null && user.jcode !== jcode) return 'none';
  switch (user.role) {
    case 'admin': return 'full';
    case 'commander': return 'masked';
    case 'grid_worker': return user.grids.includes(gridCode) ? 'full' : 'none';
    default: return 'none';
  }
}

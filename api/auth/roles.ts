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
  /** the jurisdiction the account is limited to; null: every jurisdiction (never for a grid worker) */
  jcode: string | null;
  /** grid codes of a grid worker, all in `jcode`: the scope is the pair (jcode, grid) */
  grids: string[];
}

/** Whether `user` works in grid (`jcode`, `gridCode`): a grid worker of that grid in that jurisdiction. */
export function worksInGrid(user: AuthUser, jcode: string, gridCode: string): boolean {
  return user.role === 'grid_worker' && user.jcode !== null && user.jcode === jcode && user.grids.includes(gridCode);
}

/** The view `user` has of the residents of grid `gridCode` in `jcode`. */
export function residentView(user: AuthUser, jcode: string, gridCode: string): ResidentView {
  if (user.jcode !== null && user.jcode !== jcode) return 'none';
  switch (user.role) {
    case 'admin': return 'full';
    case 'commander': return 'masked';
    // a grid code alone names no grid: codes repeat across jurisdictions
    case 'grid_worker': return worksInGrid(user, jcode, gridCode) ? 'full' : 'none';
    default: return 'none';
  }
}

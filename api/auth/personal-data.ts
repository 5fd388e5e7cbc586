/**
 * What open routes reveal about people (issue 17): one policy, applied where the answers are shaped.
 * README.md "Personal data on open routes" says the same in prose; api/routes/personal-data.test.ts holds it.
 *
 * - Staff contacts (grid bundle, lookup): a citizen (no account, or an account of another jurisdiction) sees each
 *   staff member's role, department and masked name (`王*`) and the grid's service phone
 *   (grid_service_phones), never a staff member's own mobile. Accounts of the jurisdiction see names and phones.
 * - Patrol tracks (grid bundle): where a named worker walked, and when, is personal. A citizen gets the number of
 *   tracks of the day only; the path, times and worker come with an admin, commander or planner account of the
 *   jurisdiction, or to the grid's own workers. The `tracks` tile layer carries geometry and day only.
 * - Jobs: the list needs an account (and shows only its jurisdiction's jobs); one job is read by its id, an
 *   unguessable capability handed to whoever started it. The "1 + N" roster of a merge result (names and phones
 *   from the departments' layers) is masked unless the reader is an admin or planner of the jurisdiction.
 * - Residents: only through /api/grids/{code}/residents (roles, audit). Exports, OGC, tiles and layers carry
 *   no personal data (grids, blocks, streets, units, hazards without description, cameras, counts).
 * - Plans: their reads and exports carry grids, blocks, codes and household counts, never people (a merge's roster
 *   stays in its job). Published and archived plans are the public map and its history. A draft is unpublished
 *   work, beyond the public map: it is read, diffed, exported and bundled (`/api/grids/{code}/bundle?planId=`) only
 *   with an account of its jurisdiction, and lists shown to others hold no drafts (DRAFTS_REQUIRE_LOGIN=0 opens
 *   drafts to everyone, an explicit opt-out).
 */
import { maskName, maskPhone } from './masking.ts';
import { worksInGrid, type AuthUser } from './roles.ts';
import type { PlanStatus } from '../../data/db/schema.ts';

export type ContactView = 'public' | 'staff';

/** Whether `user` belongs to jurisdiction `jcode` (an account of every jurisdiction does). */
export function ofJurisdiction(user: AuthUser | null, jcode: string): user is AuthUser {
  return user !== null && (user.jcode === null || user.jcode === jcode);
}

/** How `user` sees the staff contacts of jurisdiction `jcode`: in full for its accounts, else as a citizen. */
export function contactView(user: AuthUser | null, jcode: string): ContactView {
  return ofJurisdiction(user, jcode) ? 'staff' : 'public';
}

/** Whether `user` may see the patrol tracks (path, times, worker) of grid (`jcode`, `code`). */
export function seesPatrols(user: AuthUser | null, jcode: string, code: string): boolean {
  if (!ofJurisdiction(user, jcode)) return false;
  return user.role === 'admin' || user.role === 'commander' || user.role === 'planner' || worksInGrid(user, jcode, code);
}

export interface StaffContactLike { name: string; role: string; department: string | null; phone: string | null }

/** A staff contact as a citizen sees it: masked name, no personal phone. */
export function publicContact<T extends StaffContactLike>(s: T): T {
  return { ...s, name: maskName(s.name), phone: null };
}

/** Whether `user` sees a merge roster of jurisdiction `jcode` unmasked. */
export function seesRoster(user: AuthUser | null, jcode: string): boolean {
  return ofJurisdiction(user, jcode) && (user.role === 'admin' || user.role === 'planner');
}

/** A job's result as `user` may read it: a merge's roster masked unless seesRoster. */
export function jobResultFor(kind: string, jcode: string, result: unknown, user: AuthUser | null): unknown {
  if (kind !== 'merge' || !result || typeof result !== 'object' || seesRoster(user, jcode)) return result;
  const r = result as { roster?: unknown };
  if (!Array.isArray(r.roster)) return result;
  return {
    ...r,
    roster: r.roster.map((x) => {
      const row = x as { name?: unknown; phone?: unknown };
      return { ...row, name: typeof row.name === 'string' && row.name !== '' ? maskName(row.name) : row.name, phone: typeof row.phone === 'string' && row.phone !== '' ? maskPhone(row.phone) : row.phone };
    }),
  };
}

/** Whether a plan of `status` is on the public map (published, or published before and archived). */
export function isPublicPlan(status: PlanStatus): boolean {
  return status !== 'draft';
}

/** Whether `user` may read a plan of `jcode` in `status` (drafts requiring a login): a draft by its jurisdiction's accounts. */
export function seesPlan(user: AuthUser | null, jcode: string, status: PlanStatus): boolean {
  return isPublicPlan(status) || ofJurisdiction(user, jcode);
}

/**
 * The user a request acts for, in `res.locals.user`. Until accounts and roles arrive (issue 7) every request
 * is anonymous and the routes serve no personal data; that issue replaces `anonymous` with the middleware
 * that checks the bearer token, and the data layer reads the user from here.
 */
import type { RequestHandler, Response } from 'express';

export interface RequestUser {
  name: string;
  role: 'admin' | 'planner' | 'commander' | 'grid_worker';
  grids: string[];
}

/** Marks the request as anonymous (no user). */
export const anonymous: RequestHandler = (_req, res, next) => {
  res.locals.user = null;
  next();
};

/** The request's user, or null when anonymous. */
export function userOf(res: Response): RequestUser | null {
  return (res.locals.user as RequestUser | null | undefined) ?? null;
}

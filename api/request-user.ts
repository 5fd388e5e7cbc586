/**
 * The user a request acts for, in `res.locals.user`: the account of a live session named by
 * `Authorization: Bearer <token>`, or null (anonymous). A missing, malformed, unknown or expired token makes
 * the request anonymous; routes that need an account answer 401 through `requireUser` (api/auth/require-user.ts).
 * The token is looked up only when the header is present, so open routes cost nothing more.
 */
import type { Kysely } from 'kysely';
import type { RequestHandler, Response } from 'express';
import type { AuthUser } from './auth/roles.ts';
import { bearerToken } from './auth/tokens.ts';
import { userOfToken } from './auth/users.ts';

export type RequestUser = AuthUser;

/** Marks the request as anonymous (no user). */
export const anonymous: RequestHandler = (_req, res, next) => {
  res.locals.user = null;
  next();
};

/** Reads the bearer token and sets res.locals.user (null when anonymous). */
export function requestUser(db: Kysely<any>): RequestHandler {
  return (req, res, next) => {
    res.locals.user = null;
    const token = bearerToken(req.headers.authorization);
    if (!token) return next();
    userOfToken(db, token).then((u) => {
      res.locals.user = u;
      res.locals.token = u ? token : null;
      next();
    }, next);
  };
}

/** The request's user, or null when anonymous. */
export function userOf(res: Response): RequestUser | null {
  return (res.locals.user as RequestUser | null | undefined) ?? null;
}

/**
 * What the events routes (api/routes/events.ts) and Open311 (api/routes/open311.ts) share: the clock, the live
 * feed of changed events for the wall screen (Server-Sent Events), the actor of a request, zod parsing into
 * WanggeErrors, photo uploads and the audit of event actions.
 */
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import multer from 'multer';
import type { ZodType } from 'zod';
import { WanggeError } from '../../spatial/errors.ts';
import type { Clock } from '../../domain/events/clock.ts';
import type { EventRecord } from '../../domain/events/event-repository.ts';
import type { Actor } from '../../domain/events/workflow.ts';
import { PHOTO_MAX_BYTES } from '../../domain/events/event-repository.ts';
import type { AuthUser } from '../auth/roles.ts';
import { appendAudit } from '../auth/audit-log.ts';
import { clientIp } from '../auth/require-user.ts';
import { maskName, maskPhone } from '../auth/masking.ts';
import type { RouteContext } from './context.ts';

/** One change of an event as the wall screen sees it: no description, no reporter. */
export interface LiveEvent {
  jcode: string; id: number; typeCode: string; classCode: string; stage: string; light: string | null; gridCode: string | null;
  communityCode: string | null; townshipCode: string | null; lon: number | null; lat: number | null; deadlineAt: string; yellowAt: string; priority: string;
  closedAt: string | null; onTime: boolean | null;
}

export function liveOf(e: EventRecord): LiveEvent {
  return {
    jcode: e.jcode, id: e.id, typeCode: e.typeCode, classCode: e.classCode, stage: e.stage, light: e.light, gridCode: e.gridCode,
    communityCode: e.communityCode, townshipCode: e.townshipCode, lon: e.lon, lat: e.lat, deadlineAt: e.deadlineAt, yellowAt: e.yellowAt, priority: e.priority,
    closedAt: e.closedAt, onTime: e.onTime,
  };
}

/** The in-process feed of changed events (one per app). */
export class EventFeed extends EventEmitter {
  constructor() {
    super();
    // one listener per open wall screen
    this.setMaxListeners(0);
  }

  publish(e: EventRecord): void {
    this.emit('event', liveOf(e));
  }
}

export interface EventsDeps {
  clock: Clock;
  feed: EventFeed;
}

export function actorOf(u: AuthUser): Actor {
  return { name: u.name, role: u.role, jcode: u.jcode, grids: u.grids };
}

/** Parse `value` with `schema`; the first issue becomes a bad_request naming its field. */
export function parseWith<T>(schema: ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  throw new WanggeError('bad_request', `${field}: ${issue.message}`, { parameter: field });
}

/** Multipart photos (field `photo` or `media`, at most 4) into memory; JSON bodies pass through. */
export function photoUpload(fields: string[] = ['photo']) {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: PHOTO_MAX_BYTES, files: 4, fields: 40 } })
    .fields(fields.map((name) => ({ name, maxCount: 4 })));
  return (req: Request, res: Response): Promise<Buffer[]> => new Promise((resolve, reject) => {
    if (!req.is('multipart/form-data')) return resolve([]);
    upload(req, res, (err: unknown) => {
      if (err) {
        const code = (err as { code?: string }).code;
        return reject(code === 'LIMIT_FILE_SIZE'
          ? new WanggeError('too_large', `a photo is at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB`, { parameter: 'photo' })
          : new WanggeError('bad_request', `bad upload: ${(err as Error).message}`, { parameter: fields[0] }));
      }
      const files = (req.files ?? {}) as Record<string, Express.Multer.File[]>;
      resolve(fields.flatMap((f) => (files[f] ?? []).map((x) => x.buffer)));
    });
  });
}

/** Write an event action (or its refusal) to the hash-chained audit log. */
export async function auditEvent(ctx: RouteContext, req: Request, user: AuthUser | null, jcode: string, action: string, route: string,
  gridCode: string | null, outcome: 'ok' | 'denied', ids: number[]): Promise<void> {
  await appendAudit(ctx.db, {
    jcode, userName: user?.name ?? null, role: user?.role ?? null, action, route, ip: clientIp(req.ip), gridCode, outcome, recordIds: ids,
  }, ctx.audit());
}

/** How `user` sees an event's reporter: in full (admins, the grid's own workers), masked (commanders) or not at all. */
export function reporterView(user: AuthUser, e: EventRecord): EventRecord['reporter'] | undefined {
  if (!e.reporter) return undefined;
  if (user.role === 'admin') return e.reporter;
  if (user.role === 'grid_worker' && user.jcode === e.jcode && e.gridCode !== null && user.grids.includes(e.gridCode)) return e.reporter;
  if (user.role === 'commander') return { name: e.reporter.name === null ? null : maskName(e.reporter.name), phone: maskPhone(e.reporter.phone) };
  return undefined;
}

/**
 * Helpers for route tests: start the app on a free port over a test database and check problem+json answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Database } from '../../data/db/connect.ts';
import { loadConfig } from '../config.ts';
import { WanggeApp, type AppOptions } from '../app.ts';

export interface TestServer {
  app: WanggeApp;
  base: string;
  /** the server's own data directory (audit key and checkpoint), removed when the app stops */
  dataDir: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/**
 * Start the app on 127.0.0.1 and a free port, logging nothing, with a data directory of its own (the audit key
 * and checkpoint live there). `env` adds configuration keys.
 */
export async function startTestServer(database: Database, opts: AppOptions = {}, env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wangge-test-data-'));
  const app = new WanggeApp(loadConfig({ PORT: '0', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', WANGGE_DATA_DIR: dataDir, ...env }), database, { webDir: null, ...opts });
  const stop = app.stop.bind(app);
  app.stop = async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  await app.start();
  const base = `http://127.0.0.1:${app.port}`;
  return {
    app, base, dataDir,
    get: (p, init) => fetch(`${base}${p}`, init),
    post: (p, body, headers = {}) => fetch(`${base}${p}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
    }),
  };
}

/** Expect a problem+json answer with this status, code and where.parameter; returns the problem. */
export async function expectProblem(res: Response, status: number, code: string, parameter?: string): Promise<any> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const p = JSON.parse(text);
  expect(p).toMatchObject({ status, code, type: `/api/problems/${code}` });
  expect(typeof p.detail).toBe('string');
  expect(p.detail).not.toMatch(/\bat .*\.ts:\d+/);
  if (parameter !== undefined) expect(p.where?.parameter).toBe(parameter);
  return p;
}

/** Poll a job until it is finished (or `timeoutMs` passes). */
export async function waitForJob(server: TestServer, id: string, timeoutMs = 120_000): Promise<any> {
  const t0 = Date.now();
  for (;;) {
    const res = await server.get(`/api/jobs/${id}`);
    expect(res.status).toBe(200);
    const job = await res.json();
    if (job.finishedAt !== null) return job;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Read a Server-Sent Events stream to its end: the events as {event, data}. */
export async function readEvents(res: Response): Promise<Array<{ event: string; data: any }>> {
  const text = await res.text();
  const out: Array<{ event: string; data: any }> = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event && data) out.push({ event, data: JSON.parse(data) });
  }
  return out;
}

/** A response's text; of an event stream (open by design) what arrives within a second. */
export async function bodyText(res: Response): Promise<string> {
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return Buffer.from(await res.arrayBuffer()).toString('utf8');
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  const until = Date.now() + 1_000;
  while (Date.now() < until) {
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, until - Date.now())))]);
    if (!next || next.done) break;
    chunks.push(next.value);
  }
  await reader.cancel();
  return Buffer.concat(chunks).toString('utf8');
}

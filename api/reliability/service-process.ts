/**
 * Start and stop the service as a child process (api/reliability/service-main.ts) and read its memory: the
 * reliability suite kills it with SIGKILL mid-write and starts it again on the same data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../app.ts';

const MAIN = path.join(REPO_ROOT, 'api/reliability/service-main.ts');

export interface ServiceProcess {
  pid: number;
  base: string;
  child: ChildProcess;
  /** what it wrote on stderr so far */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it exited */
  stop(): Promise<void>;
  /** SIGKILL; resolves once it exited */
  kill9(): Promise<void>;
}

export interface ServiceOptions {
  /** its data directory (the embedded database in `<dir>/db`, the audit key) */
  dir: string;
  /** postgres://… for the server engine */
  url?: string;
  /** configuration keys added to the environment */
  env?: Record<string, string>;
  /** how long it may take to listen, ms (default 180 s) */
  startMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Spawn a node process running `script` (TypeScript, through tsx) in the repository. */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
}

/** Start the service; resolves once it listens, rejects with its stderr when it exits first. */
export async function startService(opts: ServiceOptions): Promise<ServiceProcess> {
  const child = spawnTs(MAIN, ['--dir', opts.dir, ...(opts.url ? ['--url', opts.url] : [])], { ...process.env, DATABASE_URL: '', ...opts.env });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-20_000); });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the service did not listen within ${opts.startMs ?? 180_000} ms: ${err}`)); }, opts.startMs ?? 180_000);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    child.once('exit', (code, signal) => { clearTimeout(t); reject(Object.assign(new Error(`the service exited (${code ?? signal}) before listening: ${err.trim()}`), { exitCode: code, stderr: err })); });
  });
  return {
    pid: child.pid!, base: `http://127.0.0.1:${port}`, child,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(t);
    },
    kill9: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** Resident memory of process `pid` in MiB (Linux /proc), or NaN. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

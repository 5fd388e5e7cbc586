/**
 * One process owns an embedded data directory (issue 17): two PGlite instances writing the same files corrupt
 * them. `lockDataDir(dir)` takes `<dir>.lock`, created exclusively (O_EXCL) with the owner's pid, host and start
 * time; a second opener gets a `conflict` error naming the holder. A lock whose process is gone (same host, pid
 * not alive) is stale and taken over. The lock is released by `release()` and, as a last resort, when the
 * process exits.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WanggeError } from '../errors.ts';

export interface LockOwner { pid: number; host: string; startedAt: string; command: string }

export interface DataDirLock {
  file: string;
  release(): void;
}

/** The lock file of a data directory: a sibling, so the directory itself stays PostgreSQL's alone. */
export function lockFileOf(dataDir: string): string {
  const abs = path.resolve(dataDir);
  return path.join(path.dirname(abs), `${path.basename(abs)}.lock`);
}

/** Whether process `pid` is alive on this host. */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner written in a lock file, or null when it cannot be read. */
export function readLockOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string') return null;
    return { pid: o.pid, host: o.host, startedAt: String(o.startedAt ?? ''), command: String(o.command ?? '') };
  } catch {
    return null;
  }
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

const held = new Set<string>();
let exitHook = false;

/** Take the exclusive lock of `dataDir` or throw a `conflict` WanggeError naming the process that holds it. */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = lockFileOf(dataDir);
  const owner: LockOwner = {
    pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(),
    command: process.argv.slice(1).map((a) => path.basename(a)).join(' ').slice(0, 200),
  };
  if (held.has(file)) {
    throw new WanggeError('conflict', `the embedded database ${dataDir} is already open in this process (pid ${process.pid})`, { parameter: 'WANGGE_DATA_DIR' });
  }
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, owner)) {
      held.add(file);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => { for (const f of held) rmSync(f, { force: true }); });
      }
      let released = false;
      return {
        file,
        release: () => {
          if (released) return;
          released = true;
          held.delete(file);
          // only our own lock is removed
          if (readLockOwner(file)?.pid === process.pid) rmSync(file, { force: true });
        },
      };
    }
    const other = readLockOwner(file);
    const stale = other !== null && other.host === os.hostname() && !pidAlive(other.pid);
    if (other === null) {
      // half-written by a process that is creating it right now, or garbage: look again shortly, then take it
      if (attempt < 3) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); continue; }
    } else if (!stale) {
      throw new WanggeError('conflict',
        `the embedded database ${dataDir} is in use by process ${other.pid} on ${other.host}${other.command ? ` (${other.command})` : ''}, since ${other.startedAt}: `
        + `stop that process, or set WANGGE_DATA_DIR to another directory (lock file ${file})`, { parameter: 'WANGGE_DATA_DIR' });
    }
    // stale: move it aside atomically (only one taker wins the rename), then try again
    const aside = `${file}.stale-${process.pid}-${attempt}`;
    try {
      renameSync(file, aside);
      rmSync(aside, { force: true });
    } catch {
      // someone else took it over first
    }
  }
  throw new WanggeError('conflict', `could not take the lock ${file} of the embedded database ${dataDir}`, { parameter: 'WANGGE_DATA_DIR' });
}

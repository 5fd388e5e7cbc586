/**
 * The production web bundle (web/ → web/dist, vite.config.ts). `wangge serve` builds it when it is missing,
 * with vite's JavaScript API, so `npm start` needs no separate build step.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, DEFAULT_WEB_DIR } from './app.ts';

export function webBundleExists(outDir = DEFAULT_WEB_DIR): boolean {
  return existsSync(path.join(outDir, 'index.html'));
}

/** Build web/ into `outDir` (default web/dist). vite is loaded only when a build is needed. */
export async function buildWebBundle(outDir = DEFAULT_WEB_DIR, opts: { quiet?: boolean } = {}): Promise<string> {
  const { build } = await import('vite');
  await build({
    configFile: path.join(REPO_ROOT, 'vite.config.ts'),
    root: path.join(REPO_ROOT, 'web'),
    logLevel: opts.quiet ? 'error' : 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

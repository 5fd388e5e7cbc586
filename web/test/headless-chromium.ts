/**
 * Debian's Chromium, headless, for the browser tests and the wall benchmark: no browser download, no network
 * of its own (background networking, sync and component updates off), software WebGL through SwiftShader.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--use-angle=swiftshader'];

/** A persistent context in a fresh profile directory; fails with the install hint when Chromium is missing. */
export async function launchHeadless(profile: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport, args: CHROMIUM_ARGS });
}

/**
 * Whether the Next.js the routes are for serves them. Route handlers (`app/…/route.ts`) came with Next 13.2, behind
 * `experimental.appDir` until 13.4: below that, or without the flag, Next never serves the app/ folder and every
 * migrated URL would answer 404 once its pages/api source is gone. Such a run stops before it plans anything.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { versionAtLeast } from '../transforms/lib/version.js';

const CONFIG_NAMES = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts', 'next.config.mts'];

async function enablesAppDir(root: string): Promise<boolean> {
  for (const name of CONFIG_NAMES) {
    const text = await readFile(path.join(root, name), 'utf8').catch(() => null);
    // A text test, not an evaluation: the flag is written as a literal in practice (`experimental: { appDir: true }`).
    if (text !== null && /\bappDir\s*:\s*true\b/.test(text)) return true;
  }
  return false;
}

/** Why Next.js `version` in the app at `root` would not serve route handlers, or null when it would. */
export async function whyNoRouteHandlers(root: string, version: string): Promise<string | null> {
  if (versionAtLeast(version, 13, 4)) return null;
  if (!versionAtLeast(version, 13, 2)) return `Next.js ${version} has no route handlers (route.ts files came with 13.2, stable from 13.4)`;
  if (await enablesAppDir(root)) return null;
  return `Next.js ${version} serves app/ only with experimental.appDir: true in next.config, which this app does not set`;
}

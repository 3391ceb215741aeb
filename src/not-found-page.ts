/**
 * An app's own 404 page (`pages/404.tsx`) and Next.js 16: once an app/ folder exists, Next 16 builds its own App
 * Router not-found page and answers every URL nothing matches with it, no longer with the app's page (observed on
 * 16.4.6: a page or API URL that does not exist gets "This page could not be found"; 14.2.35 and 15.5.29 keep the
 * app's page). The routes the run writes are the app's first files in app/ when it had none, so the run says so.
 * Writing an `app/not-found.tsx` (with a root layout) that renders the same stays the app's step: its page may use
 * what only the Pages Router has (`next/router`, `_app`'s layout and styles). Reads the disk, never writes it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { versionAtLeast } from '../transforms/lib/version.js';
import type { ProjectWarning } from './plan-types.js';
import type { Project } from './project.js';

const DEFAULT_EXTENSIONS = ['tsx', 'ts', 'jsx', 'js'];

/** The warning for the app's 404 page, when the run writes routes into an app that has no app/ folder yet. */
export function notFoundPageWarning(project: Project, nextVersion: string, writesRoutes: boolean): ProjectWarning | null {
  if (!writesRoutes || project.appDirs.length > 0 || !versionAtLeast(nextVersion, 16)) return null;
  for (const pages of ['pages', 'src/pages']) {
    for (const extension of project.pageExtensions ?? DEFAULT_EXTENSIONS) {
      const page = `${pages}/404.${extension}`;
      if (!existsSync(path.join(project.root, page))) continue;
      return {
        path: page,
        text: `once app/ exists, Next.js ${nextVersion} answers URLs nothing matches with its own not-found page instead of this one; add app/not-found.tsx and a root layout that render the same to keep it`,
      };
    }
  }
  return null;
}

/**
 * Applies the app's Prettier (prettier.ts) to the files a plan will write, before the diff, the reports and the
 * writes see them, so that all three show the file as it will be on disk. Marker lines move when Prettier rewraps
 * code, so the reasons' line numbers are moved with them.
 */
import type { ModuleUpdate } from './imported-helpers.js';
import { findMarkers } from './markers.js';
import { isWritable, type PlannedFile } from './plan-types.js';
import type { Format } from './prettier.js';
import { errorLine } from './errors.js';


async function formatRoute(file: PlannedFile, format: Format): Promise<void> {
  const before = file.output as string;
  let after: string | undefined;
  try {
    after = await format(file.target, before);
  } catch (error) {
    file.notes.push(`Prettier could not format the route (${errorLine(error)}); it keeps the source's style`);
    return;
  }
  if (after === undefined || after === before) return;
  const oldMarkers = findMarkers(before);
  const newMarkers = findMarkers(after);
  // Prettier keeps comments in order; if it ever dropped or merged one, the markers are worth more than the style.
  if (oldMarkers.length !== newMarkers.length) {
    file.notes.push("Prettier moved a TODO(migrate) marker, so the route keeps the source's style");
    return;
  }
  const newLine = new Map(oldMarkers.map((m, i) => [m.line, newMarkers[i].line]));
  file.output = after;
  file.diagnostics = file.diagnostics.map((d) => (d.line !== undefined && newLine.has(d.line) ? { ...d, line: newLine.get(d.line) } : d));
}

/** Formats the output of every file to be written; a file Prettier fails on keeps the transform's output, with a note. */
export async function formatRoutes(files: PlannedFile[], format: Format): Promise<void> {
  for (const file of files.filter(isWritable)) {
    await formatRoute(file, format);
    // The module its other exports move to is a new file too (it has no markers).
    const module = file.exportsModule;
    if (module) module.content = (await format(module.path, module.content).catch(() => undefined)) ?? module.content;
  }
}

/**
 * Formats the helper modules that get a route-handler twin, but only a module Prettier already leaves as it is:
 * formatting one that is not would rewrite the team's own code beside the twin.
 */
export async function formatModuleUpdates(updates: ModuleUpdate[], format: Format): Promise<void> {
  for (const update of updates) {
    try {
      if ((await format(update.path, update.before)) !== update.before) continue;
      update.content = (await format(update.path, update.content)) ?? update.content;
    } catch {
      // The module keeps the twin as the transform wrote it, in the module's own style.
    }
  }
}

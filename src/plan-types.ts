/** The plan: everything a run would do, as data. Built by plan.ts, carried out by apply.ts, shown by report.ts. */
import type { Diagnostic } from './diagnostics.js';
import type { ExportsModule, ImportedHelper, TransformStatus } from '../transforms/types.js';

/** The transform's verdict, or 'conflict' when the plan found that writing the route would clash with the tree. */
export type FileStatus = TransformStatus | 'conflict';

export interface PlannedFile {
  /** Posix path of the source relative to the app root, e.g. `pages/api/users/[id].ts`. */
  source: string;
  /** Posix path of the route file it becomes (or would become), e.g. `app/api/users/[id]/route.ts`. */
  target: string;
  status: FileStatus;
  /** The source text, when it could be read. */
  input?: string;
  /** The route file's text: present exactly when status is 'migrated' or 'review'. */
  output?: string;
  diagnostics: Diagnostic[];
  notes: string[];
  methods: string[];
  /** Whether the route imports the shared compat helper module at compatPath. */
  usesCompat: boolean;
  compatPath: string;
  /** Stack of an error the transform threw on this file, shown with --debug. */
  stack?: string;
  /** Helpers of other modules whose route-handler twins the route calls. */
  helpersUsed?: ImportedHelper[];
  /** Files this run creates besides routes that the route imports (the module its other exports moved to). */
  needs?: string[];
  /** The module the file's other exports move to (see src/moved-exports.ts). */
  exportsModule?: ExportsModule;
  /** The route is on disk already, exactly as planned (an earlier run stopped before removing the source). */
  alreadyWritten?: boolean;
}

export interface FileChange {
  /** Posix path relative to the app root. */
  path: string;
  /** The text written, or for a removal the text removed (for the diff). */
  content: string;
}

export interface ModuleChange extends FileChange {
  /** The file's text when the plan was made. */
  before: string;
  /** Names of the twins added. */
  twins: string[];
  /** The sources whose routes call the twins: a run that stops halfway keeps the module change only for them. */
  users: string[];
  /** The modules this file now imports moved exports from, or types from a route (their old path was a pages/api file). */
  imports?: string[];
  /** A project setting the run writes (tsconfig.json's strictNullChecks, src/strict-null-checks.ts), and why. */
  note?: string;
}

export interface Plan {
  /** Absolute path of the app root. */
  root: string;
  nextVersion: string;
  /** One entry per source file looked at, sorted by source path. */
  files: PlannedFile[];
  /** Files to create: the routes, then the shared compat modules. None exists on disk. */
  creates: FileChange[];
  /**
   * Existing modules to rewrite (helpers that take `res` get a route-handler twin beside them), written after
   * `creates` and only while the file still holds `before`.
   */
  updates: ModuleChange[];
  /** Sources to remove once every file in `creates` and `updates` is written. */
  deletes: FileChange[];
  /** The pages/api folders, so that apply can remove the folders it leaves empty. */
  apiDirs: string[];
  /** What changes for the app beyond its routes and that the run cannot keep (src/not-found-page.ts). */
  warnings?: ProjectWarning[];
}

/** What changes for the app beyond its routes and that the run cannot keep, about one of its files. */
export interface ProjectWarning {
  /** The file it is about, relative to the app root. */
  path: string;
  text: string;
}

/** A project setting the run writes (it has a note), not a helper module. */
export function isProjectSetting(change: ModuleChange): boolean {
  return change.note !== undefined;
}

export function isWritable(file: PlannedFile): boolean {
  return file.status === 'migrated' || file.status === 'review';
}

/** Leaves a file that was to be written: it stays in place, and the reason says why. */
export function markLeft(file: PlannedFile, diagnostic: Diagnostic): void {
  file.status = 'left';
  file.diagnostics = [diagnostic];
  file.output = undefined;
  file.notes = [];
}

/** Turns a file into a conflict: it stays in place, and the reasons say why. */
export function markConflict(file: PlannedFile, diagnostics: Diagnostic[]): void {
  file.status = 'conflict';
  file.diagnostics = diagnostics;
  file.output = undefined;
  file.notes = [];
}

/**
 * Formatting with the app's own Prettier. When the app can load a `prettier` package (from its node_modules,
 * searched upwards as Node does) and a Prettier config applies to a file, that file is formatted with the config,
 * as the team's `prettier --write` would format it. The tool ships no Prettier of its own: another version than
 * the app's would format differently. Without both, the transform's output is written as it is: it keeps the
 * source's quotes, semicolons and indentation.
 *
 * Loading it runs the app's own code (Prettier and the plugins its config names), as `npx prettier` would.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The part of Prettier's API the tool uses: the same in Prettier 2 (format is synchronous) and 3. */
interface PrettierApi {
  version: string;
  format(source: string, options: Record<string, unknown>): string | Promise<string>;
  resolveConfig(file: string, options?: { editorconfig?: boolean }): Promise<Record<string, unknown> | null>;
  resolveConfigFile(file?: string): Promise<string | null>;
  getFileInfo(file: string, options?: { ignorePath?: string }): Promise<{ ignored: boolean; inferredParser: string | null }>;
}

/** Formats one file to be written (posix path relative to the app root); undefined when Prettier does not apply to it. */
export type Format = (relPath: string, text: string) => Promise<string | undefined>;

export interface ProjectPrettier {
  /** For --verbose: which Prettier, and which config, or why the output keeps the source's style. */
  description: string;
  /** Present when the app has a prettier package; it still checks, per file, that a config applies. */
  format?: Format;
}

function isPrettierApi(value: unknown): value is PrettierApi {
  const api = value as Partial<PrettierApi> | undefined;
  return typeof api?.format === 'function' && typeof api.resolveConfig === 'function' && typeof api.resolveConfigFile === 'function';
}

async function importAppPrettier(root: string): Promise<PrettierApi | undefined> {
  let entry: string;
  try {
    // Resolved from the app root, never from the tool's own folder.
    entry = createRequire(path.join(root, 'package.json')).resolve('prettier');
  } catch {
    return undefined;
  }
  const loaded = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  const api = isPrettierApi(loaded.default) ? loaded.default : loaded;
  return isPrettierApi(api) ? api : undefined;
}

export async function loadProjectPrettier(root: string): Promise<ProjectPrettier> {
  let prettier: PrettierApi | undefined;
  try {
    prettier = await importAppPrettier(root);
  } catch (error) {
    // A broken install is the app's to fix; the migration itself does not need Prettier.
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { description: `the app's prettier package could not be loaded (${why}): written files keep the source's style` };
  }
  if (!prettier) return { description: "no prettier package in the app: written files keep the source's style" };
  const ignorePath = path.join(root, '.prettierignore');

  const format: Format = async (relPath, text) => {
    const file = path.join(root, relPath);
    // A config is what says the project formats with Prettier; a package alone (say, a dependency's) does not.
    if (!(await prettier.resolveConfigFile(file))) return undefined;
    const info = await prettier.getFileInfo(file, { ignorePath });
    if (info.ignored || !info.inferredParser) return undefined;
    // editorconfig: true, as the Prettier command line does.
    const options = (await prettier.resolveConfig(file, { editorconfig: true })) ?? {};
    return prettier.format(text, { ...options, filepath: file });
  };

  const rootConfig = await prettier.resolveConfigFile(path.join(root, 'package.json'));
  const config = rootConfig ? path.relative(root, rootConfig).split(path.sep).join('/') || rootConfig : undefined;
  const description = config
    ? `Prettier ${prettier.version} with ${config}`
    : `Prettier ${prettier.version} is installed but no config applies at the app root: files without one keep the source's style`;
  return { description, format };
}

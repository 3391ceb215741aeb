/**
 * Pure path arithmetic: where a pages/api source goes in the App Router. All paths are posix and relative to the app
 * root. No file system access here, so the table in test/routes.test.ts covers it completely.
 */

/** Extensions of the source files the tool can read (a language, not yet a page: see pageExtension). */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'] as const;

/**
 * Next.js's default `pageExtensions`: pages/api serves only files whose name ends in `.` + one of them (so not a
 * `.mjs` module), and the App Router's route files use the same (`route.ts`). An app may set others in next.config
 * (`page.ts` → `hello.page.ts` serves /api/hello, its route is `route.page.ts`): src/page-extensions.ts reads them.
 */
export const DEFAULT_PAGE_EXTENSIONS: readonly string[] = ['tsx', 'ts', 'jsx', 'js'];

/** The route file's extension for a source that is no page (only reported): JSX stays JSX. */
const ROUTE_EXTENSIONS: Record<string, string> = { '.ts': 'ts', '.tsx': 'tsx', '.js': 'js', '.jsx': 'jsx', '.mjs': 'js', '.cjs': 'js', '.mts': 'ts', '.cts': 'ts' };

/** The two places a Pages Router app keeps its API handlers, and where the App Router keeps the routes. */
const TREES = [
  { pages: 'pages/api', app: 'app/api' },
  { pages: 'src/pages/api', app: 'src/app/api' },
] as const;

export function sourceExtension(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return SOURCE_EXTENSIONS.find((ext) => name.endsWith(ext) && name.length > ext.length) ?? '';
}

/**
 * The page extension `path`'s name ends in, with its dot (`.ts`, `.page.ts`; the longest that fits), among those whose
 * language the tool reads; '' when the file is no page Next.js serves.
 */
export function pageExtension(path: string, pageExtensions: readonly string[] = DEFAULT_PAGE_EXTENSIONS): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const readable = (ext: string) => (SOURCE_EXTENSIONS as readonly string[]).includes(`.${ext.split('.').pop()}`);
  const fits = pageExtensions.filter(readable).map((ext) => `.${ext}`).filter((ext) => name.endsWith(ext) && name.length > ext.length);
  return fits.sort((a, b) => b.length - a.length)[0] ?? '';
}

/**
 * Whether the file name `name` is an App Router `route` or `page` file (`kind`) of an app with these page extensions:
 * `route.ts`, `page.tsx`; `route.page.ts` with `pageExtensions: ['page.ts']`.
 */
export function isAppFile(name: string, kind: 'route' | 'page', pageExtensions: readonly string[] = DEFAULT_PAGE_EXTENSIONS): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return pageExtensions.some((ext) => base === `${kind}.${ext}`);
}

function treeOf(sourcePath: string) {
  const tree = TREES.find((t) => sourcePath === t.pages || sourcePath.startsWith(`${t.pages}/`));
  if (!tree) throw new Error(`${sourcePath} is not under pages/api or src/pages/api`);
  return tree;
}

/**
 * The route folder a source (or a folder inside pages/api) answers for: `pages/api/a/index.ts` → `app/api/a`.
 * Dynamic segments (`[id]`, `[...slug]`, `[[...slug]]`) keep their names as folder names.
 */
export function routeFolderFor(sourcePath: string, pageExtensions: readonly string[] = DEFAULT_PAGE_EXTENSIONS): string {
  const tree = treeOf(sourcePath);
  const withoutExt = sourcePath.slice(0, sourcePath.length - (pageExtension(sourcePath, pageExtensions) || sourceExtension(sourcePath)).length);
  const segments = withoutExt.slice(tree.pages.length).split('/').filter(Boolean);
  // Only a file named index stands for its folder; a folder named index is an ordinary segment.
  if (sourceExtension(sourcePath) && segments.at(-1) === 'index') segments.pop();
  // The App Router keeps `_folders` private (never routed); Pages routed them. `%5F` is the escape Next.js gives.
  return [tree.app, ...segments.map((segment) => (segment.startsWith('_') ? `%5F${segment.slice(1)}` : segment))].join('/');
}

/**
 * `pages/api/a/b.ts` → `app/api/a/b/route.ts`: the route file takes the source's page extension (`.tsx` →
 * `route.tsx`, `.page.ts` → `route.page.ts`). A source that is no page (only reported) gets its language's.
 */
export function routeFileFor(sourcePath: string, pageExtensions: readonly string[] = DEFAULT_PAGE_EXTENSIONS): string {
  const page = pageExtension(sourcePath, pageExtensions);
  const ext = sourceExtension(sourcePath);
  if (!page && !ext) throw new Error(`${sourcePath} has no source extension`);
  return `${routeFolderFor(sourcePath, pageExtensions)}/route.${page ? page.slice(1) : ROUTE_EXTENSIONS[ext]}`;
}

/**
 * The shared helper module routes import when they need Pages-compatible request parsing. One per App Router tree,
 * in a private (`_`) folder so that it never becomes a route; `.js` in a project without tsconfig.json.
 */
export function compatModulePath(sourcePath: string, typescript: boolean): string {
  return `${treeOf(sourcePath).app}/_migrate/pages-compat.${typescript ? 'ts' : 'js'}`;
}

/**
 * The URL path a route folder serves, the same for `app/...` and `src/app/...`: two sources with the same key answer
 * the same requests.
 */
export function routeKey(routeFolder: string): string {
  return routeFolder.replace(/^src\//, '').replace(/^app\//, '/');
}

/**
 * The pages/api paths a route file may have come from, the reverse of routeFileFor: `app/api/a/route.ts` →
 * `pages/api/a.ts`, `pages/api/a/index.ts`, … for every source extension. `check --only 'pages/api/a/**'` uses it to
 * find the markers left in the routes migrated from that area. Empty for a route outside app/api and src/app/api.
 */
export function sourceCandidatesFor(routeFile: string, pageExtensions: readonly string[] = DEFAULT_PAGE_EXTENSIONS): string[] {
  const folder = routeFile.slice(0, routeFile.lastIndexOf('/'));
  const tree = TREES.find((t) => folder === t.app || folder.startsWith(`${t.app}/`));
  if (!tree) return [];
  const pagesFolder = `${tree.pages}${folder.slice(tree.app.length)}`;
  const stems = folder === tree.app ? [`${pagesFolder}/index`] : [pagesFolder, `${pagesFolder}/index`];
  return stems.flatMap((stem) => pageExtensions.map((ext) => `${stem}.${ext}`));
}

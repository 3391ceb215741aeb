/**
 * When Next.js would prerender a route's GET at build time and serve that answer frozen (`x-nextjs-cache: HIT`), where
 * the Pages handler ran on every request: the route needs `export const dynamic = 'force-dynamic'`.
 * - Next 14 prerenders a GET that reads no request data, wherever it is.
 * - Next 15 and 16 do not, except at a path whose last segment reads as a metadata file's name (`sitemap`,
 *   `sitemap.xml`, `icon`, `icon1`, `apple-icon`, `opengraph-image`, `twitter-image`, with their image extensions):
 *   `app/api/sitemap/route.ts` is taken for the metadata route `app/api/sitemap.ts` would be, and built static.
 *   Observed on 15.5.29, 16.1.6 and 16.4.6; the patterns are those of their `isMetadataRoute`.
 * A route that also exports another method is never prerendered; the export does no harm there.
 */
import { versionAtLeast } from './version.js';

const METADATA_NAMES = [
  /\/sitemap(\.xml)?$/,
  /\/icon\d?(-\w{6})?(\.(ico|jpg|jpeg|png|svg))?$/,
  /\/apple-icon\d?(-\w{6})?(\.(jpg|jpeg|png))?$/,
  /\/(opengraph|twitter)-image\d?(-\w{6})?(\.(jpg|jpeg|png|gif))?$/,
];

/** Whether the route at `targetPath` (`app/api/sitemap/route.ts`) is taken for a metadata route by Next 15 and 16. */
export function readsAsMetadataRoute(targetPath: string): boolean {
  const pathname = targetPath.replace(/^(src\/)?app(?=\/)/, '').replace(/\/route\.[jt]sx?$/, '');
  return METADATA_NAMES.some((name) => name.test(pathname));
}

/** Whether Next would prerender the GET of the route at `targetPath` (see the file comment). */
export function prerendersGet(ctx: { targetPath: string; nextVersion: string }): boolean {
  return !versionAtLeast(ctx.nextVersion, 15, 0) || readsAsMetadataRoute(ctx.targetPath);
}

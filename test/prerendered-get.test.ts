/**
 * Which routes Next would serve prerendered: every GET on 14; on 15 and 16 only a route whose last segment reads as a
 * metadata file's name. The names were checked against `next build` of 15.5.29 and 16.4.6 (○ against ƒ).
 */
import { describe, expect, it } from 'vitest';
import { prerendersGet, readsAsMetadataRoute } from '../transforms/lib/prerendered-get.js';

describe('routes Next takes for metadata routes', () => {
  it.each([
    'app/api/sitemap/route.ts',
    'app/api/sitemap.xml/route.ts',
    'src/app/api/feeds/sitemap/route.js',
    'app/api/icon/route.ts',
    'app/api/icon1/route.ts',
    'app/api/icon.png/route.ts',
    'app/api/apple-icon/route.ts',
    'app/api/opengraph-image/route.ts',
    'app/api/opengraph-image2/route.ts',
    'app/api/twitter-image/route.ts',
  ])('%s', (target) => {
    expect(readsAsMetadataRoute(target)).toBe(true);
    expect(prerendersGet({ targetPath: target, nextVersion: '16.4.6' })).toBe(true);
  });

  it.each([
    'app/api/sitemap-1/route.ts',
    'app/api/sitemap0/route.ts',
    'app/api/sitemaps/route.ts',
    'app/api/sitemap/[id]/route.ts',
    'app/api/favicon.ico/route.ts',
    'app/api/robots/route.ts',
    'app/api/manifest/route.ts',
    'app/api/icons/route.ts',
    'app/api/feed/route.ts',
  ])('not %s', (target) => {
    expect(readsAsMetadataRoute(target)).toBe(false);
    expect(prerendersGet({ targetPath: target, nextVersion: '15.5.29' })).toBe(false);
    expect(prerendersGet({ targetPath: target, nextVersion: '14.2.35' })).toBe(true);
  });
});

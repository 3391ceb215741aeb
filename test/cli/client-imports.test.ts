/**
 * Route handlers are compiled as React server code: Next.js refuses a module that imports useState, useEffect, … from
 * react without "use client", so a handler that reaches a UI module through its imports (a helper that imports from a
 * component barrel) built as a Pages API handler and fails `next build` as a route. Such a handler stays in place
 * (CLIENT_ONLY_IMPORT) with the chain of imports; a module marked "use client" or a type-only React import does not
 * count, and packages are not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const TSCONFIG = { 'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": "." } }\n` };
const HANDLER = `import type { NextApiRequest, NextApiResponse } from 'next'
import { brandName } from '../../lib/brand'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ name: brandName })
}
`;
const BRAND = `import { defaultTheme } from 'ui'\n\nexport const brandName = 'acme-' + defaultTheme\n`;
const BARREL = `export * from './theme'\nexport { Counter } from './Counter'\n`;
const THEME = `export const defaultTheme = 'light'\n`;
const counter = (directive: string) => `${directive}import { useState, type ReactNode } from 'react'

export function Counter(): ReactNode {
  const [count] = useState(0)
  return count
}
`;

const fileOf = (report: { files: Array<{ source: string }> }, source: string) => report.files.find((f) => f.source === source);

describe('routes that would import client-only React code', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('leave the handler in place, with the chain of imports to the module', () => {
    const { result, report, app } = migrateApp({ ...TSCONFIG, 'pages/api/brand.ts': HANDLER, 'lib/brand.ts': BRAND, 'ui/index.ts': BARREL, 'ui/theme.ts': THEME, 'ui/Counter.tsx': counter('') });
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/brand.ts')).toMatchObject({
      status: 'left',
      reasons: [{ code: 'CLIENT_ONLY_IMPORT', detail: 'it imports lib/brand.ts → ui/index.ts → ui/Counter.tsx (useState from react)' }],
    });
    expect(exists(app, 'pages/api/brand.ts')).toBe(true);
    expect(exists(app, 'app/api/brand/route.ts')).toBe(false);
  });

  it('migrate it when the module is marked "use client", or imports only types from react', () => {
    const marked = migrateApp({ ...TSCONFIG, 'pages/api/brand.ts': HANDLER, 'lib/brand.ts': BRAND, 'ui/index.ts': BARREL, 'ui/theme.ts': THEME, 'ui/Counter.tsx': counter("'use client'\n\n") });
    expect(fileOf(marked.report, 'pages/api/brand.ts')).toMatchObject({ status: 'migrated' });
    const typesOnly = `import type { ReactNode } from 'react'\nimport { type Component } from 'react'\n\nexport type Slot = ReactNode | Component\n`;
    const types = migrateApp({ ...TSCONFIG, 'pages/api/brand.ts': HANDLER, 'lib/brand.ts': BRAND, 'ui/index.ts': `export * from './theme'\nexport * from './slot'\n`, 'ui/theme.ts': THEME, 'ui/slot.ts': typesOnly });
    expect(fileOf(types.report, 'pages/api/brand.ts')).toMatchObject({ status: 'migrated' });
  });
});

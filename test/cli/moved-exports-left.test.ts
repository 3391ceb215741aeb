/**
 * Exports move only with a route that is written. A route whose exports would move but that the plan leaves late
 * (here: the compat helper it needs was edited by hand, so the route becomes a conflict) keeps them: no shared module
 * is written for it and its importers keep importing the old path. And a route that imports moved exports but is left
 * late is still pointed at the new module, since the file it imported from goes away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const EDITED_COMPAT = { 'app/api/_migrate/pages-compat.ts': '// edited by hand\n' };
const TSCONFIG = { 'tsconfig.json': `{ "compilerOptions": { "strict": true } }\n` };

/** A handler that exports `helper` too; with `query` it reads req.query, which needs the compat helper. */
const exporting = (query: boolean) => `import type { NextApiRequest, NextApiResponse } from 'next'

export function helper(name: string) {
  return \`hello \${name}\`
}

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ greeting: helper(${query ? 'req.query.name as string' : "'a'"}) })
}
`;

describe('moved exports and routes left late', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('a route left after its move was planned keeps its exports, and its importers are not rewritten', () => {
    const use = `import { helper } from '../pages/api/a'\n\nexport const greet = () => helper('x')\n`;
    const { app, result, report, read } = migrateApp({ ...TSCONFIG, ...EDITED_COMPAT, 'pages/api/a.ts': exporting(true), 'lib/use.ts': use });
    expect(result.code, result.stderr).toBe(0);
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/a.ts')).toMatchObject({ status: 'conflict', reasons: [{ code: 'COMPAT_MODULE_CHANGED' }] });
    expect(read('pages/api/a.ts')).toBe(exporting(true));
    expect(exists(app, 'app/api/a/shared.ts')).toBe(false);
    expect(exists(app, 'app/api/a/route.ts')).toBe(false);
    expect(read('lib/use.ts')).toBe(use);
    expect(report.updates ?? []).toEqual([]);
    expectSecondRunChangesNothing(app);
  });

  it('a route left late that imports moved exports is pointed at the new module', () => {
    const importer = `import type { NextApiRequest, NextApiResponse } from 'next'
import { helper } from './a'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ greeting: helper(req.query.name as string) })
}
`;
    const { app, result, report, read } = migrateApp({ ...TSCONFIG, ...EDITED_COMPAT, 'pages/api/a.ts': exporting(false), 'pages/api/b.ts': importer });
    expect(result.code, result.stderr).toBe(0);
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/a.ts')).toMatchObject({ status: 'migrated' });
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/b.ts')).toMatchObject({ status: 'conflict' });
    expect(exists(app, 'pages/api/a.ts')).toBe(false);
    expect(read('app/api/a/shared.ts')).toContain('export function helper(name: string)');
    // b.ts stays, and must not import the file that went away.
    expect(read('pages/api/b.ts')).toBe(importer.replace("from './a'", "from '../../app/api/a/shared'"));
    expectSecondRunChangesNothing(app);
  });
  it("says why an export the default export's own expression reads stays, apart from one that is the handler", () => {
    const { result, report } = migrateApp({
      ...TSCONFIG,
      'lib/route.ts': `export const route = (schema: unknown) => (req: unknown, res: { json(x: unknown): void }) => res.json({ schema })\n`,
      'pages/api/read.ts': `import { route } from '../../lib/route'\n\nexport const Params = { name: 'string' }\n\nexport default route(Params)\n`,
      'pages/api/same.ts': `import type { NextApiRequest, NextApiResponse } from 'next'\n\nexport const handler = (req: NextApiRequest, res: NextApiResponse) => res.json({ ok: true })\n\nexport default handler\n`,
      'lib/use.ts': `import { Params } from '../pages/api/read'\nimport { handler } from '../pages/api/same'\n\nexport const both = [Params, handler]\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    const detail = (source: string) => report.files.find((f: { source: string }) => f.source === source).reasons[0].detail;
    expect(detail('pages/api/read.ts')).toContain("export Params is read by the default export's own expression, which stays with the handler");
    expect(detail('pages/api/same.ts')).toContain('export handler is also the default export');
  });
});

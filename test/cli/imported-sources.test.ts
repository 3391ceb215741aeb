/**
 * A migrated pages/api file goes away, so whatever still imports it must follow or keep it: a component that imports a
 * type the handler file exports is pointed at the route file (which keeps the type), and a handler left in place that
 * imports another handler keeps that one in place (SOURCE_IMPORTED). Both shapes left the app uncompilable before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const TSCONFIG = { 'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": "." } }\n` };

/** A handler that exports the type of what it answers. */
const LIST = `import type { NextApiRequest, NextApiResponse } from 'next'

export type Item = { id: number; name: string }
export interface Page { items: Item[] }

export default function handler(req: NextApiRequest, res: NextApiResponse<Page>) {
  res.json({ items: [{ id: 1, name: 'a' }] })
}
`;

/** A handler that answers by calling another handler with its req and res: it cannot be migrated (REQ_ESCAPES). */
const DELEGATING = `import type { NextApiRequest, NextApiResponse } from 'next'
import create from './create'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end()
  return create(req, res)
}
`;
const CREATE = `import type { NextApiRequest, NextApiResponse } from 'next'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(201).json({ created: true })
}
`;

const fileOf = (report: { files: Array<{ source: string }> }, source: string) => report.files.find((f) => f.source === source);

describe('files that import a migrated pages/api file', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('an importer of its types is pointed at the route file, relative or through baseUrl', () => {
    const relative = `import type { Page } from '../pages/api/items'\n\nexport const count = (page: Page) => page.items.length\n`;
    const bare = `import { Item } from 'pages/api/items'\n\nexport const label = (item: Item) => item.name\n`;
    const { result, report, read, app } = migrateApp({ ...TSCONFIG, 'pages/api/items.ts': LIST, 'components/count.ts': relative, 'lib/label.ts': bare });
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/items.ts')).toMatchObject({ status: 'migrated', notes: ['its exported types stay in route.ts; components/count.ts, lib/label.ts now import them from there'] });
    expect(exists(app, 'pages/api/items.ts')).toBe(false);
    expect(read('app/api/items/route.ts')).toMatch(/export type Item = \{ id: number; name: string \}[\s\S]*export interface Page \{ items: Item\[\] \}/);
    expect(read('components/count.ts')).toBe(relative.replace("'../pages/api/items'", "'../app/api/items/route'"));
    expect(read('lib/label.ts')).toBe(bare.replace("'pages/api/items'", "'../app/api/items/route'"));
    expect(report.updates).toEqual([
      { path: 'components/count.ts', twins: [], imports: ['app/api/items/route.ts'] },
      { path: 'lib/label.ts', twins: [], imports: ['app/api/items/route.ts'] },
    ]);
    expectSecondRunChangesNothing(app);
  });

  it("a migrated route that imports another handler file's types is pointed at that route", () => {
    const user = `import type { NextApiRequest, NextApiResponse } from 'next'
import type { Item } from './items'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const first: Item = { id: 1, name: 'a' }
  res.json(first)
}
`;
    const { result, report, read } = migrateApp({ ...TSCONFIG, 'pages/api/items.ts': LIST, 'pages/api/first.ts': user });
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/first.ts')).toMatchObject({ status: 'migrated' });
    expect(read('app/api/first/route.ts')).toContain("import type { Item } from '../items/route'");
  });

  it('a handler imported by a handler left in place stays, with the importer named', () => {
    const { result, report, read, app } = migrateApp({ ...TSCONFIG, 'pages/api/orders/index.ts': DELEGATING, 'pages/api/orders/create.ts': CREATE });
    expect(result.code, result.stderr).toBe(0);
    // The handler it returns is another page's: not a sub-handler the tool twins.
    expect(fileOf(report, 'pages/api/orders/index.ts')).toMatchObject({ status: 'left', reasons: [{ code: 'HANDLER_MODULE_UNRESOLVED', detail: './create(): pages/api/orders/create.ts is another pages/api file (move its handler into a module outside pages/api and import it from both, a shape the tool can follow)' }] });
    expect(fileOf(report, 'pages/api/orders/create.ts')).toMatchObject({
      status: 'left',
      reasons: [{ code: 'SOURCE_IMPORTED', detail: 'pages/api/orders/index.ts imports its default export (the handler)' }],
    });
    expect(read('pages/api/orders/create.ts')).toBe(CREATE);
    expect(exists(app, 'app/api/orders/create/route.ts')).toBe(false);
    expectSecondRunChangesNothing(app);
  });

  it('a file that imports a value the route does not export, or a JavaScript importer of a type, keeps the source', () => {
    const test = `import handler from '../pages/api/items'\n\nexport { handler }\n`;
    const js = `import { Item } from '../pages/api/items'\n\nexport const x = 1\n`;
    const one = migrateApp({ ...TSCONFIG, 'pages/api/items.ts': LIST, 'test/items.test.ts': test });
    expect(fileOf(one.report, 'pages/api/items.ts')).toMatchObject({ status: 'left', reasons: [{ code: 'SOURCE_IMPORTED', detail: 'test/items.test.ts imports its default export (the handler)' }] });
    const two = migrateApp({ ...TSCONFIG, 'pages/api/items.ts': LIST, 'lib/x.js': js });
    expect(fileOf(two.report, 'pages/api/items.ts')).toMatchObject({ status: 'left', reasons: [{ code: 'SOURCE_IMPORTED', detail: 'lib/x.js imports it, and is JavaScript (it cannot import types)' }] });
    expect(two.read('lib/x.js')).toBe(js);
  });
});

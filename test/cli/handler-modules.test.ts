/**
 * pages/api files that re-export or delegate to a handler of another module: the run follows the import to the module
 * that declares the handler, adds a route-handler twin beside it, and the route re-exports the twin. What it cannot
 * follow or share is left with a reason.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, makeApp, migrateApp, removeTempDirs, requireBuild, runCli } from './helpers.js';

const CANCEL = `import { NextApiRequest, NextApiResponse } from "next";

import { log } from "@/lib/log";

export async function handleRoute(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === "POST") {
    const { teamId } = req.query as { teamId: string };
    log(teamId);
    return res.status(200).json({ teamId, cancelled: true });
  } else {
    res.setHeader("Allow", ["POST"]);
    return res.status(405).end(\`Method \${req.method} Not Allowed\`);
  }
}

export const OTHER = 1;
`;

const LIMITS = `import type { NextApiRequest, NextApiResponse } from 'next'

export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') return res.status(405).end()
  res.status(200).json({ limits: 3 })
}
`;

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'lib/log.ts': 'export function log(x: unknown) { console.log(x) }\n',
  'lib/billing/cancel-route.ts': CANCEL,
  'pages/api/teams/[teamId]/billing/cancel.ts': `import { NextApiRequest, NextApiResponse } from "next";

import { handleRoute } from "@/lib/billing/cancel-route";

export const config = {
  maxDuration: 60,
};

export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  return handleRoute(req, res);
}
`,
  'ee/limits/handler.ts': LIMITS,
  'ee/limits/index.ts': `export { default } from './handler'\n`,
  'pages/api/jobs/limits.ts': `import limitsHandler from "@/ee/limits";\n\nexport default limitsHandler;\n`,
  'pages/api/jobs/pause.ts': `// API route: /api/jobs/pause\nexport { default } from "../../../ee/limits/handler";\n`,
  'pages/api/jobs/pkg.ts': `export { default } from "some-package/handler";\n`,
  'lib/loop-a.ts': `export { default } from './loop-b'\n`,
  'lib/loop-b.ts': `export { default } from './loop-a'\n`,
  'pages/api/jobs/loop.ts': `export { default } from "../../../lib/loop-a";\n`,
  'lib/shared.ts': `export default function shared(req, res) {\n  res.status(200).json({ id: req.query.id ?? null })\n}\n`,
  'pages/api/a/[id].ts': `export { default } from "../../../lib/shared";\n`,
  'pages/api/b/[slug].ts': `export { default } from "../../../lib/shared";\n`,
  'lib/config-module.ts': `export const config = { api: { bodyParser: false } }\nexport default async function raw(req, res) {\n  const chunks = []\n  for await (const chunk of req) chunks.push(chunk)\n  res.status(200).send(Buffer.concat(chunks).toString())\n}\n`,
  'pages/api/raw.ts': `export { default, config } from "@/lib/config-module";\n`,
  'pages/index.tsx': `import { OTHER } from '../lib/billing/cancel-route'\nexport default function Home() { return OTHER }\n`,
};

describe('handlers that live in other modules', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('twins the handler in its module, re-exports the twin from the route, and leaves what it cannot follow', () => {
    const { app, result, report: json, read } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);

    // The delegating shell: the route holds the literal config and re-exports the twin.
    expect(read('app/api/teams/[teamId]/billing/cancel/route.ts')).toBe(`export const maxDuration = 60;\nexport { handleRoutePOST as POST } from "@/lib/billing/cancel-route";\n`);
    const cancel = read('lib/billing/cancel-route.ts');
    // The original stays byte for byte, for Pages code and other importers.
    expect(cancel).toContain(CANCEL.split('\n').slice(4, 15).join('\n'));
    expect(cancel).toContain('export const OTHER = 1;');
    expect(cancel).toContain('type HandleRouteContext = { params: Promise<{ teamId: string }> };');
    expect(cancel).toContain('export async function handleRoutePOST(request: NextRequest, context: HandleRouteContext) {');
    expect(cancel).toContain('  const params = await context.params;');

    // One twin shared by two routes with the same segments; a chain through an index module ends at the declaration.
    expect(read('app/api/jobs/limits/route.ts')).toBe(`export { handleGET as GET, handleHEAD as HEAD } from "@/ee/limits/handler";\n`);
    expect(read('app/api/jobs/pause/route.ts')).toBe(`// API route: /api/jobs/pause\nexport { handleGET as GET, handleHEAD as HEAD } from "../../../../ee/limits/handler";\n`);
    expect(read('ee/limits/handler.ts')).toBe(`${`import { NextResponse } from 'next/server'\n${LIMITS}`}
// Route-handler version of handle, which routes re-export: returns a Response instead of sending it (next-pages-api-migrate).
export async function handleGET() {
  return NextResponse.json({ limits: 3 })
}

export async function handleHEAD() {
  return new Response(null, { status: 405 })
}
`);
    expect(read('ee/limits/index.ts')).toBe(files['ee/limits/index.ts']);

    // The module's config applies: bodyParser: false → the raw body.
    expect(read('app/api/raw/route.ts')).toBe(`export { rawGET as GET, rawPOST as POST, rawPUT as PUT, rawPATCH as PATCH, rawDELETE as DELETE } from "@/lib/config-module";\n`.replace(/raw(GET|POST|PUT|PATCH|DELETE) as/g, 'rawRoute as'));

    const reasons = Object.fromEntries(json.files.filter((f: { status: string }) => f.status === 'left').map((f: { source: string; reasons: Array<{ code: string; detail: string }> }) => [f.source, `${f.reasons[0].code}: ${f.reasons[0].detail}`]));
    expect(reasons).toEqual({
      'pages/api/jobs/pkg.ts': 'HANDLER_MODULE_UNRESOLVED: some-package/handler is a package, not a project module',
      'pages/api/jobs/loop.ts': 'HANDLER_MODULE_UNRESOLVED: the re-exports loop: lib/loop-a.ts → lib/loop-b.ts → lib/loop-a.ts',
      'pages/api/a/[id].ts': expect.stringMatching(/^HANDLER_MODULE_SHARED: lib\/shared.ts export default serves routes with different dynamic segments/),
      'pages/api/b/[slug].ts': expect.stringMatching(/^HANDLER_MODULE_SHARED/),
    });
    expect(json.updates.map((u: { path: string }) => u.path)).toEqual(['ee/limits/handler.ts', 'lib/billing/cancel-route.ts', 'lib/config-module.ts']);
    for (const left of ['pages/api/jobs/pkg.ts', 'pages/api/jobs/loop.ts', 'pages/api/a/[id].ts', 'pages/api/b/[slug].ts']) expect(existsSync(path.join(app, left))).toBe(true);

    // A second run changes nothing.
    expectSecondRunChangesNothing(app);
  });

  it('reads the config of a tab-indented route that hands on to a module as the file writes it', () => {
    // The parser's offsets count indenting tabs as spaces: the statement is read from the file's own lines.
    const shell = `import { NextApiRequest, NextApiResponse } from "next";\n\nimport { handleRoute } from "@/lib/billing/cancel-route";\n\nfunction logged(teamId: string) {\n\tif (teamId) {\n\t\tconsole.log(teamId);\n\t}\n}\n\nexport const config = {\n\tmaxDuration: 30,\n};\n\nexport default async function handle(req: NextApiRequest, res: NextApiResponse) {\n\tlogged(String(req.query.teamId));\n\treturn handleRoute(req, res);\n}\n`;
    const { result, read } = migrateApp({ 'tsconfig.json': files['tsconfig.json'], 'lib/log.ts': files['lib/log.ts'], 'lib/billing/cancel-route.ts': CANCEL, 'pages/api/teams/[teamId]/billing/cancel.ts': shell });
    expect(result.code, result.stderr).toBe(0);
    // The module's twin is made with the route's config (it read as a syntax error in that module before).
    expect(read('app/api/teams/[teamId]/billing/cancel/route.ts')).toContain('export const maxDuration = 30;\n');
    expect(read('app/api/teams/[teamId]/billing/cancel/route.ts')).toContain('return await handleRouteRoute(request, context);');
    expect(read('lib/billing/cancel-route.ts')).toContain('export async function handleRouteRoute(');
  });

  it('a module re-export whose config is not declared in that module is left with CONFIG_UNREADABLE', () => {
    const app = makeApp({ 'lib/h.ts': LIMITS, 'pages/api/h.ts': `export { default, config } from "../../lib/h";\n` });
    const result = runCli(['run', app, '--dry', '--next', '15.5.29']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CONFIG_UNREADABLE');
  });
});

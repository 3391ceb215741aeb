/**
 * next.config's pageExtensions decide which pages/api files Next.js serves, and how route files are named: only those
 * files are migrated (a module beside them is no route and must not become one), each to `route.<extension>`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, migrateApp, removeTempDirs, requireBuild, runCli } from './helpers.js';

const HELLO = `import type { NextApiRequest, NextApiResponse } from 'next'
import { greet } from './greet'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ message: greet(String(req.query.name)) })
}
`;
// A module in pages/api that Next.js does not serve under these extensions: it is imported, never answered.
const GREET = `export default function handler(req: unknown, res: { json(x: unknown): void }) {
  res.json({ exposed: true })
}
export const greet = (name: string) => \`hello \${name}\`
`;

describe('pageExtensions', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('migrates only the pages, to route files with their extension, and leaves the modules beside them', () => {
    const { app, result, report, read } = migrateApp({
      'next.config.js': `/** @type {import('next').NextConfig} */\nmodule.exports = { reactStrictMode: true, pageExtensions: ['page.tsx', 'page.ts'] }\n`,
      'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
      'pages/api/hello.page.ts': HELLO,
      'pages/api/index.page.ts': `export default function handler(req: any, res: any) {\n  res.status(200).json({ ok: true })\n}\n`,
      'pages/api/greet.ts': GREET,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(read('app/api/hello/route.page.ts')).toContain(`import { greet } from '../../../pages/api/greet'`);
    expect(existsSync(path.join(app, 'app/api/route.page.ts'))).toBe(true);
    expect(existsSync(path.join(app, 'app/api/greet'))).toBe(false);
    expect(read('pages/api/greet.ts')).toBe(GREET);
    expect(report.files.map((f: { source: string; status: string }) => [f.source, f.status])).toEqual([
      ['pages/api/greet.ts', 'not-handler'],
      ['pages/api/hello.page.ts', 'migrated'],
      ['pages/api/index.page.ts', 'migrated'],
    ]);
    expect(report.files[0].reasons[0]).toMatchObject({ code: 'NOT_A_PAGE', detail: 'Next.js serves only files ending in .page.tsx, .page.ts (pageExtensions)' });
    expect(report.files[1].target).toBe('app/api/hello/route.page.ts');
    expect(report.files[2].target).toBe('app/api/route.page.ts');
    // check knows the route files by the same extensions, and no handler remains.
    const check = runCli(['check', app]);
    expect(check.code, check.stdout).toBe(0);
  });

  it("leaves a .mjs module in pages/api alone by default: Next.js's pages are .tsx .ts .jsx .js", () => {
    const { app, result, report } = migrateApp({
      'pages/api/ok.js': `export default function handler(req, res) {\n  res.status(200).json({ ok: true })\n}\n`,
      'pages/api/util.mjs': `export default function handler(req, res) {\n  res.json({ exposed: true })\n}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(app, 'app/api/util'))).toBe(false);
    expect(existsSync(path.join(app, 'pages/api/util.mjs'))).toBe(true);
    expect(report.files.map((f: { source: string; status: string }) => [f.source, f.status])).toEqual([
      ['pages/api/ok.js', 'migrated'],
      ['pages/api/util.mjs', 'not-handler'],
    ]);
  });

  it('stops with one sentence when pageExtensions is not a literal list', () => {
    for (const config of [`const exts = ['ts'].map((e) => e)\nexport default { pageExtensions: exts }\n`, `let exts = ['ts']\nexport default { pageExtensions: exts }\n`, `const exts = ['ts']\nexts.sort()\nexport default { pageExtensions: exts }\n`]) {
      const app = makeApp({ 'next.config.mjs': config, 'pages/api/a.ts': `export default function handler(req: any, res: any) { res.end() }\n` });
      const result = runCli(['run', app, '--dry', '--next', '15.5.29']);
      expect(result.code, config).toBe(1);
      expect(result.stderr).toContain('next.config.mjs sets pageExtensions to something other than one list of strings');
    }
  });
  it("reads a const list and what the config pushes onto it, and stops on a file that only a conditional extension serves", () => {
    const handler = `export default function handler(req: any, res: any) {\n  res.status(200).json({ ok: true })\n}\n`;
    // aave's shape: the API files end in an extension every build serves; a condition adds extensions of pages.
    const config = `const pageExtensions = ['page.tsx', 'ts'];\npageExtensions.push('api.js');\nif (process.env.GOVERNANCE === 'true') pageExtensions.push('governance.tsx', 'extra.ts');\nmodule.exports = { pageExtensions };\n`;
    const { result, report } = migrateApp({ 'next.config.js': config, 'pages/api/a.ts': handler, 'pages/api/b.api.js': handler.replace(/: any/g, '') });
    expect(result.code, result.stderr).toBe(0);
    expect(report.files.map((f: { source: string; target: string; status: string }) => [f.source, f.target, f.status])).toEqual([
      ['pages/api/a.ts', 'app/api/a/route.ts', 'migrated'],
      ['pages/api/b.api.js', 'app/api/b/route.api.js', 'migrated'],
    ]);
    const unsure = makeApp({ 'next.config.js': config, 'pages/api/a.ts': handler, 'pages/api/vote.governance.tsx': handler });
    const stopped = runCli(['run', unsure, '--dry', '--next', '15.5.29']);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('pages/api/vote.governance.tsx is served as a route ending in .governance.tsx only in builds where next.config adds governance.tsx to pageExtensions, which it does under a condition');
  });
  it('knows the route and page files already in app/ by the same extensions', () => {
    const handler = `export default function handler(req: any, res: any) {\n  res.status(200).json({ ok: true })\n}\n`;
    const { result, report } = migrateApp({
      'next.config.js': `module.exports = { pageExtensions: ['page.ts', 'page.tsx'] }\n`,
      'pages/api/hello.page.ts': handler,
      'pages/api/bye.page.ts': handler,
      'pages/api/same.page.ts': handler,
      'app/(grp)/api/hello/route.page.ts': 'export async function GET() {\n  return Response.json({})\n}\n',
      'app/api/bye/page.page.tsx': 'export default function Page() {\n  return null\n}\n',
      'app/api/same/route.page.ts': 'export async function GET() {\n  return Response.json({})\n}\n',
    });
    expect(result.code, result.stderr).toBe(0);
    const reasons = Object.fromEntries(report.files.map((f: { source: string; status: string; reasons: Array<{ code: string }> }) => [f.source, `${f.status} ${f.reasons[0]?.code}`]));
    expect(reasons).toEqual({
      'pages/api/bye.page.ts': 'conflict PAGE_IN_FOLDER',
      'pages/api/hello.page.ts': 'conflict URL_TAKEN',
      'pages/api/same.page.ts': 'conflict TARGET_EXISTS',
    });
  });
  it('reads a page in a TypeScript module extension when pageExtensions has it (a.mts → route.mts), and lists it as no page otherwise', () => {
    const handler = `export default function handler(req: any, res: any) {\n  res.status(200).json({ ok: true })\n}\n`;
    const withMts = migrateApp({ 'next.config.mjs': `export default { pageExtensions: ['ts', 'mts'] }\n`, 'pages/api/a.mts': handler });
    expect(withMts.result.code, withMts.result.stderr).toBe(0);
    expect(withMts.report.files.map((f: { source: string; target: string; status: string }) => [f.source, f.target, f.status])).toEqual([['pages/api/a.mts', 'app/api/a/route.mts', 'migrated']]);
    const without = migrateApp({ 'pages/api/a.mts': handler, 'pages/api/b.ts': handler });
    expect(without.report.files.map((f: { source: string; status: string; reasons: Array<{ code: string }> }) => [f.source, f.status, f.reasons[0]?.code])).toEqual([
      ['pages/api/a.mts', 'not-handler', 'NOT_A_PAGE'],
      ['pages/api/b.ts', 'migrated', undefined],
    ]);
  });
  it('follows a handler re-exported from a module beside the pages that Next.js does not serve', () => {
    const { result, report, read } = migrateApp({
      'next.config.js': `module.exports = { pageExtensions: ['page.ts'] }\n`,
      'pages/api/b.page.ts': `export { default } from './_lib/handler'\n`,
      'pages/api/_lib/handler.ts': `export default function handler(req: any, res: any) {\n  res.status(200).json({ ok: true })\n}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/b.page.ts').status).toBe('migrated');
    expect(read('app/api/b/route.page.ts')).toContain(`from '../../../pages/api/_lib/handler'`);
  });
});

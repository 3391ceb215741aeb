/**
 * Formatting with the app's own Prettier, installed for real from the npm registry (pinned; npm's cache makes the
 * second run fast). The tool itself ships no Prettier: it loads the app's, and only when the app has a config.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, git, read, removeTempDirs, requireBuild, runCli, tempDir, writeFiles, PACKAGE_JSON } from './helpers.js';

const PRETTIER = '3.10.1';

/** One folder with node_modules/prettier; the apps live in folders under it, so Node finds it from each of them. */
let withPrettier: string;

beforeAll(() => {
  requireBuild();
  withPrettier = tempDir('migrate-prettier-');
  writeFiles(withPrettier, { 'package.json': '{ "name": "workspace", "private": true }\n' });
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-exact', `prettier@${PRETTIER}`], {
    cwd: withPrettier,
    env: childEnv(),
    encoding: 'utf8',
  });
  if (install.status !== 0) throw new Error(`npm install prettier@${PRETTIER} failed:\n${install.stderr}`);
}, 240_000);
afterAll(removeTempDirs);

function appIn(parent: string, name: string, files: Record<string, string>): string {
  const dir = path.join(parent, name);
  writeFiles(dir, { 'package.json': PACKAGE_JSON, 'tsconfig.json': '{}\n', ...files });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

function prettierCheck(app: string, ...files: string[]) {
  return spawnSync(process.execPath, [path.join(withPrettier, 'node_modules/prettier/bin/prettier.cjs'), '--check', ...files], { cwd: app, encoding: 'utf8' });
}

// Single quotes, no semicolons, 2 spaces; a long import that Prettier wraps at printWidth 60 (so the marker below it
// moves down), a config key with no App Router equivalent (a TODO(migrate) marker), and req.body (the compat module).
const HANDLER = `import { alphaValue, betaValue, gammaValue } from '../../lib/values'

export const config = { unstable_includeFiles: ['data/**'] }

export default function handler(req, res) {
  if (req.method === 'POST') {
    return res.status(201).json({ created: req.body, sum: alphaValue + betaValue + gammaValue })
  }
  res.status(200).json({ ok: true })
}
`;
const CONFIG = '{ "semi": true, "singleQuote": false, "tabWidth": 4, "printWidth": 60 }\n';

describe('with the app\'s Prettier and a Prettier config', () => {
  it('formats every written file with the app\'s config, and the report gives the lines as written', () => {
    const app = appIn(withPrettier, 'formatted', { '.prettierrc': CONFIG, 'lib/values.ts': 'export const alphaValue = 1\n', 'pages/api/sum.ts': HANDLER });
    const reportFile = path.join(tempDir(), 'report.json');
    const result = runCli(['run', app, '--yes', '--verbose', '--report', reportFile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`formatting: Prettier ${PRETTIER} with .prettierrc.`);

    const route = read(app, 'app/api/sum/route.ts');
    expect(route).toContain('import {\n    alphaValue,\n    betaValue,\n    gammaValue,\n} from "../../../lib/values";');
    const check = prettierCheck(app, 'app/api/sum/route.ts', 'app/api/_migrate/pages-compat.ts');
    expect(check.stderr + check.stdout).toContain('All matched files use Prettier code style!');
    expect(check.status).toBe(0);

    const [entry] = JSON.parse(readFileSync(reportFile, 'utf8')).files;
    const lines = route.split('\n');
    expect(entry.markers).toHaveLength(1);
    expect(lines[entry.markers[0].line - 1].trim()).toBe(entry.markers[0].text);
    expect(entry.reasons[0]).toMatchObject({ code: 'CONFIG_DROPPED', line: entry.markers[0].line });
    expect(entry.markers[0].line).toBeGreaterThan(3); // below the wrapped import, not where the unformatted route had it
  });

  it('shows the formatted files in the --dry diff', () => {
    const app = appIn(withPrettier, 'dry', { '.prettierrc': CONFIG, 'pages/api/sum.ts': HANDLER });
    const { stdout } = runCli(['run', app, '--dry']);
    expect(stdout).toContain('+import {\n+    NextResponse,\n+    type NextRequest,\n+} from "next/server";');
    expect(stdout).toContain('+    return NextResponse.json({ ok: true });');
  });

  it('leaves files that .prettierignore lists as the tool writes them', () => {
    const app = appIn(withPrettier, 'ignored', { '.prettierrc': CONFIG, '.prettierignore': 'app/api/_migrate/\n', 'pages/api/sum.ts': HANDLER });
    expect(runCli(['run', app, '--yes']).code).toBe(0);
    expect(prettierCheck(app, 'app/api/sum/route.ts').status).toBe(0);
    expect(read(app, 'app/api/_migrate/pages-compat.ts')).toContain("from 'next/server';");
  });
});

describe('without a Prettier config or without the package, the output keeps the source\'s style', () => {
  // Double quotes, no semicolons, tabs.
  const TABS = 'export default function handler(req, res) {\n\tif (req.method === "POST") {\n\t\treturn res.status(201).json({ created: true })\n\t}\n\tres.status(200).json({ ok: true })\n}\n';
  // Single quotes, semicolons, 4 spaces.
  const FOUR = "export default function handler(req, res) {\n    if (req.method === 'POST') {\n        return res.status(201).json({ created: true });\n    }\n    res.status(200).json({ ok: true });\n}\n";

  function expectStyle(route: string, style: { quote: string; semi: boolean; indent: string }) {
    const code = route.split('\n').filter((line) => line.trim() !== '');
    expect(route).toContain(`from ${style.quote}next/server${style.quote}`);
    for (const line of code.filter((l) => /^\s/.test(l))) expect(line.startsWith(style.indent), JSON.stringify(line)).toBe(true);
    const statements = code.filter((l) => /^\s*(return|import|const)\b/.test(l));
    expect(statements.length).toBeGreaterThan(1);
    for (const line of statements) expect(line.endsWith(';'), line).toBe(style.semi);
  }

  it('Prettier installed but no config: the source\'s quotes, semicolons and indentation', () => {
    const app = appIn(withPrettier, 'no-config', { 'pages/api/tabs.ts': TABS, 'pages/api/four.js': FOUR });
    const result = runCli(['run', app, '--yes', '--verbose']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Prettier ${PRETTIER} is installed but no config applies at the app root`);
    expectStyle(read(app, 'app/api/tabs/route.ts'), { quote: '"', semi: false, indent: '\t' });
    expectStyle(read(app, 'app/api/four/route.js'), { quote: "'", semi: true, indent: '    ' });
  });

  it('a config but no prettier package: the same, and nothing is loaded from elsewhere', () => {
    const outside = tempDir('migrate-noprettier-');
    const app = appIn(outside, 'app', { '.prettierrc': CONFIG, 'pages/api/tabs.ts': TABS });
    const result = runCli(['run', app, '--yes', '--verbose']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("formatting: no prettier package in the app: written files keep the source's style.");
    expectStyle(read(app, 'app/api/tabs/route.ts'), { quote: '"', semi: false, indent: '\t' });
  });
});

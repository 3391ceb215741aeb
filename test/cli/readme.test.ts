import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_BASE, REASONS, docsLink, type Reason } from '../../src/diagnostics.js';
import { REPO_ROOT, SIMPLE_HANDLER, makeApp, read, removeTempDirs, requireBuild, runCli } from './helpers.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** How GitHub turns a heading into its anchor: lower case; letters, digits, spaces, `-` and `_` kept; spaces → `-`. */
function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`README has no "## ${title}" section`);
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next === -1 ? undefined : next);
}

describe('README', () => {
  it('opens with the two set-up commands, and package.json has their scripts', () => {
    const opening = readme.split('\n').filter((line) => line.trim() !== '').slice(0, 5).join('\n');
    expect(opening).toMatch(/^# next-pages-api-migrate\n```sh\nnpm ci && npm run example\b.*\nnpm ci && npm test\b.*\n```/);
    expect(pkg.scripts.example).toContain('--dry');
    expect(pkg.scripts.test).toContain('npm run build');
  });

  it('has one "### CODE" heading per reason under "## Reason codes", and no other', () => {
    const headings = [...section('Reason codes').matchAll(/^### (.+)$/gm)].map((m) => m[1].trim());
    expect([...headings].sort()).toEqual(Object.keys(REASONS).sort());
    // Anchors are unique in the whole README, or GitHub would suffix them (-1, -2).
    const allAnchors = [...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => githubAnchor(m[1]));
    expect(new Set(allAnchors).size).toBe(allAnchors.length);
  });

  it('gives every reason a docs link that reaches its heading', () => {
    for (const reason of Object.keys(REASONS) as Reason[]) {
      expect(docsLink(reason)).toBe(`${DOCS_BASE}#${githubAnchor(reason)}`);
    }
    expect(DOCS_BASE).toMatch(/README\.md$/);
  });

  it('has the sections other people fill in or rely on', () => {
    expect(section('What the transform migrates')).toBeTruthy();
    expect(section('Not migrated yet')).toMatch(/withSentry/);
    expect(section('CLI reference')).toContain('"version": 1');
  });
});

describe('README and the built command line', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  /** The long flags a command's --help lists. */
  function flagsOf(command: string): string[] {
    const help = runCli([command, '--help']).stdout;
    return [...new Set([...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]))].filter((flag) => flag !== '--help');
  }

  it('documents every flag of run and check in the CLI reference', () => {
    const reference = section('CLI reference');
    const run = flagsOf('run');
    const check = flagsOf('check');
    expect(run).toEqual(expect.arrayContaining(['--dry', '--stat', '--report', '--only', '--quiet', '--verbose']));
    expect(check).toEqual(expect.arrayContaining(['--only', '--json', '--quiet', '--verbose']));
    for (const flag of [...run, ...check]) expect(reference, `${flag} is not in the CLI reference`).toMatch(new RegExp(`\`${flag}[\` ]`));
  });

  it('is where the marker of a migrated route links: a section on the reason that says what to do', () => {
    const app = makeApp({ 'pages/api/cfg.ts': `export const config = { unstable_includeFiles: ['data/**'] }\n\n${SIMPLE_HANDLER}` });
    expect(runCli(['run', app, '--yes']).code).toBe(0);
    const marker = read(app, 'app/api/cfg/route.ts').split('\n').find((line) => line.includes('TODO(migrate)'));
    const link = /(https:\/\/\S+)#(\w+)$/.exec(marker ?? '');
    expect(link?.[1]).toBe(DOCS_BASE);
    const heading = [...readme.matchAll(/^### (.+)$/gm)].find((m) => githubAnchor(m[1]) === link?.[2]);
    expect(heading?.[1]).toBe('CONFIG_DROPPED');
    const body = section('Reason codes').split('\n### CONFIG_DROPPED\n')[1].split('\n### ')[0].trim();
    expect(body).toMatch(/^\*Review\.\*/);
    expect(body).toContain('Check that the route does not depend on it');
  });
});

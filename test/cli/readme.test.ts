import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS_BASE, REASONS, docsLink, type Reason } from '../../src/diagnostics.js';
import { REPO_ROOT } from './helpers.js';

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
    expect(section('Not migrated yet')).toMatch(/withAuth/);
    expect(section('CLI reference')).toContain('"version": 1');
  });
});

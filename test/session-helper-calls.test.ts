/**
 * A route that calls a session helper (transforms/lib/session-helper.ts) and is left: the reason names the helper and
 * why, where the request rewrite stops at that call, and stays the rewrite's own where it stops elsewhere first.
 */
import { describe, expect, it } from 'vitest';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';
import type { ImportedHelper } from '../transforms/types.js';

const context = (importedHelpers: ImportedHelper[]) => ({ sourcePath: 'pages/api/x.ts', targetPath: 'app/api/x/route.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29', importedHelpers });
const declined: ImportedHelper = { kind: 'session', specifier: '@/lib/session', imported: 'getSession', twin: '', resIndex: -1, statuses: [], declined: 'its getServerSession options are built from req or res' };
const twinned: ImportedHelper = { kind: 'session', specifier: '@/lib/session', imported: 'getSession', twin: 'getSessionForRoute', resIndex: 0, statuses: [], sessionArgs: { req: 0, res: 0 } };

const route = (body: string) => `import type { NextApiRequest, NextApiResponse } from 'next';
import { getSession } from '@/lib/session';
import { throwIfNoAccess } from '@/lib/access';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
${body}
  res.status(200).json({ ok: true });
}
`;

const details = (source: string, helper: ImportedHelper) => transformSource(source, context([helper])).diagnostics.map((d) => [d.reason, d.line, d.detail]);

describe('session helper calls left in place', () => {
  it('names a declined helper passed req and res apart', () => {
    expect(details(route('  const session = await getSession(req, res);'), declined)).toEqual([
      ['REQ_ESCAPES', 6, "req is passed to getSession(), a helper of '@/lib/session': its getServerSession options are built from req or res"],
    ]);
  });

  it('names a twinned helper whose call passes more than { req, res }, over several lines', () => {
    expect(details(route('  const session = await getSession({\n    req,\n    res,\n    strict: true,\n  });'), twinned)).toEqual([
      ['REQ_ESCAPES', 7, "req is passed to getSession(), a helper of '@/lib/session': its route-handler version takes no req and res, and this call passes more than { req, res }"],
    ]);
  });

  it('calls a request named `request` so where it speaks of the handler, not in the helper\'s why', () => {
    // The transform renames it (the App Router request takes `request`); the helper's why speaks of its own req.
    const source = route('  const session = await getSession(req, res);').replace('handler(req: NextApiRequest', 'handler(request: NextApiRequest').replace('getSession(req, res)', 'getSession(request, res)');
    expect(details(source, declined)).toEqual([['REQ_ESCAPES', 6, "request is passed to getSession(), a helper of '@/lib/session': its getServerSession options are built from req or res"]]);
  });

  it('keeps the reason of an earlier escape elsewhere', () => {
    expect(details(route('  await throwIfNoAccess(req, res);\n  const session = await getSession(req, res);'), declined)).toEqual([['REQ_ESCAPES', 6, 'req is passed to throwIfNoAccess()']]);
  });
});

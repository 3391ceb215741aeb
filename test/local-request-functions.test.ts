/**
 * Functions of the route's own file that the handler passes its request to (transforms/lib/local-request-functions.ts):
 * the report names each one that stays, and says why; a handler of another module that calls one is not twinned,
 * since rewriting the function there would change what the original handler calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';
import { twinRouteHandler } from '../transforms/handler-twin.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'transform');

function leftDetail(name: string, targetPath: string, extra: object = {}): string | undefined {
  const source = readFileSync(join(dir, `${name}.input.ts`), 'utf8');
  const sourcePath = targetPath.replace(/^app\//, 'pages/').replace(/\/route\.ts$/, '.ts');
  const result = transformSource(source, { sourcePath, targetPath, compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29', ...extra });
  expect(result.status).toBe('left');
  return result.diagnostics[0]?.detail;
}

describe('same-file functions passed the request', () => {
  it('names the function left and says why', () => {
    expect(leftDetail('local-request-fn-answers-left', 'app/api/a/route.ts')).toBe('req is passed to requireUser(), a function of this file: it uses res.status');
    expect(leftDetail('local-request-fn-query-write-left', 'app/api/items/[id]/route.ts')).toBe('req is passed to pageOf(), a function of this file: it uses req as a handler could not');
    expect(leftDetail('local-request-fn-other-res-left', 'app/api/a/route.ts')).toBe('req is passed to userOf(), a function of this file: its calls do not all pass res in the same place');
    expect(leftDetail('local-request-fn-other-caller-left', 'app/api/a/route.ts')).toBe('req is passed to describe(), a function of this file: it is used elsewhere than in direct calls from the handler');
    expect(leftDetail('local-request-fn-stream-left', 'app/api/a/route.ts')).toBe('req is passed to readRaw(), a function of this file: it uses req as a handler could not (req.on)');
    const exportsModule = { modulePath: 'app/api/a/shared.ts', routeSpecifier: './shared' };
    expect(leftDetail('local-request-fn-exported-left', 'app/api/a/route.ts', { exportsModule })).toBe("req is passed to tokenOf(), a function of this file: it moves with the file's other exports, which other modules import");
  });

  it('keeps them in a handler module, whose original handler still calls them', () => {
    const module = `import type { NextApiRequest, NextApiResponse } from 'next'

export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  res.json({ agent: agentOf(req) })
}

function agentOf(req: NextApiRequest) {
  return req.headers['user-agent'] ?? null
}
`;
    const result = twinRouteHandler(module, { modulePath: 'lib/handlers/agent.ts', exportName: 'default', routeTarget: 'app/api/agent/route.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' });
    expect(result).toEqual({ left: { reason: 'REQ_ESCAPES', detail: "in lib/handlers/agent.ts: req is passed to agentOf(), a function of this file: the module's Pages handler calls it too" } });
  });
});

/** The route-handler twin of a handler that lives in another module (transforms/handler-twin.ts). */
import { describe, expect, it } from 'vitest';
import { twinRouteHandler } from '../transforms/handler-twin.js';

const ctx = { modulePath: 'lib/handlers/echo.ts', exportName: 'default', routeTarget: 'app/api/echo/route.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' };

const ECHO = `import type { NextApiRequest, NextApiResponse } from 'next'

// Echoes the method.
const echo = (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ method: req.method })
}

export const LABEL = 'echo'
export default echo
`;

describe('twinRouteHandler', () => {
  it('adds the twin after the original, which stays as it was, with the imports it needs', () => {
    const result = twinRouteHandler(ECHO, ctx);
    expect('output' in result && result.output).toBe(`import { NextResponse, type NextRequest } from 'next/server'
import type { NextApiRequest, NextApiResponse } from 'next'

// Echoes the method.
const echo = (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ method: req.method })
}

// Route-handler version of echo, which routes re-export: returns a Response instead of sending it (next-pages-api-migrate).
export async function echoRoute(request: NextRequest) {
  return NextResponse.json({ method: request.method })
}

export const LABEL = 'echo'
export default echo
`);
    expect('exports' in result && result.exports).toEqual([{ twin: 'echoRoute', methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] }]);
  });

  it('reports a module that does not parse as its syntax error, and a copy of it that does not as an internal error', () => {
    const broken = twinRouteHandler('export default function echo(req, res) {\n  res.json({ ok: true }\n}\n', ctx);
    expect('left' in broken && broken.left.reason).toBe('PARSE_ERROR');
    // The route's config statement goes into the module's copy: a bad one is the tool's fault, not the module's.
    const badConfig = twinRouteHandler(ECHO, { ...ctx, configStatement: 'export const config = {' });
    expect('left' in badConfig && badConfig.left.reason).toBe('INTERNAL_ERROR');
    // A name imported twice is the module's own error, which its copy carries.
    const twice = twinRouteHandler(`import { db } from './db'\nimport * as db from './other'\n${ECHO}`, ctx);
    expect('left' in twice && twice.left.reason).toBe('PARSE_ERROR');
  });

  it('keeps CRLF line endings and a BOM', () => {
    const result = twinRouteHandler(`\uFEFF${ECHO.replace(/\n/g, '\r\n')}`, ctx);
    expect('output' in result && result.output.startsWith('\uFEFFimport { NextResponse')).toBe(true);
    expect('output' in result && result.output.split('\n').every((line, i, all) => i === all.length - 1 || line.endsWith('\r'))).toBe(true);
  });

  it('a named export, with the route params of the route that re-exports it', () => {
    const text = `export async function handleRoute(req, res) {\n  if (req.method !== 'POST') return res.status(405).end()\n  res.json({ team: req.query.teamId })\n}\n`;
    const result = twinRouteHandler(text, { ...ctx, modulePath: 'lib/cancel.js', exportName: 'handleRoute', routeTarget: 'app/api/teams/[teamId]/route.js', nextVersion: '14.2.35' });
    expect('output' in result && result.output).toContain(`export async function handleRoutePOST(_request, context) {\n  const params = context.params\n  return NextResponse.json({ team: params.teamId })\n}`);
    expect('head' in result && result.head).toEqual([]);
  });

  it('Next 14 GET routes get force-dynamic in the route, not in the module', () => {
    const result = twinRouteHandler(ECHO, { ...ctx, nextVersion: '14.2.35' });
    expect('head' in result && result.head).toEqual([expect.stringMatching(/^export const dynamic = 'force-dynamic';?$/)]);
    expect('output' in result && result.output).not.toContain('dynamic');
  });

  it('leaves a module whose local res helper the migration would change (the original handler still calls it)', () => {
    const text = `function fail(res, status) {\n  res.status(status).json({ error: true })\n}\nexport default function h(req, res) {\n  if (!req.query.ok) return fail(res, 400)\n  res.json({ ok: true })\n}\n`;
    expect(twinRouteHandler(text, { ...ctx, modulePath: 'lib/h.js' })).toEqual({ left: { reason: 'HANDLER_MODULE_SHARED', detail: expect.stringContaining('in lib/h.js: migrating the handler would also change other code') } });
  });

  it('gives the transform’s own reason, naming the module', () => {
    const text = `import { getSession } from 'auth'\nexport default async function h(req, res) {\n  const s = await getSession(req)\n  res.json(s)\n}\n`;
    const result = twinRouteHandler(text, { ...ctx, modulePath: 'lib/h.js' });
    expect(result).toEqual({ left: { reason: 'REQ_ESCAPES', detail: expect.stringMatching(/^in lib\/h\.js.*: req is passed to getSession\(\)/) } });
  });

  it('an export that is not a function', () => {
    expect(twinRouteHandler(`export default withAuth(handler)\n`, { ...ctx, modulePath: 'lib/h.js' })).toEqual({ left: { reason: 'HANDLER_NOT_FOUND', detail: 'in lib/h.js: the export default is not a function' } });
  });
  it('twins a handler whose same-file sub-handler it inlines: the module keeps the sub-handler for its Pages handler', () => {
    const text = `import type { NextApiRequest, NextApiResponse } from 'next'

const handler = async (req: NextApiRequest, res: NextApiResponse) => {
  switch (req.method) {
    case 'PATCH':
      await handlePATCH(req, res)
      break
    default:
      res.status(405).json({ error: 'not allowed' })
  }
}

const handlePATCH = async (req: NextApiRequest, res: NextApiResponse) => {
  res.json({ patched: req.body })
}

export default handler
`;
    const result = twinRouteHandler(text, { ...ctx, modulePath: 'ee/product/api.ts', routeTarget: 'app/api/product/route.ts' });
    expect('output' in result, JSON.stringify(result)).toBe(true);
    if (!('output' in result)) return;
    expect(result.exports).toEqual([{ twin: 'handlerPATCH', methods: ['PATCH'] }]);
    expect(result.output).toContain(text.split('\n').slice(13, 16).join('\n'));
    expect(result.output).toContain('export async function handlerPATCH(request: NextRequest) {');
    expect(result.output).toContain('return NextResponse.json({ patched: body })');
  });
});

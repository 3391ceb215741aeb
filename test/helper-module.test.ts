/** Route-handler twins for helpers in other modules that take `res` (transforms/helper-module.ts). */
import { describe, expect, it } from 'vitest';
import { twinResponseHelpers } from '../transforms/helper-module.js';

const context = { modulePath: 'lib/errors.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' };

const MODULE = `import type { NextApiRequest, NextApiResponse } from 'next';

export function sendError(res: NextApiResponse, status: number, message: string) {
  return res.status(status).json({ error: message });
}

export const notFound = (res: NextApiResponse) => res.status(404).end('Not found');

export function maybeFail(res: NextApiResponse, failed: boolean) {
  if (failed) res.status(500).end();
}

export function withRequest(req: NextApiRequest, res: NextApiResponse) {
  return res.json({ url: req.url });
}
`;

describe('helper module twins', () => {
  it('adds a twin after each helper that answers on every path, and keeps the originals', () => {
    const result = twinResponseHelpers(MODULE, context, ['sendError', 'notFound']);
    expect(result.twins).toEqual([
      { name: 'notFound', twin: 'notFoundResponse', resIndex: 0, statuses: [404] },
      { name: 'sendError', twin: 'sendErrorResponse', resIndex: 0, statuses: [null] },
    ]);
    expect(result.output).toBe(`import { NextResponse } from 'next/server';
import type { NextApiRequest, NextApiResponse } from 'next';

export function sendError(res: NextApiResponse, status: number, message: string) {
  return res.status(status).json({ error: message });
}

// Route-handler version of sendError: returns the Response instead of sending it (next-pages-api-migrate).
export function sendErrorResponse(status: number, message: string) {
  return NextResponse.json({ error: message }, { status });
}

export const notFound = (res: NextApiResponse) => res.status(404).end('Not found');

// Route-handler version of notFound: returns the Response instead of sending it (next-pages-api-migrate).
export const notFoundResponse = () => {
  return new Response('Not found', { status: 404 });
};

export function maybeFail(res: NextApiResponse, failed: boolean) {
  if (failed) res.status(500).end();
}

export function withRequest(req: NextApiRequest, res: NextApiResponse) {
  return res.json({ url: req.url });
}
`);
  });

  it('twins nothing for a helper that may not answer, or that also takes the request', () => {
    expect(twinResponseHelpers(MODULE, context, ['maybeFail', 'withRequest'])).toEqual({ twins: [] });
  });

  it('keeps CRLF line endings and leaves a module it cannot parse alone', () => {
    const crlf = twinResponseHelpers(MODULE.replace(/\n/g, '\r\n'), context, ['notFound']);
    expect(crlf.output).toContain('export const notFoundResponse = () => {\r\n');
    expect(crlf.output?.replace(/\r\n/g, '')).not.toContain('\n');
    expect(twinResponseHelpers('export function (', context, ['x'])).toEqual({ twins: [] });
  });
});

/**
 * A whole-body reader imported from a project module (`await readRawBody(req)` in a webhook with `bodyParser: false`):
 * the plan reads the module and confirms the reader's shape (a `for await` loop, or the stream's events in a promise),
 * and the route reads the same bytes with `request.arrayBuffer()` (and the same text, for a reader that gave it). A reader that does more than gather the chunks (a size limit) is the module's own
 * behaviour: its importer stays, and so does a handler whose Pages body parser had already read the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const WEBHOOK = (specifier: string, reader: string, bodyParser = false) => `import type { NextApiRequest, NextApiResponse } from 'next'
import { createHmac } from 'node:crypto'
import { ${reader} } from '${specifier}'

export const config = { api: { bodyParser: ${bodyParser} } }

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end()
  const raw = await ${reader}(req)
  const signature = createHmac('sha256', 'secret').update(raw).digest('hex')
  res.status(200).json({ signature, bytes: raw.length })
}
`;

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'lib/raw-body.ts': `import type { NextApiRequest } from 'next'

/** The request's bytes, for signature checks. */
export async function readRawBody(req: NextApiRequest): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req as any) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  }
  return Buffer.concat(chunks)
}

/** The same bytes through the stream's events. */
export function readByEvents(req: NextApiRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', (err) => reject(err))
  })
}

/** The body's text, decoded whole. */
export const readText = async (req: NextApiRequest) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

export const readLimited = async (req: NextApiRequest) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    if (chunks.length > 100) throw new Error('too many chunks')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
`,
  'pages/api/webhooks/mail.ts': WEBHOOK('@/lib/raw-body', 'readRawBody'),
  'pages/api/webhooks/sms.ts': WEBHOOK('../../../lib/raw-body', 'readRawBody'),
  'pages/api/webhooks/events.ts': WEBHOOK('@/lib/raw-body', 'readByEvents'),
  'pages/api/webhooks/text.ts': WEBHOOK('@/lib/raw-body', 'readText'),
  'pages/api/webhooks/limited.ts': WEBHOOK('@/lib/raw-body', 'readLimited'),
  'pages/api/webhooks/parsed.ts': WEBHOOK('@/lib/raw-body', 'readRawBody', true),
};

describe('a whole-body reader imported from a project module', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('reads the bytes with request.arrayBuffer() where the reader only gathers chunks and the body parser is off', () => {
    const { app, result, report, read } = migrateApp(files);
    expect(result.code).toBe(0);
    const bySource = Object.fromEntries(report.files.map((f: { source: string }) => [f.source, f]));
    for (const source of ['pages/api/webhooks/mail.ts', 'pages/api/webhooks/sms.ts', 'pages/api/webhooks/events.ts', 'pages/api/webhooks/text.ts']) {
      expect(bySource[source]).toMatchObject({ status: 'migrated', methods: ['POST'], markers: [] });
    }
    const route = read('app/api/webhooks/mail/route.ts');
    expect(route).toContain('const raw = Buffer.from(await request.arrayBuffer())');
    // The reader's import went with its only call; the module stays for the Pages code that imports it.
    expect(route).not.toContain('raw-body');
    expect(read('app/api/webhooks/sms/route.ts')).toContain('const raw = Buffer.from(await request.arrayBuffer())');
    // The one of the stream's events reads the same bytes; the one that gave their text, the same text.
    expect(read('app/api/webhooks/events/route.ts')).toContain('const raw = Buffer.from(await request.arrayBuffer())');
    expect(read('app/api/webhooks/text/route.ts')).toContain("const raw = Buffer.from(await request.arrayBuffer()).toString('utf8')");
    expect(read('lib/raw-body.ts')).toBe(files['lib/raw-body.ts']);
    expect(bySource['pages/api/webhooks/limited.ts']).toMatchObject({ status: 'left' });
    expect(bySource['pages/api/webhooks/limited.ts'].reasons[0].detail).toContain('readLimited()');
    expect(bySource['pages/api/webhooks/parsed.ts']).toMatchObject({ status: 'left' });
    expect(bySource['pages/api/webhooks/parsed.ts'].reasons[0].detail).toContain('readRawBody()');
    expectSecondRunChangesNothing(app);
  });
});

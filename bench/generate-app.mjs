/**
 * Generates the benchmark inputs, deterministically (same count, same files):
 * - generateApp: a Next.js app whose pages/api holds `count` handlers of mixed shapes.
 * - generateCheckRepo: a repository of `count` files, laid out like a monorepo app half-way through its migration,
 *   for `migrate check`.
 * Usage: node bench/generate-app.mjs <dir> [count]      (an app with `count` handlers, default 2000)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PACKAGE_JSON = `${JSON.stringify({ name: 'bench-app', private: true, dependencies: { next: '^15.5.0', react: '19.1.0', 'react-dom': '19.1.0' } }, null, 2)}\n`;
const TYPES = `import type { NextApiRequest, NextApiResponse } from 'next'\n`;

/** The shapes a real pages/api holds, each a function of the handler's index so that no two files are equal. */
const SHAPES = [
  {
    // if/else method dispatch with the handler's own 405
    file: (i) => `r${i}.ts`,
    source: (i) => `${TYPES}import { db } from '${up(0)}lib/db'

const LIMIT = ${10 + (i % 50)}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === 'GET') {
    const items = await db.list('items-${i}', LIMIT)
    res.status(200).json({ items })
  } else if (req.method === 'POST') {
    const item = await db.create('items-${i}', req.body)
    res.status(201).json(item)
  } else {
    res.setHeader('Allow', ['GET', 'POST'])
    res.status(405).end(\`Method \${req.method} Not Allowed\`)
  }
}
`,
  },
  {
    // switch dispatch on a dynamic segment
    file: (i) => `r${i}/[id].ts`,
    source: (i) => `${TYPES}import { db } from '${up(1)}lib/db'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const id = req.query.id as string
  switch (req.method) {
    case 'GET': {
      const row = await db.find('table${i}', id)
      if (!row) return res.status(404).json({ error: 'not found' })
      return res.status(200).json(row)
    }
    case 'PUT':
      await db.update('table${i}', id, req.body)
      return res.status(200).json({ ok: true, id })
    case 'DELETE':
      await db.remove('table${i}', id)
      return res.status(204).end()
    default:
      res.setHeader('Allow', 'GET, PUT, DELETE')
      return res.status(405).json({ error: 'Method not allowed' })
  }
}
`,
  },
  {
    // a guard, a body, and status chains
    file: (i) => `r${i}/index.ts`,
    source: (i) => `${TYPES}
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST')
    return res.status(405).json({ error: 'Method not allowed' })
  }
  const { email, name } = req.body
  if (!email) {
    return res.status(400).json({ error: 'email is required', field: 'email', form: ${i} })
  }
  if (String(email).length > ${100 + i}) {
    return res.status(422).json({ error: 'email is too long' })
  }
  return res.status(200).json({ subscribed: email, name: name ?? null })
}
`,
  },
  {
    // headers read, an auth check
    file: (i) => `r${i}.ts`,
    source: (i) => `${TYPES}
export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!req.headers.authorization) {
    return res.status(401).json({ error: 'unauthorized', realm: 'r${i}' })
  }
  const agent = req.headers['user-agent']
  const lang = req.headers['accept-language'] || 'en'
  res.status(200).json({ agent, lang, token: req.headers.authorization.replace('Bearer ', '') })
}
`,
  },
  {
    // headers set before the send, query parameters
    file: (i) => `r${i}.ts`,
    source: (i) => `${TYPES}
export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.setHeader('Cache-Control', 's-maxage=${60 + i}, stale-while-revalidate')
  res.setHeader('X-Version', ${i % 7})
  const { page = '1', tag } = req.query
  const tags = Array.isArray(tag) ? tag : tag ? [tag] : []
  if (Number(page) > ${1000 + i}) {
    return res.status(400).json({ error: 'page out of range' })
  }
  return res.status(200).json({ page: Number(page), tags })
}
`,
  },
  {
    // a catch-all segment
    file: (i) => `r${i}/[...slug].ts`,
    source: (i) => `${TYPES}
export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const slug = req.query.slug as string[]
  if (slug.length > ${3 + (i % 5)}) return res.status(404).json({ error: 'too deep' })
  res.status(200).json({ path: slug.join('/'), depth: slug.length, section: 'docs-${i}' })
}
`,
  },
  {
    // cookies, statusCode assignment, a const arrow handler in JavaScript
    file: (i) => `r${i}.js`,
    source: (i) => `const handler = (req, res) => {
  const theme = req.cookies.theme ?? 'light'
  if (req.method === 'DELETE') {
    res.statusCode = 204
    return res.end()
  }
  res.statusCode = 200
  res.json({ theme, session: req.cookies['session-${i}'] ?? null })
}

export default handler
`,
  },
  {
    // a redirect, an optional catch-all
    file: (i) => `r${i}/[[...path]].ts`,
    source: (i) => `${TYPES}
export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const path = (req.query.path as string[] | undefined) ?? []
  if (path[0] === 'old') {
    return res.redirect(301, '/api/s${i}/new')
  }
  res.status(200).json({ path })
}
`,
  },
  {
    // a wrapper: left in place, as in real apps
    file: (i) => `r${i}.ts`,
    source: (i) => `${TYPES}import { withAuth } from '${up(0)}lib/auth'

function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ secret: ${i} })
}

export default withAuth(handler)
`,
  },
];

/** Handlers sit in pages/api/s<group>/, 50 to a folder. */
function handlerPath(i) {
  return `pages/api/s${Math.floor(i / 50)}/${SHAPES[i % SHAPES.length].file(i)}`;
}

/** `../` from the handler's folder back to the app root, for imports of lib/. */
function up(extraDepth) {
  return '../'.repeat(3 + extraDepth);
}

function write(root, rel, content) {
  const abs = path.join(root, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

/** Writes an app with `count` handlers into `root`; returns the handler paths, relative to root. */
export function generateApp(root, count = 2000) {
  write(root, 'package.json', PACKAGE_JSON);
  write(root, 'tsconfig.json', '{ "compilerOptions": { "strict": true, "jsx": "preserve" } }\n');
  write(root, 'lib/db.ts', 'export const db: any = {}\n');
  write(root, 'lib/auth.ts', 'export const withAuth = (h: any) => h\n');
  const files = [];
  for (let i = 0; i < count; i++) {
    const rel = handlerPath(i);
    write(root, rel, SHAPES[i % SHAPES.length].source(i));
    files.push(rel);
  }
  return files;
}

const ROUTE = (i, marker) => `import { NextResponse } from 'next/server'

export async function GET() {
${marker ? '  // TODO(migrate): REQ_NODE_ONLY a Node-only request member has no App Router equivalent\n' : ''}  return NextResponse.json({ route: ${i} })
}
`;

/**
 * Writes a repository of `count` files into `root`: a fifth still in pages/api (handlers, helpers, tests, types), two
 * fifths of App Router files (routes, some with a TODO(migrate) marker; pages; layouts), the rest components and lib.
 */
export function generateCheckRepo(root, count = 10000) {
  write(root, 'package.json', PACKAGE_JSON);
  let written = 1;
  const add = (rel, content) => {
    if (written >= count) return;
    write(root, rel, content);
    written++;
  };
  const api = Math.floor(count / 5);
  for (let i = 0; i < api; i++) {
    const dir = `pages/api/s${Math.floor(i / 50)}`;
    const kind = i % 10;
    if (kind < 6) add(`${dir}/r${i}.ts`, SHAPES[i % SHAPES.length].source(i));
    else if (kind < 8) add(`${dir}/helper-${i}.ts`, `export const limit${i} = ${i}\nexport function format${i}(v: unknown) {\n  return String(v)\n}\n`);
    else if (kind === 8) add(`${dir}/r${i}.test.ts`, `import handler from './r${i - 8}'\n\nexport default handler\n`);
    else add(`${dir}/types-${i}.d.ts`, `export default interface T${i} { id: string }\n`);
  }
  const app = Math.floor((count * 2) / 5);
  for (let i = 0; i < app; i++) {
    const dir = `app/s${Math.floor(i / 50)}/r${i}`;
    const kind = i % 4;
    if (kind < 2) add(`${dir}/route.ts`, ROUTE(i, i % 20 === 0));
    else if (kind === 2) add(`${dir}/page.tsx`, `export default function Page() {\n  return <main>page ${i}</main>\n}\n`);
    else add(`${dir}/layout.tsx`, `export default function Layout({ children }: { children: React.ReactNode }) {\n  return <section>{children}</section>\n}\n`);
  }
  for (let i = 0; written < count; i++) {
    if (i % 2 === 0) add(`components/c${Math.floor(i / 100)}/Widget${i}.tsx`, `export default function Widget${i}() {\n  return <div>${i}</div>\n}\n`);
    else add(`lib/l${Math.floor(i / 100)}/util${i}.ts`, `export const value${i} = ${i}\n`);
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, count] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: node bench/generate-app.mjs <dir> [count]\n');
    process.exit(2);
  }
  const files = generateApp(path.resolve(dir), count ? Number(count) : 2000);
  process.stdout.write(`wrote ${files.length} handlers to ${path.resolve(dir)}\n`);
}

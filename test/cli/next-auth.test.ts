/**
 * next-auth v4's catch-all route that also exports its options: they move to lib/auth-options.ts, the route imports
 * them, and every project file that imported the old path imports the new module (routes migrated in the same run,
 * lib and component files, pages/api files left in place, a module that also gets a handler twin).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, makeApp, migrateApp, removeTempDirs, requireBuild, runCli } from './helpers.js';

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'lib/auth-options.ts': `// Taken: the moved module gets another name.\nexport const taken = true\n`,
  'pages/api/auth/[...nextauth].ts': `import NextAuth, { type NextAuthOptions } from 'next-auth'
import GithubProvider from 'next-auth/providers/github'
import { db } from '../../../lib/db'

const providers = [GithubProvider({ clientId: '', clientSecret: '' })]

export const authOptions: NextAuthOptions = {
  providers,
  callbacks: { session: async ({ session }) => ({ ...session, count: await db.count() }) },
}

export default NextAuth(authOptions)
`,
  'lib/db.ts': `export const db = { count: async () => 1 }\n`,
  'pages/api/me.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { getServerSession } from 'next-auth/next'
import { authOptions } from './auth/[...nextauth]'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await getServerSession(req, res, authOptions)
  res.status(session ? 200 : 401).json({ session })
}
`,
  'pages/api/left.ts': `import { getServerSession } from 'next-auth/next'
import { authOptions } from '@/pages/api/auth/[...nextauth]'

export default async function handler(req, res) {
  const session = await getServerSession(req, res, authOptions)
  res.json(await legacy(req, session))
}
async function legacy(req, session) { req.query = { ...req.query, seen: '1' }; return { query: req.query, session } }
`,
  'lib/teams/route-handler.ts': `import { getServerSession } from 'next-auth/next'
import { authOptions } from '@/pages/api/auth/[...nextauth]'

export async function handleRoute(req, res) {
  const session = await getServerSession(req, res, authOptions)
  res.status(200).json({ team: req.query.teamId, session })
}
`,
  'pages/api/teams/[teamId].ts': `import { handleRoute } from '@/lib/teams/route-handler'\nexport default async function handle(req, res) {\n  return handleRoute(req, res)\n}\n`,
  'components/profile.tsx': `import type { NextAuthOptions } from 'next-auth'\nimport { authOptions } from "../pages/api/auth/[...nextauth]"\nexport const options: NextAuthOptions = authOptions\n`,
};

describe('next-auth with exported options', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('moves the options to a module of their own and points every importer at it', () => {
    const { app, result, report: json, read } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);

    expect(read('app/api/auth/[...nextauth]/route.ts')).toBe(`import NextAuth from 'next-auth'
import { authOptions } from '@/lib/auth-options-2'

const handler = NextAuth(authOptions)
export { handler as GET, handler as POST }
`);
    expect(read('lib/auth-options-2.ts')).toBe(`import { type NextAuthOptions } from 'next-auth'
import GithubProvider from 'next-auth/providers/github'
import { db } from './db'

const providers = [GithubProvider({ clientId: '', clientSecret: '' })]

export const authOptions: NextAuthOptions = {
  providers,
  callbacks: { session: async ({ session }) => ({ ...session, count: await db.count() }) },
}
`);
    expect(read('lib/auth-options.ts')).toBe(files['lib/auth-options.ts']);
    expect(read('app/api/me/route.ts')).toContain(`import { authOptions } from '../../../lib/auth-options-2'`);
    expect(read('app/api/me/route.ts')).toContain(`getServerSession(nextAuthRequest(request), nextAuthResponse(headers), authOptions)`);
    // Left in place (req passed on), but its import follows the options.
    expect(read('pages/api/left.ts')).toBe(files['pages/api/left.ts'].replace('@/pages/api/auth/[...nextauth]', '@/lib/auth-options-2'));
    // Gets a handler twin and the new import.
    const teams = read('lib/teams/route-handler.ts');
    expect(teams).toContain(`import { authOptions } from '@/lib/auth-options-2'`);
    expect(teams).toContain('export async function handleRouteRoute(request: NextRequest, context: HandleRouteContext) {');
    // Its getServerSession sets its cookies into the route's headers, through the compat module written beside.
    expect(teams).toContain(`import { nextAuthRequest, nextAuthResponse } from '../../app/api/_migrate/pages-compat'`);
    expect(read('app/api/_migrate/pages-compat.ts')).toContain('export function nextAuthResponse(headers: Headers)');
    expect(read('components/profile.tsx')).toBe(files['components/profile.tsx'].replace('../pages/api/auth/[...nextauth]', '../lib/auth-options-2'));
    expect(existsSync(path.join(app, 'pages/api/auth'))).toBe(false);

    expect(json.files.find((f: { source: string }) => f.source === 'pages/api/auth/[...nextauth].ts')).toMatchObject({ status: 'migrated', methods: ['GET', 'POST'] });
    expect(json.updates.map((u: { path: string }) => u.path).sort()).toEqual(['components/profile.tsx', 'lib/teams/route-handler.ts', 'pages/api/left.ts']);

    expectSecondRunChangesNothing(app);
  });

  it('takes the route out of @sentry/nextjs\'s withSentry, and the options still move', () => {
    const wrapped = files['pages/api/auth/[...nextauth].ts']
      .replace("import { db } from '../../../lib/db'", "import { db } from '../../../lib/db'\nimport { withSentry } from '@sentry/nextjs'")
      .replace('export default NextAuth(authOptions)', 'export default withSentry(NextAuth(authOptions))');
    const { result, report: json, read } = migrateApp({ ...files, 'pages/api/auth/[...nextauth].ts': wrapped });
    expect(result.code, result.stderr).toBe(0);
    expect(read('app/api/auth/[...nextauth]/route.ts')).toBe(`import NextAuth from 'next-auth'
import { authOptions } from '@/lib/auth-options-2'

const handler = NextAuth(authOptions)
export { handler as GET, handler as POST }
`);
    expect(read('lib/auth-options-2.ts')).not.toContain('sentry');
    expect(read('app/api/me/route.ts')).toContain(`import { authOptions } from '../../../lib/auth-options-2'`);
    const route = json.files.find((f: { source: string }) => f.source === 'pages/api/auth/[...nextauth].ts');
    expect(route).toMatchObject({ status: 'migrated', methods: ['GET', 'POST'] });
    expect(route.notes).toContain('withSentry removed: route handlers are instrumented by Sentry itself once instrumentation.ts registers it (see the @sentry/nextjs App Router set-up)');
  });

  it('moves options that hold JSX (an email provider rendering its message) to a .tsx module', () => {
    const route = `import NextAuth, { type NextAuthOptions } from 'next-auth'
import EmailProvider from 'next-auth/providers/email'
import { LoginLink, send } from '../../../lib/mail'

export const authOptions: NextAuthOptions = {
  providers: [
    EmailProvider({
      sendVerificationRequest({ identifier, url }) {
        send(identifier, <LoginLink url={url} />)
      },
    }),
  ],
}

export default NextAuth(authOptions)
`;
    const { app, result, report: json, read } = migrateApp({
      'lib/mail.tsx': `export function LoginLink({ url }: { url: string }) {\n  return <a href={url}>Log in</a>\n}\nexport function send(to: string, body: unknown) {\n  console.log(to, body)\n}\n`,
      'lib/session.ts': `import { getServerSession } from 'next-auth'\nimport { authOptions } from '../pages/api/auth/[...nextauth]'\nexport const session = () => getServerSession(authOptions)\n`,
      'pages/api/auth/[...nextauth].tsx': route,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(json.files.find((f: { source: string }) => f.source === 'pages/api/auth/[...nextauth].tsx')).toMatchObject({ status: 'migrated' });
    expect(read('lib/auth-options.tsx')).toContain('send(identifier, <LoginLink url={url} />)');
    expect(existsSync(path.join(app, 'lib/auth-options.ts'))).toBe(false);
    expect(read('lib/session.ts')).toContain(`import { authOptions } from './auth-options'`);
  });

  it('leaves the route of an app on next-auth v3 or a v4 before 4.22 in place, saying why; 4.22 is migrated', () => {
    const route = `import NextAuth from 'next-auth'
import Providers from 'next-auth/providers'

export default NextAuth({ providers: [Providers.GitHub({ clientId: '', clientSecret: '' })] })
`;
    for (const [range, version] of [['^3.29.10', '3.29.10'], ['4.21.1', '4.21.1']]) {
      const { result, report: json, read } = migrateApp({ 'package.json': JSON.stringify({ dependencies: { next: '15.5.29', 'next-auth': range } }), 'pages/api/auth/[...nextauth].ts': route });
      expect(result.code, result.stderr).toBe(0);
      expect(read('pages/api/auth/[...nextauth].ts')).toBe(route);
      expect(json.files[0]).toMatchObject({ status: 'left', reasons: [{ code: 'NEXT_AUTH_TOO_OLD', detail: `next-auth ${version} has no route handler (it came with 4.22.0): upgrade next-auth first` }] });
    }
    const { report: json } = migrateApp({ 'package.json': JSON.stringify({ dependencies: { next: '15.5.29', 'next-auth': '~4.22.0' } }), 'pages/api/auth/[...nextauth].ts': route });
    expect(json.files[0]).toMatchObject({ status: 'migrated', methods: ['GET', 'POST'] });
  });

  it('with --only leaving the next-auth file out, nothing imports the new module', () => {
    const app = makeApp(files);
    const result = runCli(['run', app, '--dry', '--next', '15.5.29', '--only', 'pages/api/me.ts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`import { authOptions } from '../../../pages/api/auth/[...nextauth]'`);
    expect(result.stdout).not.toContain('auth-options-2');
  });
});

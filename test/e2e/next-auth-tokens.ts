/**
 * next-auth's renewed session cookie (set by getServerSession on a signed-in request) is a JWE with a random IV, so
 * no two answers carry the same value. Opened with the e2e app's secret, its claims say which session each side
 * renewed; the claims that change with the clock (issued at, expires, token id) are left out. compare.ts then
 * compares the opened value exactly.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { RecordedResponse } from './harness.js';

/** The secret of fixtures/apps/e2e/pages/api/auth/[...nextauth].ts (a test secret, written in the fixture). */
const SECRET = 'e2e-only-secret-not-for-production';

const SESSION_COOKIE = /^((?:__Secure-)?next-auth\.session-token)=(eyJ[^;]*)(.*)$/;

type Decode = (params: { token: string; secret: string }) => Promise<Record<string, unknown> | null>;

/** Replaces each renewed session cookie's value with `(session JWT {claims})`, using `appDir`'s own next-auth. */
export async function openSessionTokens(responses: RecordedResponse[], appDir: string): Promise<void> {
  const { decode } = createRequire(join(appDir, 'package.json'))('next-auth/jwt') as { decode: Decode };
  for (const response of responses) {
    response.setCookie = await Promise.all(
      response.setCookie.map(async (cookie) => {
        const match = SESSION_COOKIE.exec(cookie);
        if (!match) return cookie;
        const claims = await decode({ token: match[2], secret: SECRET }).catch(() => null);
        if (!claims) return `${match[1]}=(session JWT that does not open)${match[3]}`;
        const kept = Object.keys(claims).filter((key) => !['iat', 'exp', 'jti'].includes(key)).sort();
        return `${match[1]}=(session JWT ${JSON.stringify(Object.fromEntries(kept.map((key) => [key, claims[key]])))})${match[3]}`;
      }),
    );
  }
}

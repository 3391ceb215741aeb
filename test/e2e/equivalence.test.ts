// End-to-end equivalence proof: for each pinned Next.js version, the fixture app's pages/api handlers and the
// route handlers the packed CLI makes of them answer the same requests the same way (rules in compare.ts).
//
// Per version: install Next.js (cached in .e2e-cache/), build and start the original app, replay requests.json,
// then copy the app into a fresh git repository, run `migrate run` from the packed tarball, check its JSON report,
// type-check and build the migrated app, start it, replay, compare.
//
// E2E_VERSIONS=15.5.29,16.4.6 limits the versions; E2E_KEEP=1 keeps the apps, builds, reports and recorded answers.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareResponses, formatSideBySide } from './compare.js';
import { openSessionTokens } from './next-auth-tokens.js';
import {
  FIXTURE,
  copyFixture,
  dumpResponses,
  gitInit,
  installNext,
  installPackedTool,
  linkNodeModules,
  listFiles,
  loadRequests,
  makeRunDir,
  ms,
  nextBuild,
  nextTypegen,
  pinnedVersions,
  removeRunDir,
  replay,
  run,
  startServer,
  stopAll,
  tscNoEmit,
  type Install,
  type RecordedResponse,
  type Tool,
} from './harness.js';

const requests = loadRequests();
const selected = process.env.E2E_VERSIONS?.split(',').map((v) => v.trim()).filter(Boolean);
const versions = pinnedVersions().filter((version) => !selected || selected.includes(version));

/** Every handler of the fixture app: all of pages/api (the fixture keeps no helpers there). */
const handlers = listFiles(join(FIXTURE, 'pages', 'api')).map((file) => `pages/api/${file}`);

/**
 * Files allowed to come out as 'review' rather than 'migrated', with the only reason codes allowed: those the
 * fixture file is deliberately about.
 */
const ALLOWED_REVIEW: Record<string, string[]> = {
  // Config options with no App Router equivalent: the tool may drop them with a marker.
  'pages/api/config/limits.ts': ['CONFIG_DROPPED'],
};

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

interface ReportFile {
  source: string;
  target: string;
  status: 'migrated' | 'review' | 'left' | 'not-handler' | 'conflict';
  methods: string[];
  reasons: Array<{ code: string; short: string; line?: number; detail?: string }>;
  notes: string[];
}

interface Report {
  version: number;
  summary: Record<string, unknown>;
  files: ReportFile[];
  updates: Array<{ path: string; twins: string[]; imports?: string[] }>;
}

/** A report path as a posix path relative to the app root. */
function appRelative(appDir: string, path: string): string {
  const posix = path.split('\\').join('/');
  const root = appDir.split('\\').join('/');
  return posix.startsWith(`${root}/`) ? posix.slice(root.length + 1) : posix.replace(/^\.\//, '');
}

const runDir = makeRunDir();
const timings: Array<Record<string, string>> = [];

// Installs are network-bound and builds CPU-bound: start every install now, one after the other (npm's cache is
// shared), and let each version wait for its own while the previous version builds.
let installChain: Promise<unknown> = Promise.resolve();
const installs = new Map<string, Promise<Install>>();
for (const version of versions) {
  const install = installChain.then(() => installNext(version));
  installs.set(version, install);
  installChain = install.catch(() => undefined);
}
let toolPromise: Promise<Tool> | undefined;
const packedTool = () => (toolPromise ??= installPackedTool(join(runDir, 'cli')));

afterAll(async () => {
  await stopAll();
  if (timings.length > 0) {
    console.log(`e2e timings (run folder ${runDir}):`);
    console.table(timings);
  }
  removeRunDir(runDir);
});

describe.each(versions)('next %s', (version) => {
  const work = join(runDir, version);
  const originalDir = join(work, 'original');
  const migratedDir = join(work, 'migrated');
  const reportFile = join(work, 'migrate-report.json');
  const time: Record<string, string> = { version };
  let install: Install | undefined;
  let before: RecordedResponse[] | undefined;
  let migrated = false;
  let builtMigrated = false;

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    install = await installs.get(version)!;
    time.install = `${ms(install.ms)}${install.reused ? ' (cached)' : ''}`;
    timings.push(time);
    // Pack and install the CLI in the background while the original app builds.
    packedTool().catch(() => undefined);
  });

  afterAll(async () => {
    await stopAll();
  });

  test('the original app builds and answers every request, the same way twice', async () => {
    copyFixture(originalDir);
    await linkNodeModules(originalDir, install!);
    const build = await nextBuild(originalDir);
    time['build before'] = ms(build.ms);
    const server = await startServer(originalDir);
    time['start before'] = ms(server.startMs);
    try {
      const t0 = performance.now();
      const first = await replay(server.baseUrl, requests);
      time['replay before'] = ms(performance.now() - t0);
      const second = await replay(server.baseUrl, requests);
      await openSessionTokens(first, originalDir);
      await openSessionTokens(second, originalDir);
      dumpResponses(join(work, 'before.json'), requests, first);

      const unanswered = requests.filter((_, i) => first[i]!.error).map((r, i) => `${r.name}: ${first[i]!.error}`);
      expect(unanswered, 'requests the original app did not answer').toEqual([]);
      // A route missing from the build answers with Next's HTML 404 page; the fixture's own 404s are JSON or text.
      const missing = requests.filter((_, i) => first[i]!.status === 404 && first[i]!.headers['content-type']?.includes('text/html'));
      expect(missing.map((r) => r.name), 'requests that reached no route').toEqual([]);
      // The fixture is deterministic and the comparison rules hold for an app compared with itself.
      const unstable = requests.flatMap((request, i) => {
        const diffs = compareResponses(first[i]!, second[i]!);
        return diffs.length ? [formatSideBySide(request, first[i]!, second[i]!, diffs)] : [];
      });
      expect(unstable, 'answers that changed between two replays of the original').toEqual([]);
      before = first;
    } finally {
      await server.stop();
    }
  });

  test('migrate run (packed CLI) migrates every handler and empties pages/api', async () => {
    const tool = await packedTool();
    if (!timings.some((row) => row['pack+install CLI'])) time['pack+install CLI'] = ms(tool.ms);
    copyFixture(migratedDir);
    await gitInit(migratedDir);
    await linkNodeModules(migratedDir, install!);

    const result = await run(tool.bin, ['run', migratedDir, '--yes', '--next', version, '--report', reportFile], {
      cwd: work,
      timeoutMs: 120_000,
      allowFailure: true,
    });
    time.migrate = ms(result.ms);
    expect(result.code, `migrate run exited with ${result.code}:\n${result.output}`).toBe(0);
    expect(existsSync(reportFile), `no report written to ${reportFile}:\n${result.output}`).toBe(true);

    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.version).toBe(1);
    // The helpers, wrappers and dispatchers in lib/ that handlers call get their route-handler twins, and so do the
    // handlers in lib/handlers that pages/api files re-export or delegate to; the originals stay.
    expect(report.updates).toEqual([
      // A wrapper whose request helper of the same module is typed with a union (Pages or getServerSideProps request).
      { path: 'lib/access-token.ts', twins: ['withAccessTokenRoute', 'getAccessTokenForRoute'] },
      // A wrapper calling a request helper of its module (whose twin it calls) and the Supabase client on req and res.
      { path: 'lib/admin-wrapper.ts', twins: ['withAdminRoute', 'sameOriginForRoute'] },
      { path: 'lib/api-handler.ts', twins: ['apiHandlerRoute'] },
      { path: 'lib/api/by-method.ts', twins: ['handleByMethodRoute'] },
      // Two request helpers that fall back to the socket's address after x-forwarded-for: the twins read that header.
      { path: 'lib/client-ip.ts', twins: ['auditAddressForRoute', 'firstForwardedForRoute', 'getClientIpForRoute', 'legacyIpForRoute'] },
      { path: 'lib/cors-helper.ts', twins: ['corsForRoute'] },
      // A wrapper and a request helper whose helpers of the same module read the query and the body.
      { path: 'lib/cron-key.ts', twins: ['verifyHookForRoute', 'withCronKeyRoute', 'signatureOkForRoute', 'keyOfForRoute'] },
      // A res helper that answers at once, called in a catch without a return before the handler's own 405.
      { path: 'lib/error-handler.ts', twins: ['errorhandlerResponse'] },
      { path: 'lib/flash.ts', twins: ['setFlashHeaders'] },
      { path: 'lib/guard.ts', twins: ['withTimingRoute', 'withApiKeyRoute', 'withCorsRoute'] },
      { path: 'lib/guards.ts', twins: ['loadItemForRoute', 'requireApiKeyForRoute', 'requireClaimsForRoute', 'requirePositiveForRoute', 'requireSessionForRoute'], imports: ['lib/auth-options.ts'] },
      // Its request helper passes the request on to another of the module's: that one gets a twin too.
      { path: 'lib/link-session.ts', twins: ['verifyLinkSessionForRoute', 'readLinkCookieForRoute'] },
      // A guard that takes { req, res } and passes req to lib/token-reader.ts's request helper: that one's twin below.
      { path: 'lib/member.ts', twins: ['requireMemberForRoute'] },
      { path: 'lib/origin-headers.ts', twins: ['applyOriginHeadersHeaders'] },
      { path: 'lib/problem.ts', twins: ['sendProblemResponse'] },
      // A factory whose object's check only sets headers on res: the twin is a method of that object.
      { path: 'lib/rate-limit.ts', twins: ['rateLimit().checkHeaders'] },
      // Wrappers that set a field on the request for the handler, read it, read the query, and catch the handler's throw.
      { path: 'lib/request-member.ts', twins: ['adminOnlyRoute', 'catchErrorsRoute', 'ownsNoteRoute', 'withMemberRoute'] },
      // A curried factory of a wrapper (`requestMethod(['GET'])(handler)`): its twin takes the same options.
      { path: 'lib/request-method.ts', twins: ['requestMethodRoute', 'withHitLimitRoute'] },
      { path: 'lib/request-session.ts', twins: ['keyAccessForRoute', 'readSessionForRoute'] },
      // Its dispatcher answers through the module's own res helpers: their twins are written for the dispatcher's twin.
      { path: 'lib/respond.ts', twins: ['handleRoute', 'noStoreHeaders', 'methodNotAllowedErrorResponse', 'unauthorizedResponse'] },
      // A dispatcher of the factory form, which a handler builds and calls at once.
      { path: 'lib/rest-handlers.ts', twins: ['createHandlersRoute'] },
      // A session helper that passes req and res only to getServerSession, called in a callback: a twin that takes
      // neither (the routes that call it from their own body give it next-auth's request and response instead). The
      // module also imported next-auth's options from pages/api/auth/[...nextauth]: both changes in one update.
      // A wrapper that sends what its handler returns, and a guard that reads the query (the route's passed to it).
      { path: 'lib/result-wrapper.ts', twins: ['requireTokenForRoute', 'withApiHandlerRoute', 'withJsonRoute', 'withResultRoute'] },
      // Wrappers that take a role before the handler, exported in a list; the module's request helper they call is
      // twinned for them.
      { path: 'lib/role-wrapper.ts', twins: ['withAnyRoleRoute', 'withRoleSetRoute', 'withoutRoleRoute', 'callerOfForRoute'] },
      { path: 'lib/server-auth.ts', twins: ['getServerAuthSessionForRoute'], imports: ['lib/auth-options.ts'] },
      // A wrapper calling a next-auth session helper of its own module: its twin calls the helper with the stand-ins.
      { path: 'lib/session-wrapper.ts', twins: ['withSessionUserRoute'], imports: ['lib/auth-options.ts'] },
      { path: 'lib/signed-in.ts', twins: ['withSignedInUserRoute'] },
      // A guard on the Supabase session: its client given stand-ins for req and res that write into the route's headers.
      { path: 'lib/supabase-admin.ts', twins: ['requireAdminForRoute'] },
      // A wrapper calling a Supabase factory of another module that takes { req, res } in one context: the stand-ins in it.
      { path: 'lib/supabase-context-wrapper.ts', twins: ['withContextUserRoute'] },
      // A guard calling a session helper of its module that has no twin: the stand-ins, writing into the route's headers.
      { path: 'lib/supabase-user.ts', twins: ['requireRoleFromApiForRoute'] },
      // A wrapper calling a Supabase session helper of another module with the compat stand-ins (that one has no twin).
      { path: 'lib/supabase-wrapper.ts', twins: ['withSupabaseRoleRoute'] },
      // A wrapper calling create-t3-app's getServerAuthSession({ req, res }) of another module: the stand-ins in the object.
      { path: 'lib/t3-wrapper.ts', twins: ['withT3SessionRoute'] },
      // A request helper that takes { req }, its getToken({ req }) given next-auth's Pages-like request in the twin.
      { path: 'lib/token-reader.ts', twins: ['readTokenForRoute'] },
      { path: 'lib/validate.ts', twins: ['missingFieldsForRoute'] },
      // A guard that calls another guard of its module: that one's twin too, which no route imports.
      { path: 'lib/verified-user.ts', twins: ['requireUserForRoute', 'requireVerifiedUserForRoute'] },
      // A barrel that passes lib/api/by-method.ts's dispatcher on passes its twin on too.
      { path: 'lib/api/index.ts', twins: ['handleByMethodRoute'] },
      { path: 'lib/handlers/cancel-route.ts', twins: ['handleRoutePOST'] },
      { path: 'lib/handlers/echo.ts', twins: ['echoRoute'] },
      { path: 'lib/handlers/limits.ts', twins: ['handleGET', 'handleHEAD'] },
      // Controllers that pages/api/sub-handlers/imported/[teamId].ts hands its (req, res) to: one twin each, for every method.
      { path: 'lib/handlers/members.ts', twins: ['handleAddMemberRoute', 'handleListMembersRoute'] },
      // A re-exported handler that calls lib/api's dispatcher and lib/flash's helper: their twins are the ones above.
      { path: 'lib/handlers/metadata.ts', twins: ['handlerRoute'] },
      { path: 'lib/handlers/notify.ts', twins: ['notifyPOST'] },
      // next-auth's options moved to lib/auth-options.ts: this module imported them from pages/api/auth/[...nextauth].
      { path: 'lib/session.ts', twins: [], imports: ['lib/auth-options.ts'] },
      // pages/api/exports/tags.ts's other exports moved beside its route: these modules imported them from it.
      { path: 'components/tag-filter.ts', twins: [], imports: ['app/api/exports/tags/shared.ts'] },
      { path: 'lib/tag-report.ts', twins: [], imports: ['app/api/exports/tags/shared.ts'] },
      // The tRPC router, exported beside its handler, moved beside the route: the client's type import follows.
      { path: 'lib/trpc-client.ts', twins: [], imports: ['app/api/trpc/[trpc]/shared.ts'] },
    ]);
    const bySource = new Map(report.files.map((file) => [appRelative(migratedDir, file.source), file]));
    const problems: string[] = [];
    for (const source of handlers) {
      const file = bySource.get(source);
      if (!file) {
        problems.push(`${source}: not in the report`);
        continue;
      }
      const reasons = file.reasons.map((reason) => reason.code);
      const allowed = ALLOWED_REVIEW[source] ?? [];
      const ok =
        file.status === 'migrated' ||
        (file.status === 'review' && reasons.length > 0 && reasons.every((code) => allowed.includes(code)));
      if (!ok) {
        const why = file.reasons.map((reason) => `${reason.code}${reason.line ? `@${reason.line}` : ''}: ${reason.short}`);
        problems.push(`${source}: ${file.status}${why.length ? ` (${why.join('; ')})` : ''}`);
        continue;
      }
      const target = appRelative(migratedDir, file.target);
      if (!existsSync(join(migratedDir, target))) problems.push(`${source}: target ${target} was not written`);
    }
    expect(problems, 'handlers not migrated as expected').toEqual([]);

    // Unmigrated Pages files would answer the same requests trivially: none may remain.
    const leftovers = listFiles(join(migratedDir, 'pages', 'api')).filter((file) => /\.(ts|tsx|js|jsx|mjs|cjs)$/.test(file));
    expect(leftovers, 'files still in pages/api after the run').toEqual([]);
    migrated = true;
  });

  test('the migrated app type-checks and builds', async () => {
    expect(migrated, 'the migration step failed').toBe(true);
    const build = await nextBuild(migratedDir);
    time['build after'] = ms(build.ms);
    builtMigrated = true;
    const t0 = performance.now();
    // 15.5+ generates the RouteContext/route types with `next typegen`; 14 has only what `next build` wrote.
    if (compareVersions(version, '15.5.0') >= 0) await nextTypegen(migratedDir);
    const tsc = await tscNoEmit(migratedDir);
    // create-next-app wrote `"target": "es5"` up to Next 14: the code the tool writes must type-check there too
    // (iterating a FormData or a Map directly needs ES2015).
    const es5 = await tscNoEmit(migratedDir, ['--target', 'es5']);
    time['typegen+tsc after'] = ms(performance.now() - t0);
    expect(tsc.code).toBe(0);
    expect(es5.code, es5.output).toBe(0);
  });

  test('the migrated app answers like the original', async () => {
    if (!before || !builtMigrated) {
      time.equivalent = `0/${requests.length}`;
      console.log(`next ${version}: equivalent 0/${requests.length} (${before ? 'the migrated app did not build' : 'the original app did not answer'})`);
    }
    expect(before, 'the original app did not answer').toBeDefined();
    expect(builtMigrated, 'the migrated app did not build').toBe(true);
    const server = await startServer(migratedDir);
    time['start after'] = ms(server.startMs);
    let after: RecordedResponse[];
    try {
      const t0 = performance.now();
      after = await replay(server.baseUrl, requests);
      time['replay after'] = ms(performance.now() - t0);
      await openSessionTokens(after, migratedDir);
    } finally {
      await server.stop();
    }
    dumpResponses(join(work, 'after.json'), requests, after);

    const failures: string[] = [];
    requests.forEach((request, i) => {
      const diffs = compareResponses(before![i]!, after[i]!);
      if (diffs.length > 0) failures.push(formatSideBySide(request, before![i]!, after[i]!, diffs));
    });
    const equivalent = requests.length - failures.length;
    time.equivalent = `${equivalent}/${requests.length}`;
    console.log(`next ${version}: equivalent ${equivalent}/${requests.length}`);
    if (failures.length > 0) console.log(failures.join('\n\n'));
    expect(failures.length, `${failures.length} of ${requests.length} requests answered differently (printed above)`).toBe(0);
  });
});

/**
 * pages/api handler → App Router route handler, as a pure function: source text in, route text and diagnostics out.
 * Reads like the migration guide: find the handler → segment config → split by method → rewrite the request →
 * rewrite the response → emit one export per method → fix imports.
 */
import { posix } from 'node:path';
import type { JSCodeshift } from 'jscodeshift';
import { apiFor, countIdentifiers, isTypeScriptPath, isFunction, isIdent, isMember, memberName, namesIn, freshName, stringValue, unwrap, walk, Snippets, END, type Node } from './lib/ast.js';
import { foldBoundDefaultWrapper, findHandler, type Handler } from './lib/find-handler.js';
import { applyRuntimeExport, droppedConfigNotes, extractConfig, SEGMENT_EXPORTS, type SegmentConfig } from './lib/config.js';
import { dropDeadReturns, inlineSubHandlers } from './lib/sub-handlers.js';
import { declaredNames, namesDeclaredWithin } from './lib/free-names.js';
import { ALL_METHODS, alwaysExits, DEFAULT_METHODS, mentionsMethod, methodsNamed, methodReaderFor, specializeBody, UnsupportedDispatch } from './lib/split-methods.js';
import { runsNothing } from './lib/runs-nothing.js';
import { structureKey } from './lib/structure-key.js';
import { rewriteRequest, dropUnusedRequestLocals, typedAny } from './lib/request.js';
import { BEFORE_RETURN_NOTE, ENDS_HANDLER_NOTE, rewriteResponse, type ResponseRewrite } from './lib/response.js';
import { answersAtOnce, harmlessAfterAnswer, logsBeforeAnswers } from './lib/after-answer.js';
import { ignoredReturns } from './lib/ignored-returns.js';
import { isPlainNodeStream, writesBeforeEnds } from './lib/stream-response.js';
import { uncastMemberObjects } from './lib/request-casts.js';
import { compatSpecifier, fixRelativeImports, removeUnusedImports, addImport, addToImport, moveSpecifier, importedTwice, importSourceOf, isPackageSpecifier, valueImports } from './lib/imports.js';
import { routeParamsOf, paramsTypeCode } from './lib/route-params.js';
import { versionAtLeast } from './lib/version.js';
import { printProgram } from './lib/print.js';
import { openSource, type SourceText } from './lib/source-text.js';
import { isResponseParam, passRequestToHeaderHelpers, returnsOf, rewriteResponseHelpers } from './lib/res-helpers.js';
import { moduleFunctions } from './lib/module-functions.js';
import { applyRecipes, callsSessionWithOptions, writesRouteCookies, nextAuthHelpersFree, NEXT_AUTH_REQUEST, NEXT_AUTH_RESPONSE, REVALIDATE_NOTE, SESSION_COOKIES_NOTE } from './lib/recipes.js';
import { rewriteNextAuthRequestCalls } from './lib/recipes-next-auth-req.js';
import { rewriteBlobUploadCalls } from './lib/recipes-vercel-blob.js';
import { rewriteClerkAuthCalls } from './lib/recipes-clerk.js';
import { inlineThenSends } from './lib/then-send.js';
import { inlinePromiseChains } from './lib/promise-chains.js';
import { replaceRequestTypeQueries } from './lib/request-types.js';
import { shadowedGlobal } from './lib/shadowed-globals.js';
import { reexportRoute } from './reexport-route.js';
import { nextAuthRoute, nextAuthShapeOf } from './next-auth.js';
import { exportsModuleText, movedNote, splitForRoute, type ExportsSplit } from './lib/split-exports.js';
import { reshapeHandler } from './lib/reshape-handler.js';
import { rewriteDraftMode } from './lib/recipes-draft-mode.js';
import { rewriteTrpc } from './lib/trpc.js';
import { rewriteBetterAuth } from './lib/better-auth.js';
import { rewriteFormidable } from './lib/recipes-formidable.js';
import { inlineFormidableParseFunctions } from './lib/formidable-parse-functions.js';
import { toEdgeRoute } from './lib/edge-route.js';
import { dropUnusedRunners, rewriteMiddlewareRuns } from './lib/recipes-cors.js';
import { microCorsRun } from './lib/recipes-micro-cors.js';
import { bufferReaderOf } from './lib/body-readers.js';
import { prerendersGet } from './lib/prerendered-get.js';
import { rewriteNextCorsRuns } from './lib/recipes-nextjs-cors.js';
import { reshapeImportedDispatch, type ImportedDispatch } from './lib/imported-dispatch.js';
import { reshapeCalledDispatch } from './lib/called-dispatcher.js';
import { NotRewritable } from './lib/dispatch.js';
import { rewriteMulter } from './lib/recipes-multer.js';
import { routeFactoryMethods, type RouteFactoryMethods } from './lib/factory-header-methods.js';
import { buildTimeCodeLine, buildTimeNote } from './lib/build-time-code.js';
import { rewriteLocalRequestFunctions, type LocalRequestFunctions } from './lib/local-request-functions.js';
import { markerDiagnostics, markerText, type Diagnostic, type Reason } from '../src/diagnostics.js';
import type { ExportsModule, ImportedHelper, MiddlewareImport, TransformContext, TransformResult } from './types.js';
import { passPagesBody } from './lib/request-helper.js';
import { readsRequestBody, rewriteSubHandlerCalls } from './lib/imported-sub-handlers.js';
import { holdsGuardAnswer, localGuards, rewriteGuardCalls } from './lib/guard-helpers.js';
import { carriedArgs } from './lib/request-carrier.js';
import { carriedCallReason, carriedCallsLeft } from './lib/carried-calls.js';
import { rewriteCatchAnswers } from './lib/catch-answers.js';
import { dropRequestArgs, passNextAuthShims, passesRequestAsTaken } from './lib/session-helper.js';
import { referencesTo, renameReferences, type Reference } from './lib/scope.js';
import { isWrittenAt } from './lib/stand-in-uses.js';


class Left extends Error {
  constructor(
    readonly reason: Reason,
    readonly line?: number,
    readonly detail?: string,
  ) {
    super(reason);
  }
}

function left(reason: Reason, line?: number, detail?: string): TransformResult {
  return { status: reason === 'NO_DEFAULT_EXPORT' ? 'not-handler' : 'left', diagnostics: [{ reason, line, detail }], notes: [], usesCompat: false, methods: [] };
}

export function transformSource(source: string, context: TransformContext): TransformResult {
  const renamed: RenamedRequest = {};
  try {
    // A file that re-exports a handler of another module: the plan twinned it there (transforms/reexport-route.ts).
    const reexport = context.handlerModule ? reexportRoute(source, context) : null;
    if (reexport) return reexport;
    const loaded: LoadedCode = {};
    const result = transform(source, context, renamed, loaded);
    return loaded.code && result.output !== undefined ? { ...result, notes: [...result.notes, buildTimeNote(loaded.code)] } : result;
  } catch (error) {
    if (error instanceof Left) return left(error.reason, error.line, error.detail && inSourceNames(error.detail, renamed));
    throw error;
  }
}

/** Module-scope code the route runs when loaded, as transform found it in the program it parsed (build-time-code.ts). */
interface LoadedCode {
  code?: { line: number; code: string } | null;
}

/** The name the transform gave a Pages request the source named `request` (see the rename in transform). */
interface RenamedRequest {
  as?: string;
}

/**
 * `detail` with the Pages request called as the source called it. Only the head of a detail speaks of the handler:
 * after `: ` or ` (` comes why, of another function or module and its own `req` (`…, a helper of '@/lib/session': its
 * getServerSession options are built from req or res`). There, the request is `req` (the reasons' own word for it:
 * `req is passed to audit()`, `req.socket`), or the name the transform gave it when the module has a `req` elsewhere
 * (`req2`, which the rewriters write). A member (`ctx.req`) or an object key (`req:`) is no name, and stays.
 */
function inSourceNames(detail: string, renamed: RenamedRequest): string {
  if (!renamed.as) return detail;
  const tail = detail.search(/: | \(/);
  const head = tail < 0 ? detail : detail.slice(0, tail);
  return head.replace(new RegExp(`(?<![\\w$.])(?:req|${renamed.as})(?![\\w$:])`, 'g'), 'request') + (tail < 0 ? '' : detail.slice(tail));
}

interface MethodGroup {
  methods: string[];
  body: Node[];
}

function transform(rawSource: string, ctx: TransformContext, renamedRequest: RenamedRequest, loaded: LoadedCode): TransformResult {
  // A BOM and CRLF line ends come off for the transform and go back on the route (source-text.ts).
  const { source: normalized, j, snip } = openSource(rawSource, ctx.sourcePath);
  const source = normalized.text;
  const typescript = isTypeScriptPath(ctx.sourcePath);

  let program: Node;
  try {
    program = j(source).get().node.program;
  } catch (error) {
    const loc = (error as { loc?: { line: number } }).loc;
    return left('PARSE_ERROR', loc?.line, (error as Error).message.replace(/\s*\(\d+:\d+\)$/, ''));
  }
  // Read before any rewrite changes the program: every kind of route below keeps the module's top-level code.
  loaded.code = buildTimeCodeLine(program, source);
  const twice = importedTwice(program);
  if (twice) return left('PARSE_ERROR', undefined, `Identifier '${twice}' is imported twice`);
  // next-auth's catch-all: `const handler = NextAuth(authOptions)` exported as GET and POST (transforms/next-auth.ts).
  // It works on copies of the program: when it gives up, the transform below goes on with the program as parsed.
  if (source.includes('next-auth') && nextAuthShapeOf(program)) {
    const route = nextAuthRoute({ source: normalized, j, snip, program }, ctx);
    if (route) return route;
  }

  // Other value exports move to the module the plan chose (transforms/lib/split-exports.ts).
  const moved = splitForRoute(snip, program, ctx);
  if (moved && 'unsure' in moved) throw new Left('EXTRA_EXPORTS', moved.line, moved.unsure);
  const extracted = extractConfig(snip, program);
  if (extracted === 'unreadable') throw new Left('CONFIG_UNREADABLE');
  const config = applyRuntimeExport(snip, program, extracted);
  if (config === 'unreadable') throw new Left('CONFIG_UNREADABLE', undefined, 'export const runtime is not a string literal');
  const reshaped = reshapeHandler(snip, program, typescript);
  if (reshaped && 'reason' in reshaped) throw new Left(reshaped.reason, reshaped.line, reshaped.detail);
  // tRPC and better-auth: their recipes write the whole route (see libraryRoute).
  if (isLibraryRoute(program)) {
    const route = libraryRoute(snip, program, ctx, config);
    if (route) {
      fixRelativeImports(program, ctx.sourcePath, ctx.targetPath);
      removeUnusedImports(snip, program, (s) => s === 'next' || s === 'better-auth/node');
      const printed = printRoute(j, program, normalized, ctx.sourcePath, route.markers);
      // The router defined beside the handler (`export const appRouter = …`) moves as any other export.
      const exportsModule = moved ? movedModule(rawSource, ctx, moved) : undefined;
      const notes = [...(reshaped?.notes ?? []), ...route.notes, ...(exportsModule ? [movedNote(exportsModule.exports, exportsModule.path)] : [])];
      return { status: printed.diagnostics.length ? 'review' : 'migrated', ...printed, notes, usesCompat: false, methods: route.methods, ...(exportsModule ? { exportsModule } : {}) };
    }
  }
  const imported = importedHelperBindings(program, ctx.importedHelpers ?? []);
  const byKind = (kind: ImportedHelper['kind']) => new Map([...imported].filter(([, b]) => b.kind === kind));
  // A declined wrapper has no twin: it only says why the route is left.
  const wrapperBindings = new Map([...byKind('wrapper')].filter(([, b]) => !b.declined));
  // `export default withMiddlewares({ GET, POST })` with a dispatcher of another module: one handler, a branch a method.
  // `await defaultHandler(req, res, { GET, POST })` as the handler's only statement: the same, once reshaped.
  reshapeCalledDispatch(snip, program, byKind('dispatcher'));
  const dispatch = dispatchOfImported(snip, program, byKind('dispatcher'));
  const wrapperIndices = new Map([...wrapperBindings].map(([local, b]) => [local, b.resIndex]));
  const curriedWrappers = new Set([...wrapperBindings].filter(([, b]) => b.curried).map(([local]) => local));
  foldBoundDefaultWrapper(program, wrapperIndices, curriedWrappers);
  const found = findHandler(program, wrapperIndices, curriedWrappers);
  if ('problem' in found) {
    if (found.problem === 'no-default-export') return left('NO_DEFAULT_EXPORT');
    const detail =
      found.problem === 'commonjs'
        ? 'module.exports is not followed yet'
        : found.wrapper
          ? unfollowedWrapper(snip, program, found.wrapperCallee, imported, ctx.moduleSpecifiers ?? [])
          : found.value && describeValue(snip, found.value);
    throw new Left('HANDLER_NOT_FOUND', undefined, detail);
  }
  const { handler } = found;
  checkOtherExports(program, handler.declarationIndex, handler.exportIndex, ctx.exportsModule && 'left' in ctx.exportsModule ? ctx.exportsModule.left : undefined);
  if (config?.isEdge) return edgeRoute(j, snip, program, handler, config, { ctx, normalized, rawSource, moved, reshapedNotes: reshaped?.notes ?? [] });

  const fn = handler.fn;
  const [reqParam, resParam] = fn.params;
  if (!resParam || resParam.type !== 'Identifier' || !reqParam) throw new Left('HANDLER_NOT_FOUND', fn.loc?.start.line, 'the handler does not take (req, res)');
  let moduleNames = namesIn(program);
  let body: Node[] = fn.body.type === 'BlockStatement' ? fn.body.body : [j.returnStatement(fn.body)];
  let reqName: string;
  if (reqParam.type === 'Identifier') reqName = reqParam.name;
  else {
    reqName = freshName('req', moduleNames);
    body = [j.variableDeclaration('const', [j.variableDeclarator(reqParam, j.identifier(reqName))]), ...body];
  }
  // A Pages request named `request` (as in Vercel's examples) is renamed first: the App Router request takes that
  // name, and what the recipes write for it (`getToken({ req: request })`) must not read as the Pages request.
  if (reqName === 'request') {
    const renamed = freshName('req', moduleNames);
    renameReferences([reqParam, ...body], reqName, renamed);
    reqName = renamed;
    renamedRequest.as = renamed;
    moduleNames = namesIn(program);
  }
  const resName = resParam.name;
  // Values Pages dropped (no answer on that path) that the route would answer with (ignored-returns.ts).
  const returnsIgnored = ignoredReturns(fn, resName, program);
  // Parameters after (req, res): what a wrapper passes the handler besides them (`handler(req, res, session.user)`).
  // Each method function keeps them after (request, context), where the wrapper's route-handler version passes them.
  const extraParams: Node[] = fn.params.slice(2);
  const extraNames = extraParams.map((p) => namesIn(p));
  // They are kept as written (a wrapper's `user`, a sub-handler's `id`): a default that reads req or res would outlive them.
  const readsPages = extraParams.findIndex((p, i) => p.type === 'AssignmentPattern' && (extraNames[i].has(reqName) || extraNames[i].has(resName)));
  if (readsPages >= 0) {
    const readsReq = extraNames[readsPages].has(reqName);
    throw new Left(readsReq ? 'REQ_ESCAPES' : 'RES_ESCAPES', extraParams[readsPages].loc?.start.line, `a parameter default reads ${readsReq ? reqName : resName}`);
  }
  const contextName = extraNames.some((names) => names.has('context')) ? freshName('context', moduleNames) : 'context';

  // `await handleGET(req, res)` with nothing after it: the sub-handler's body goes in its place.
  // A wrapper that uses the handler's value, or answers when it did not, acts as soon as the handler returns: an
  // answer a callback gives later came too late for it in Pages (route-wrapper.ts).
  const keepsResult = handler.wrappers.find((w) => wrapperBindings.get(w.local)?.keepsResult);
  const subHandlers = inlineSubHandlers(snip, program, fn, body, reqName, resName, !keepsResult);
  // Whether helpers given the stand-in request with the route's query share it with the handler (read before the
  // rewrites below take req out of the calls that use it).
  const clash = standInClash(body, { req: reqName, res: resName }, byKind('session'));
  // Sends after which Pages could only end the handler: the route's return there needs no look (after-answer.ts).
  // Read once the sub-handlers' bodies stand in their calls' places, with the lines they had, as Pages ran them.
  uncastMemberObjects(fn.body, reqName, program);
  writesBeforeEnds(fn, resName);
  logsBeforeAnswers(fn, resName);
  const harmless = harmlessAfterAnswer(fn, resName, methodReaderFor(reqName, body, program.body, (_, to) => to), helpersAnsweringAtOnce(program, fn, byKind('helper')));
  // `const { files } = await parseForm(req)`, a function of this file around formidable's callback: its promise in the
  // call's place, for the formidable recipe below to read as the handler's own.
  const parseFunctions = inlineFormidableParseFunctions(program, fn, body, reqName, subHandlers.unused);
  const unused = new Set([...subHandlers.unused, ...parseFunctions.unused]);
  if (unused.size) {
    const [declaration, exported] = [program.body[handler.declarationIndex], program.body[handler.exportIndex]];
    program.body = program.body.filter((stmt: Node) => !unused.has(stmt));
    handler.declarationIndex = program.body.indexOf(declaration);
    if (exported) handler.exportIndex = program.body.indexOf(exported);
    // Their parameter names are free again.
    moduleNames = namesIn(program);
  }

  // The Request's name in the method functions, which the recipes below write too.
  const requestName = requestNameFor(moduleNames, reqName);
  // Functions of this file the handler passes req to (`await post(id, req, res)`): rewritten in place to take the
  // request, before the recipes and the response helpers see their calls.
  const localFunctions = rewriteLocalRequestFunctions(j, snip, program, fn, body, { req: reqName, res: resName, request: requestName }, typescript, moduleNames, ctx.keepLocalFunctions ?? false);
  // An exported one moved to the exports module above, which other modules import it from.
  for (const name of moved && !('unsure' in moved) ? moved.shared.values : []) if (!localFunctions.declined.has(name)) localFunctions.declined.set(name, "it moves with the file's other exports, which other modules import");

  inlineThenSends(j, snip, program, body, resName, new Set());
  const readsSent = handler.wrappers.find((w) => wrapperBindings.get(w.local)?.readsSent);
  // A wrapper inside it that runs code after the handler's answer before returning it: a throw there reached the
  // outer one's catch with the answer sent in Pages (the handler's own such code is checked below).
  const delays = readsSent ? handler.wrappers.slice(handler.wrappers.indexOf(readsSent) + 1).find((w) => wrapperBindings.get(w.local)?.delaysAnswer) : undefined;
  if (readsSent && delays) throw new Left('RES_ESCAPES', fn.loc?.start.line, `${delays.local}(…) runs code after the handler's answer before returning it (no after() before Next.js 15.1), and ${readsSent.local}(…) around it read res.headersSent as true if that code threw, where its twin reads false`);
  // Fields the wrappers set on the request for the handler (`req.user`), which it reads there (request-extras.ts).
  // Not in a TypeScript route for a JavaScript wrapper's: nothing declares them on NextRequest (its reads are left).
  const setBy = (wrappers: Handler['wrappers']) => wrappers.flatMap((w) => wrapperBindings.get(w.local)?.requestExtras ?? []);
  const extras = new Set(setBy(handler.wrappers.filter((w) => !(typescript && wrapperBindings.get(w.local)?.extrasUntyped))));
  // A wrapper that reads one a wrapper around it set (outer ones come first): in Pages, the same field of one req.
  handler.wrappers.forEach((wrapper, i) => {
    const setAround = new Set(setBy(handler.wrappers.slice(0, i)));
    const unset = wrapperBindings.get(wrapper.local)?.extrasRead?.find((name) => !setAround.has(name));
    if (unset) throw new Left('REQ_ESCAPES', fn.loc?.start.line, `${wrapper.local}(…) reads req.${unset}, which no wrapper around it sets: something outside the Pages handler (a custom server) may have`);
  });
  // `fetch(url).then((r) => r.json()).then((data) => res.json(data)).catch(…)`: the same steps awaited in a try.
  const chains = inlinePromiseChains(j, snip, body, resName, typescript, !keepsResult);
  // `req.query as typeof req.query & {…}`: the type the query named, from next's own types (the route has no req).
  // Its type import, when the file has none, is added with the others at the end: an import added now would move the
  // statements whose places the handler's replacement goes by.
  let needsRequestType = false;
  if (typescript) {
    const local = requestTypeLocal(program);
    needsRequestType = replaceRequestTypeQueries(j, body, reqName, local ?? 'NextApiRequest') > 0 && !local;
  }
  // next-auth's calls get the compat module's Pages-like request (and response), unless those names are taken here.
  const nextAuthHelpers = nextAuthHelpersFree(program, moduleNames);
  const recipes = applyRecipes(snip, program, body, reqName, resName, { request: requestName, taken: moduleNames });
  recipes.notes.push(...chains.notes, ...subHandlers.notes);
  for (const name of parseFunctions.names) recipes.notes.push(`${name}(), a function of this file that promised formidable's callback, went into its calls (the formidable note says what they became)`);
  // res.revalidate → revalidatePath works differently enough to be checked by hand: a marker, not a note.
  const revalidated = recipes.notes.includes(REVALIDATE_NOTE);
  if (revalidated) recipes.notes = recipes.notes.filter((note) => note !== REVALIDATE_NOTE);
  const nextAuthRequestCalls = rewriteNextAuthRequestCalls(snip, program, body, { req: reqName, res: resName, request: requestName, rawBody: config?.rawBody ?? false, nextAuthRequest: nextAuthHelpers });
  recipes.notes.push(...nextAuthRequestCalls.notes);
  if (nextAuthRequestCalls.usesNextAuthRequest) recipes.compat.add(NEXT_AUTH_REQUEST);
  recipes.notes.push(...rewriteBlobUploadCalls(program, body, { req: reqName, request: requestName }));
  recipes.notes.push(...rewriteClerkAuthCalls(program, body, { req: reqName, request: requestName }));
  const draftMode = rewriteDraftMode(snip, body, resName, versionAtLeast(ctx.nextVersion, 15, 0));
  draftMode.imports.forEach((names, source) => recipes.imports.set(source, new Set([...(recipes.imports.get(source) ?? []), ...names])));
  recipes.notes.push(...draftMode.notes);
  const formidable = rewriteFormidable(snip, program, body, reqName, config?.rawBody ?? false, { moduleNames, typescript, requestName, version: ctx.formidableVersion });
  if (formidable.problem) throw new Left('FORM_PARSE_NOT_FOLLOWED', formidable.problem.line, formidable.problem.detail);
  formidable.imports.forEach((names, source) => recipes.imports.set(source, names));
  recipes.notes.push(...formidable.notes);
  // multer first: its runs go through the same runner as cors's, and the cors recipe leaves other middleware.
  const multer = rewriteMulter(snip, program, body, reqName, resName, config?.rawBody ?? false, { moduleNames, typescript, requestName });
  if (multer.problem) throw new Left('MULTER_NOT_FOLLOWED', multer.problem.line, multer.problem.detail);
  recipes.notes.push(...multer.notes);
  const middleware = rewriteMiddlewareRuns(snip, program, body, { req: reqName, res: resName, request: requestName }, ctx.middlewareImports, byKind('middleware'));
  if (middleware.problem) throw new Left('MIDDLEWARE_NOT_FOLLOWED', middleware.problem.line, middleware.problem.detail);
  const nextCors = rewriteNextCorsRuns(snip, program, body, { req: reqName, res: resName, request: requestName });
  if (nextCors.problem) throw new Left('MIDDLEWARE_NOT_FOLLOWED', nextCors.problem.line, nextCors.problem.detail);
  // micro-cors came off the export (reshapeHandler): it ran before the handler, on every method.
  const corsWrapper = reshaped && 'corsWrapper' in reshaped ? reshaped.corsWrapper : undefined;
  if (corsWrapper) body.unshift(microCorsRun(snip, corsWrapper, { request: requestName, res: resName }));
  const corsMethods = [...middleware.methods, ...nextCors.methods, ...(corsWrapper ? ['OPTIONS'] : [])];
  const hasAfter = versionAtLeast(ctx.nextVersion, 15, 1);
  const resHelpers = rewriteResponseHelpers(j, snip, program, fn, hasAfter, typescript, moduleNames);
  const importedHelpers = byKind('helper');
  // Helpers that take req get the App Router request: their calls are settled before the request rewrite sees them.
  const requestHelpersCalled = redirectRequestHelperCalls(j, body, reqName, requestName, byKind('request'));
  // `getServerAuthSession({ req, res })` → `getServerAuthSession({ req: nextAuthRequest(request), res:
  // nextAuthResponse(res) })`, or `getServerAuthSessionForRoute()`; a call that still passes req leaves the file where
  // the request rewrite stops at it, with the helper's own reason.
  const sessionHelpers = redirectSessionHelperCalls(j, snip, body, { req: reqName, res: resName, request: requestName }, byKind('session'), nextAuthHelpers, clash);
  if (sessionHelpers.shimmed) [NEXT_AUTH_REQUEST, NEXT_AUTH_RESPONSE].forEach((use) => recipes.compat.add(use));
  // `const session = await requireSession(req, res); if (!session) return;`: the guard's twin answers or goes on.
  // Guards of this file move into the route with the handler: rewritten in place when only such calls use them.
  const ownGuards = localGuards(j, snip, program, body, { req: reqName, res: resName }, hasAfter, typescript, moduleNames);
  const guardsCalled = rewriteGuardCalls(j, snip, body, { req: reqName, res: resName, request: requestName }, new Map([...byKind('guard'), ...ownGuards.guards]), moduleNames);
  // `verifyUser({ req, res, id })`: a call that kept the helper, for the reason the route is left with.
  const carriedLeft = carriedCallsLeft(body, new Map([...byKind('guard'), ...byKind('request')]), { req: reqName, res: resName });
  // `await p.catch((e) => res.status(500).json(…))` before a send: the callback's answer is the route's.
  const catches = rewriteCatchAnswers(j, snip, body, resName, hasAfter, (base) => freshName(base, moduleNames));
  for (const [local, binding] of importedHelpers) resHelpers.helpers.set(local, { resIndex: binding.resIndex, statuses: binding.statuses, rename: binding.twin, ...(binding.setsHeaders !== undefined ? { setsHeaders: binding.setsHeaders } : {}), ...(binding.reqIndex !== undefined ? { reqIndex: binding.reqIndex } : {}) });
  // A name the handler declares itself (a local `const sendError = …`) is its own function where it calls it, not the
  // helper of the file or of an import: such a call keeps res, and the route is left (RES_ESCAPES).
  const handlerOwnNames = namesDeclaredWithin(fn);
  const dropShadowed = () => handlerOwnNames.forEach((name) => resHelpers.helpers.delete(name));
  dropShadowed();
  // `setCorsHeaders(req, res)`: a header helper that reads the request gets the route's request.
  const headerHelperProblem = passRequestToHeaderHelpers(j, body, resHelpers.helpers, reqName, requestName);
  if (headerHelperProblem) throw new Left('REQ_ESCAPES', headerHelperProblem.line, headerHelperProblem.detail);
  // `return await handleGet(req, res, id)` with handleGet of another module: its twin for this route answers.
  const routeParams = routeParamsOf(ctx.targetPath);
  const subCalls = rewriteSubHandlerCalls(j, program, body, { req: reqName, res: resName, request: requestName, context: contextName }, ctx.subHandlers ?? [], routeParams.length > 0);
  if ('left' in subCalls) throw new Left(subCalls.left.reason, subCalls.left.line, subCalls.left.detail);
  if (subCalls.usesContext && moduleNames.has(contextName)) throw new Left('SUB_HANDLER_NOT_FOLLOWED', fn.loc?.start.line, `the route's context, which the twins take, would be named ${contextName}, a name the file uses already`);
  subCalls.helpers.forEach((helper, local) => resHelpers.helpers.set(local, helper));
  // `await limiter.check(res, 10, token)` on `const limiter = rateLimit(…)`: a method that only sets headers has a twin.
  const factories = routeFactoryMethods(j, snip, program, fn, byKind('factory'), typescript, moduleNames);
  factories.helpers.forEach((helper, key) => resHelpers.helpers.set(key, helper));
  dropShadowed();
  const helpersCalled = new Set<string>();
  const wrapperMethods = handler.wrappers.flatMap((w) => wrapperBindings.get(w.local)!.methods ?? []);
  const groups = splitByMethod(body, reqName, program.body, snip, [...wrapperMethods, ...corsMethods], typescript);
  // HEAD: where it runs GET's code, the App Router's own HEAD (GET's function, the request's method HEAD) does the same.
  const getGroup = groups.find((g) => g.methods.includes('GET'));
  if (getGroup?.methods.includes('HEAD') && !dispatch) getGroup.methods = getGroup.methods.filter((m) => m !== 'HEAD');
  // GET's group is the first (ALL_METHODS' order): whether it is exported is known when HEAD's comes.
  let getExported = false;
  const awaitParams = versionAtLeast(ctx.nextVersion, 15, 0);
  const { names: bodyReaders, micro: microReaders, texts: readerTexts, own: ownReaders } = bodyReaderNames(program, ctx.middlewareImports);

  const notes: string[] = [...(reshaped?.notes ?? []), ...recipes.notes];
  let readsBody = false;
  let readsQuery = false;
  let bodyIndex: number | undefined;
  const compat = new Set<string>();
  /** A method answers with a piped stream: the route gets pipedBody (stream-response.ts). */
  let pipesBody = false;
  const nextServer = { values: new Set<string>(), types: new Set<string>() };
  const functions: Array<{ methods: string[]; node: Node; inline?: boolean }> = [];
  /** What rewritten code uses: next/server's values, or the compat module's helpers. */
  const addUse = (use: string) => (use === 'NextResponse' || use === 'after' ? nextServer.values : compat).add(use);
  resHelpers.uses.forEach(addUse);
  localFunctions.uses.forEach((use) => compat.add(use));
  notes.push(...localFunctions.notes);
  if (localFunctions.usesNextRequest) nextServer.types.add('NextRequest');
  ownGuards.uses.forEach(addUse);
  // Its calls of guards tell their answers apart from their values.
  if (guardsCalled.length) compat.add('GuardAnswer');
  catches.uses.forEach(addUse);
  if (ownGuards.usesNextRequest || resHelpers.usesNextRequest) nextServer.types.add('NextRequest');
  notes.push(...ownGuards.notes);
  const contextTypeName = typescript && routeParams.length ? freshName('Context', moduleNames) : null;

  // The handler's own declaration goes away, so its name is free for the function that methods share.
  const ownName = handler.name && !ALL_METHODS.includes(handler.name) ? handler.name : null;
  const sharedName = ownName ?? freshName('handler', moduleNames);
  // A wrapper's or a dispatcher's route-handler version runs its own code around each method function.
  const wrapped = handler.wrappers.length > 0 || !!dispatch;
  for (const group of groups) {
    const taken = new Set(moduleNames);
    taken.delete(reqName);
    const names = { request: requestName, params: freshName('params', taken) };
    const fresh = (base: string) => freshName(base, taken);
    const req = rewriteRequest(group.body, { snip, reqName, ...names, routeParams: routeParams.map((p) => p.name), pathParams: routeParams.filter((p) => !p.optional).map((p) => p.name), rawBody: config?.rawBody ?? false, bodyLimit: config?.bodyLimit, bodyReaders, microReaders, readerTexts, fresh, typescript, anyTyped: typedAny(reqParam), extras });
    if (req.escape) throw new Left(req.escape.reason, req.escape.line, carriedCallReason(req.escape, carriedLeft) ?? sessionHelperReason(req.escape, sessionHelpers.left) ?? guardCallReason(req.escape, byKind('guard'), group.body) ?? withDeclinedReason(req.escape.detail, localFunctions));
    // A sub-handler's twin takes the body its route parsed, as Pages parsed it before the handler ran.
    const bodyParam = ctx.bodyParam && req.bodyLocal && req.compat.has('readPagesBody') ? req.bodyLocal : null;
    if (bodyParam) {
      req.prelude = req.prelude.filter((s) => !isBodyRead(s, bodyParam));
      req.compat.delete('readPagesBody');
    }
    const res = rewriteResponse(group.body, { j, snip, resName, hasAfter, fresh, helpers: resHelpers.helpers, plainStream: (source) => isPlainNodeStream(program, body, source), returnIgnored: !keepsResult });
    if (res.escape) throw new Left(res.escape.reason ?? 'RES_ESCAPES', res.escape.line, carriedCallReason(res.escape, carriedLeft) ?? withFactoryWhy(res.escape.detail, factories));
    if (keepsResult) checkValueForWrapper(res, keepsResult.local, fn);
    if (readsSent && res.notes.some((note) => note.startsWith(BEFORE_RETURN_NOTE))) {
      throw new Left('RES_ESCAPES', fn.loc?.start.line, `the handler runs code after its answer before returning it (no after() before Next.js 15.1), and ${readsSent.local}(…) read res.headersSent as true if that code threw, where its twin reads false`);
    }
    res.helpersCalled.forEach((name) => helpersCalled.add(name));
    // A body can be read once: the route and a sub-handler's twin it calls cannot both read it.
    const twinsReading = subCalls.called.filter((ref) => ref.readsBody && res.helpersCalled.has(localOf(program, ref)));
    if (twinsReading.length && readsRequestBody([...req.prelude, ...res.body], requestName, req.compat)) {
      throw new Left('SUB_HANDLER_NOT_FOLLOWED', fn.loc?.start.line, `the handler reads the request body, and so does ${twinsReading[0].twin}() (in ${twinsReading[0].module}), which it calls: a body can be read once`);
    }
    dropUnusedRequestLocals(res.body, (name) => countReads(res.body, name) > 0);
    dropDeadReturns(res.body);
    // `const { method, body } = req` read the body for every method; a method that never uses it reads nothing.
    if (req.bodyLocal && countReads(res.body, req.bodyLocal) === 0) {
      req.prelude = req.prelude.filter((s) => !isBodyRead(s, req.bodyLocal!));
      req.compat.delete('readPagesBody');
    }
    // A method whose every answer is 405 is the App Router's own 405: not exported.
    // Unless a wrapper runs first: it may answer before the handler's 405 (a 401, say), so the method stays.
    // So too the dispatcher's version, which runs its own code (a try/catch) around every handler of the map, and a
    // method that a guard may answer first.
    const only405 = res.statuses.length > 0 && res.statuses.every((s) => s === 405) && !wrapped && !holdsGuardAnswer(res.body);
    // Where GET is exported, the App Router would answer HEAD with GET's code, which Pages never ran for it (a code
    // exchange, a write): HEAD keeps its own answer, a 405 too, and no answer at all (an empty function: README's
    // Known differences row 6) where the handler has nothing for it (`if (req.method === 'GET') { … }` alone).
    if (only405 || res.body.length === 0) {
      if (!getExported || !group.methods.includes('HEAD') || dispatch) continue;
      group.methods = ['HEAD'];
    }
    if (group.methods.includes('GET')) getExported = true;

    notes.push(...req.notes, ...res.notes);
    req.compat.forEach((c) => compat.add(c));
    for (const use of res.uses) {
      if (use === 'NextResponse' || use === 'after') nextServer.values.add(use);
      else if (use === 'pipedBody') pipesBody = true;
      else compat.add(use);
    }
    const prelude: Node[] = [];
    if (req.usesParams) prelude.push(...snip.statements(`const ${names.params} = ${awaitParams ? 'await ' : ''}${contextName}.params${END}`));
    prelude.push(...req.prelude, ...res.prelude);
    const statements = [...prelude, ...res.body];
    if (readsRequestBody(statements, requestName, req.compat)) readsBody = true;
    if (req.usesParams || req.compat.has('pagesQuery')) readsQuery = true;
    const bodyNames = namesIn(j.blockStatement(statements));
    const usesRequest = bodyNames.has(requestName);
    // The extra parameters up to the last one this method reads; unread ones after it are left out.
    // An imported sub-handler's twin takes all its parameters, as every call passes them (ctx.allParams).
    const extraCount = ctx.allParams ? extraNames.length : extraNames.reduce((count, names, i) => ([...names].some((n) => bodyNames.has(n)) ? i + 1 : count), 0);
    // A sub-handler's twin called here takes the route's context.
    const passesContext = subCalls.usesContext && bodyNames.has(contextName);
    const params: string[] = [];
    if (usesRequest || req.usesParams || extraCount || passesContext || ctx.allParams) {
      params.push((usesRequest ? requestName : `_${requestName}`) + (typescript ? ': NextRequest' : ''));
      if (typescript) nextServer.types.add('NextRequest');
    }
    // An extra parameter without a type had it from the wrapper's parameter type (`AuthedEndpoint(async (req, res,
    // user) => …)`): the function goes inline into the wrapper's version, whose handler type gives it the same.
    const contextual = typescript && extraParams.slice(0, extraCount).some((p) => !hasType(p));
    if (req.usesParams || extraCount || passesContext || ctx.allParams) {
      // Generic in the wrapper's version: `unknown` takes any route's context.
      const contextType = contextTypeName ?? (typescript && !contextual ? 'unknown' : null);
      params.push(`${req.usesParams || passesContext ? contextName : `_${contextName}`}${contextType ? `: ${contextType}` : ''}`);
    }
    params.push(...extraParams.slice(0, extraCount).map((p) => snip.src(p)));
    if (bodyParam) {
      bodyIndex = params.length;
      params.push(`${bodyParam}${typescript ? ': any' : ''}`);
    }
    // Several groups of methods can each share a function: the first takes the handler's name. Wrapped, a function is
    // not the export itself, and takes the handler's name, or the method's with it when the methods differ.
    // A function of a dispatcher's map keeps its own name (`getProject`) where it serves just that entry's methods.
    const kept = dispatch ? dispatchedName(dispatch, group.methods, moduleNames) : null;
    const name =
      kept ??
      (group.methods.length === 1 && !wrapped
        ? group.methods[0]
        : wrapped && (groups.length > 1 || dispatch)
          ? freshName(`${(group.methods.find((m) => m !== 'HEAD') ?? 'HEAD').toLowerCase()}${sharedName[0].toUpperCase()}${sharedName.slice(1)}`, moduleNames)
          : functions.some((f) => f.node.id.name === sharedName)
            ? freshName(sharedName, moduleNames)
            : sharedName);
    if (wrapped) moduleNames.add(name);
    // Every path throws (`DELETE: async () => { throw … }`): a declaration's type would be Promise<void>, which a
    // wrapper's twin, taking a handler that returns a Response or undefined, does not take.
    const throwsOnly = typescript && wrapped && returnsOf(statements).length === 0 && statements.some(alwaysExits);
    // An empty HEAD (above) says why it is there: no answer, as in Pages, rather than GET's code.
    const why = statements.length === 0 ? `\n  // Pages sent no answer to HEAD here; without this export the App Router would run GET's code for it.\n` : '';
    const [declaration] = snip.statements(`async function ${name}(${params.join(', ')})${throwsOnly ? ': Promise<never>' : ''} {${why}}`);
    if (statements.length) declaration.body.body = statements;
    functions.push({ methods: group.methods, node: declaration, ...(contextual && wrapped ? { inline: true } : {}) });
  }
  if (functions.length === 0) throw new Left('UNSUPPORTED_METHOD_CHECK', fn.loc?.start.line, 'no method answers anything but 405');

  const emitted = dispatch
    ? emitDispatchedExports(snip, functions, dispatch)
    : handler.wrappers.length
      ? emitWrappedExports(snip, functions, handler.wrappers.map((w) => ({ ...w, twin: wrapperBindings.get(w.local)!.twin })), moduleNames)
      : emitExports(snip, functions);
  // The dispatcher answered every method in Pages (its 405 for those outside the map): its version does for each.
  const methods = dispatch ? ALL_METHODS : ALL_METHODS.filter((m) => functions.some((f) => f.methods.includes(m)));
  if (pipesBody) addPipedBody(snip, program, moduleNames, recipes.imports, typescript);
  const markers: Array<{ reason: Reason; detail: string }> = [...(reshaped && 'notes' in reshaped ? (reshaped.markers ?? []) : [])];
  // What the sub-handlers' twins the route calls say: their markers are in their module, the route points at them.
  const subCalled = subCalls.called.filter((ref) => helpersCalled.has(localOf(program, ref)));
  for (const ref of subCalled) {
    notes.push(...ref.notes);
    for (const m of ref.markers) markers.push({ reason: m.reason, detail: `in ${ref.module} (${ref.twin}): ${m.detail ?? ''}`.replace(/: $/, '') });
  }
  const head: Node[] = [];
  if (contextTypeName && functions.some((f) => f.node.params.length > 1)) {
    const paramsType = paramsTypeCode(routeParams, (value) => snip.str(value));
    head.push(...snip.statements(`type ${contextTypeName} = { params: ${awaitParams ? `Promise<${paramsType}>` : paramsType} }${END}`));
  }
  if (prerendersGet(ctx) && methods.includes('GET') && !config?.hasDynamic) {
    head.push(...forceDynamic(snip));
  }
  if (config) {
    notes.push(...droppedConfigNotes(config));
    if (config.rawBody && !formidable.notes.length && !multer.notes.length) notes.push('bodyParser: false: the raw body is read from the request');
    for (const key of config.unknown) markers.push({ reason: 'CONFIG_DROPPED', detail: `config.${key}` });
  }
  // A wrapper that uses the handler's value did not drop what it returns.
  if (returnsIgnored.length && !keepsResult) markers.push({ reason: 'RETURN_IGNORED_BY_PAGES', detail: linesText(returnsIgnored) });
  if (revalidated) markers.push({ reason: 'REVALIDATE_CHANGED', detail: 'res.revalidate(path) → revalidatePath(path)' });
  // A send that now ends the handler where Pages went on: what ran after it (a write, a second send that threw) no
  // longer does, which only a look at the code can tell harmless (a return missing in Pages) or not.
  const lineOfNote = (note: string) => note.replace(/^line (\S+): .*$/s, '$1');
  const cut = notes.filter((note) => note.endsWith(ENDS_HANDLER_NOTE) && !harmless.has(Number(lineOfNote(note))));
  if (cut.length) {
    // One line per send: a method function's copy of the handler's code notes it again.
    const lines = [...new Set(cut.map(lineOfNote))];
    markers.unshift({ reason: 'ANSWER_ENDS_HANDLER', detail: linesText(lines) });
    notes.splice(0, notes.length, ...notes.filter((note) => !cut.includes(note)));
  }
  // The handler's own comments (JSDoc) stay above the first method; markers go above everything they concern.
  emitted[0] = snip.withCommentsOf(program.body[handler.declarationIndex], emitted[0]);
  const markerLines = markers.map((m) => `// ${markerText(m.reason, m.detail)}`);
  if (head.length) head[0] = snip.withCommentsOf(head[0], head[0], markerLines);
  else emitted[0] = snip.withCommentsOf(emitted[0], emitted[0], markerLines);

  const replaced = [...head, ...emitted];
  if (handler.exportIndex > handler.declarationIndex) {
    // The wrapped exports (`export const GET = withRoleRoute(getHandler, ROLES)`) stay where the default export stood:
    // their arguments may read consts declared after the handler, which the module ran before that export.
    const atExport = handler.wrappers.length ? emitted.filter((n) => n.type !== 'FunctionDeclaration' && n !== emitted[0]) : [];
    program.body.splice(handler.exportIndex, 1, ...atExport);
    program.body.splice(handler.declarationIndex, 1, ...replaced.filter((n) => !atExport.includes(n)));
  } else {
    program.body.splice(handler.declarationIndex, 1, ...replaced);
    if (handler.exportIndex >= 0) program.body.splice(handler.exportIndex, 1);
  }
  multer.finish?.();
  const factoriesUsed = factories.finish(helpersCalled);
  factoriesUsed.uses.forEach((use) => compat.add(use));
  // The recipes' stand-ins for req and res (getServerSession's, the Supabase client's), unless every method that
  // called them went (a 405-only one).
  for (const use of recipes.compat) if (functions.some((f) => namesIn(f.node).has(use))) compat.add(use);
  // A wrapper whose twin writes a library's cookies into its own headers, around a handler that writes cookies through
  // such a library too: in Pages both wrote to one response, each library reading what the other had set there; the
  // route's two sets of headers would lose the wrapper's (withHeaders keeps the handler's Set-Cookie).
  const cookieWrappers = handler.wrappers.filter((w) => wrapperBindings.get(w.local)?.setsCookies);
  const cookieWrapper = cookieWrappers[0];
  if (cookieWrapper && (writesRouteCookies(compat) || guardsCalled.some((guard) => guard.takesHeaders))) {
    throw new Left('RES_ESCAPES', fn.loc?.start.line, `${cookieWrapper.local}(…) and the handler both set cookies through a library that reads the response's Set-Cookie (next-auth, Supabase): in Pages they shared one response`);
  }
  // Two such wrappers, one inside the other: each twin has headers of its own, and the outer one's cookies would go.
  if (cookieWrappers.length > 1) {
    throw new Left('RES_ESCAPES', fn.loc?.start.line, `${cookieWrappers[0].local}(…) and ${cookieWrappers[1].local}(…) both set cookies through a library that reads the response's Set-Cookie (next-auth, Supabase): in Pages they shared one response`);
  }
  // A handler that appends a cookie kept the wrapper's in Pages (appendHeader adds to what is set); the route's
  // answer would carry its own Set-Cookie only.
  const handlerCookie = cookieWrapper ? setCookieWrite(program.body) : null;
  if (handlerCookie === 'append') {
    throw new Left('RES_ESCAPES', fn.loc?.start.line, `${cookieWrapper!.local}(…) sets cookies through a library, and the handler appends a Set-Cookie beside them: in Pages they shared one response`);
  }
  // One that sets it replaced the wrapper's in Pages, as the answer's own Set-Cookie replaces them in the route; but a
  // library object the wrapper hands the handler (a Supabase client) may set more while the handler runs, after it:
  // Pages sent those, the route's answer would not.
  if (handlerCookie === 'set' && handler.fn.params.length > 2) {
    throw new Left('RES_ESCAPES', fn.loc?.start.line, `${cookieWrapper!.local}(…) sets cookies through a library and hands the handler more than (req, res), which may set more while it runs, and the handler sets a Set-Cookie: in Pages they shared one response`);
  }

  const helpersUsed = [
    ...[...importedHelpers].filter(([local]) => helpersCalled.has(local)).map(([, binding]) => binding),
    ...handler.wrappers.map((w) => wrapperBindings.get(w.local)!),
    ...(dispatch ? [dispatch.binding] : []),
    ...requestHelpersCalled,
    ...guardsCalled.filter((guard) => !ownGuards.guards.has(guard.imported)),
    ...sessionHelpers.called,
    ...middleware.helpersUsed,
    ...factoriesUsed.used,
  ];
  // A same-file stream reader that the request's arrayBuffer() replaced has no caller left: it goes, its comments
  // stay (above the next statement), and so do the imports only it used (its `Readable` type).
  const readerNames = new Set<string>();
  for (const [stmt, reader] of ownReaders) {
    // A reader removed before this one gave its comments to the next statement, which is then a new node: this one,
    // when the two stood together.
    const at = program.body.findIndex((s: Node) => s === stmt || bufferReaderOf(s)?.name === reader);
    if (at < 0 || countIdentifiers(program, reader) > 1) continue;
    const removed = program.body[at];
    namesIn(removed).forEach((n) => readerNames.add(n));
    program.body.splice(at, 1);
    if (program.body[at]) program.body[at] = snip.withCommentsOf(removed, program.body[at]);
    notes.push(`${reader}(), which read the request stream, is no longer used and was removed`);
  }
  // An imported reader the rewrite replaced leaves its import unused: it goes (the module stays, for its other users).
  const readerImports = (ctx.middlewareImports ?? []).filter((m) => m.kind === 'body-reader').map((m) => m.specifier);
  if (readerNames.size || readerImports.length) {
    const sources = new Set([...readerImports, ...program.body.filter((st: Node) => st.type === 'ImportDeclaration' && st.specifiers?.some((sp: Node) => readerNames.has(sp.local.name))).map((st: Node) => st.source.value)]);
    removeUnusedImports(snip, program, (source) => sources.has(source));
  }
  notes.push(...dropUnusedRunners(snip, program, middleware.runners));
  // The handler's own calls, those of the functions of its file that moved in with it, and a session helper's twin.
  if (callsSessionWithOptions(program) || helpersUsed.some((helper) => helper.kind === 'session')) notes.push(SESSION_COOKIES_NOTE);
  // What the twins it calls say (a guard's getServerSession).
  for (const helper of helpersUsed) notes.push(...(helper.notes ?? []));
  // getServerSession(options) reads an App Router request (next/headers) from next-auth 4.16.0 on; before, it takes
  // its options for the request and the route would throw.
  if (notes.includes(SESSION_COOKIES_NOTE) && ctx.nextAuthVersion && !versionAtLeast(ctx.nextAuthVersion, 4, 16)) {
    throw new Left('NEXT_AUTH_TOO_OLD', undefined, `next-auth ${ctx.nextAuthVersion}'s getServerSession(options) cannot read an App Router request (that came with 4.16.0), and this route would need it: upgrade next-auth first`);
  }
  importTwins(snip, program, helpersUsed);
  // The twin comes from the module itself when the page imports the function through a barrel, which does not pass it on.
  for (const ref of subCalled) if (ref.twinSpecifier !== ref.specifier || !addToImport(snip, program, ref.specifier, [ref.twin])) addImport(snip, program, ref.twinSpecifier, { values: [ref.twin], types: [] }, typescript);
  fixRelativeImports(program, ctx.sourcePath, ctx.targetPath);
  removeUnusedImports(snip, program, (s) => s === 'next' || s === 'micro' || STREAM_CONSUMERS.includes(s) || s === 'raw-body' || s === 'formidable' || [...helpersUsed, ...subCalled].some((h) => fixedSpecifier(h, ctx) === s));
  for (const [source, names] of recipes.imports) addImport(snip, program, source, { values: [...names].sort(), types: [] }, typescript);
  if (needsRequestType) addImport(snip, program, 'next', { values: [], types: ['NextApiRequest'] }, true);
  addImport(snip, program, 'next/server', { values: [...nextServer.values].sort(), types: [...nextServer.types] }, typescript);
  if (compat.size) {
    addImport(snip, program, compatSpecifier(ctx.targetPath, ctx.compatPath), { values: [...compat].sort(), types: [] }, typescript);
  }

  const { output, diagnostics } = printRoute(j, program, normalized, ctx.sourcePath, [...markers, ...draftMode.markers]);
  const shadowed = shadowedGlobal(program);
  if (shadowed) throw new Left('GLOBAL_SHADOWED', shadowed.line, shadowed.detail);
  const exportsModule = moved ? movedModule(rawSource, ctx, moved) : undefined;
  if (exportsModule) notes.push(movedNote(exportsModule.exports, exportsModule.path));
  const inlined = [...subHandlers.unused].flatMap(declaredNames);
  return { status: diagnostics.length ? 'review' : 'migrated', output, diagnostics, notes: [...new Set(notes)], usesCompat: compat.size > 0, methods, helpersUsed, exportsModule, ...(inlined.length ? { inlined } : {}), ...(readsBody ? { readsBody } : {}), ...(readsQuery ? { readsQuery } : {}), ...(bodyIndex !== undefined ? { bodyIndex } : {}) };
}

/** `res is passed to limiter.check()`, and why that method was not followed when a project factory's is the reason. */
function withFactoryWhy(detail: string, factories: RouteFactoryMethods): string {
  const call = /^res is passed to ([\w$]+)\.([\w$]+)\(\)$/.exec(detail);
  const why = call && factories.explain(call[1], call[2]);
  return why ? `${detail}: ${why}` : detail;
}

/** The route's text in the source's line endings, and the markers placed in it with their output lines. */
function printRoute(j: ReturnType<typeof apiFor>, program: Node, source: SourceText, sourcePath: string, markers: Array<{ reason: Reason; detail: string }>): { output: string; diagnostics: Diagnostic[] } {
  const output = printProgram(j, program, source.text, sourcePath);
  return { output: source.restore(output), diagnostics: markerDiagnostics(output, markers) };
}

/** `export const dynamic = 'force-dynamic'`: Next would serve the GET prerendered (prerendered-get.ts), and Pages never cached an API response. */
function forceDynamic(snip: Snippets): Node[] {
  return snip.statements(`export const dynamic = ${snip.str('force-dynamic')}${END}`);
}

/** The name of the route functions' request parameter: `request`, unless the module uses it for something else. */
function requestNameFor(moduleNames: Set<string>, reqName: string): string {
  const taken = new Set(moduleNames);
  taken.delete(reqName);
  return freshName('request', taken);
}

/**
 * `req is passed to requireAdmin()` where requireAdmin is a guard of another module with a twin, called in a condition
 * the tool does not follow (`if (!isCron && !requireAdmin(req, res)) return`): the reason says so, with the shapes it
 * follows.
 */
function guardCallReason(escape: { line?: number; detail: string }, guards: Map<string, ImportedHelper>, body: Node[]): string | undefined {
  const name = /^req is passed to ([\w$]+)\(\)$/.exec(escape.detail)?.[1];
  const guard = name ? guards.get(name) : undefined;
  // A name the handler declares itself is another function there.
  if (!guard || namesDeclaredWithin({ type: 'BlockStatement', body }).has(name!)) return undefined;
  let inCondition = false;
  walk({ type: 'BlockStatement', body }, (node) => {
    const test = node.type === 'IfStatement' ? node.test : node.type === 'LogicalExpression' ? node : null;
    if (!test) return;
    walk(test, (inner) => {
      if (inner.type === 'CallExpression' && isIdent(inner.callee, name!) && inner.loc?.start.line === escape.line) inCondition = true;
    });
  });
  if (!inCondition) return undefined;
  return `${escape.detail}, a guard of '${guard.specifier}' in a condition the tool does not follow (it follows \`if (!(await ${name}(req, res))) return;\` and \`const value = await ${name}(req, res); if (!value) return;\`, nothing between the call and its check)`;
}

/** `req is passed to post()`, and why, when post() is a function of this file that could not take the request. */
function withDeclinedReason(detail: string, local: LocalRequestFunctions): string {
  const name = /^req is passed to ([\w$]+)\(\)$/.exec(detail)?.[1];
  const why = name ? local.declined.get(name) : undefined;
  return why ? `${detail}, a function of this file: ${why}` : detail;
}

/**
 * The helpers a call of which has written the answer's head when it returns (after-answer.ts answersAtOnce), by local
 * name, with the position of res: the file's own functions that take res (not the handler), and imported ones.
 */
function helpersAnsweringAtOnce(program: Node, handlerFn: Node, imported: Map<string, ImportedHelper>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [local, helper] of imported) if (helper.answersAtOnce) out.set(local, helper.resIndex);
  for (const { name, fn } of moduleFunctions(program)) {
    const resIndex = fn === handlerFn ? -1 : fn.params.findIndex(isResponseParam);
    if (resIndex >= 0 && fn.params[resIndex].type === 'Identifier' && answersAtOnce(fn, fn.params[resIndex].name)) out.set(name, resIndex);
  }
  // A name the handler declares itself is another function where the handler calls it.
  for (const name of namesDeclaredWithin(handlerFn)) out.delete(name);
  return out;
}

/** `getSession(req, id)` → `getSessionForRoute(request, id)` for imported helpers with a request twin; returns those called. */
function redirectRequestHelperCalls(j: JSCodeshift, body: Node[], reqName: string, requestName: string, helpers: Map<string, ImportedHelper>): ImportedHelper[] {
  const called = new Set<ImportedHelper>();
  if (!helpers.size) return [];
  walk(j.blockStatement(body), (node) => {
    if (node.type !== 'CallExpression' || node.callee.type !== 'Identifier') return;
    const helper = helpers.get(node.callee.name);
    // `verifyToken({ req })`: a helper that takes req in an object gets the request in the object's place.
    const passed = helper?.carried ? carriedArgs(node, helper.resIndex, ['req'])?.req : helper && node.arguments[helper.resIndex];
    if (!helper || !isIdent(passed, reqName)) return;
    // A twin that reads the body (or the query) takes it last: `req.body` (`req.query`) here, which the request
    // rewrite reads as the route's own. A call that passes arguments up to there is left.
    const added = [helper.bodyIndex, helper.queryIndex].filter((at): at is number => at !== undefined);
    if (added.length && (node.arguments.length > Math.min(...added) || node.arguments.some((a: Node) => a.type === 'SpreadElement'))) return;
    if (!helper.asIs) node.callee = j.identifier(helper.twin);
    node.arguments[helper.resIndex] = j.identifier(requestName);
    if (helper.bodyIndex !== undefined) passPagesBody(j, node, helper.bodyIndex, reqName);
    if (helper.queryIndex !== undefined) passPagesBody(j, node, helper.queryIndex, reqName, 'query');
    called.add(helper);
  });
  return [...called];
}

/** A session helper's call that still passes req: the lines of its req, and what the report says of it. */
interface SessionCallLeft {
  lines: Set<number>;
  /** The helper's local name. */
  callee: string;
  detail: string;
}

/** Whether `roots` append a Set-Cookie header: `res.appendHeader('Set-Cookie', …)`, or its rewrite `headers.append('Set-Cookie', …)`. */
/** How the code writes a literal Set-Cookie header: appending to it (`appendHeader`, `append`), or setting it. */
function setCookieWrite(roots: Node[]): 'append' | 'set' | null {
  let found: 'append' | 'set' | null = null;
  for (const root of roots)
    walk(root, (node) => {
      const name = node.type === 'CallExpression' ? memberName(node.callee) : null;
      if (stringValue(node.arguments?.[0])?.toLowerCase() !== 'set-cookie') return;
      if (name === 'appendHeader' || name === 'append') found = 'append';
      else if ((name === 'setHeader' || name === 'set') && !found) found = 'set';
    });
  return found;
}

/** The report's detail for the request rewrite's escape when it stopped at the req of a session helper's call left. */
function sessionHelperReason(escape: { line?: number; reason: Reason; detail: string }, left: SessionCallLeft[]): string | undefined {
  if (escape.reason !== 'REQ_ESCAPES' || escape.line === undefined) return undefined;
  // The escape of that req: passed to the helper itself, or in the object passed to it (`{ req, res }`).
  const at = (call: SessionCallLeft) => call.lines.has(escape.line!) && [`req is passed to ${call.callee}()`, `req is passed to ${call.callee}() in an object`, 'req used in a ObjectProperty'].includes(escape.detail);
  return left.find(at)?.detail;
}

/**
 * Calls of imported session helpers (transforms/lib/session-helper.ts) that pass the handler's req and res where the
 * helper takes them. In the handler's own body the helper itself is called with next-auth's Pages-like request and
 * response (`nextAuthHelpers`: the compat names are free; `helper.shims`: its parameters take them), so that its getServerSession sets cookies as in Pages; in a callback
 * of the handler, which has no route headers to write into, the twin is called without them. Returns the twins
 * called, whether a call took the shims, and the calls left that still pass req, with why (a helper with no twin, or
 * a call that passes more than `{ req, res }`).
 */
function redirectSessionHelperCalls(
  j: JSCodeshift,
  snip: Snippets,
  body: Node[],
  names: { req: string; res: string; request: string },
  helpers: Map<string, ImportedHelper>,
  nextAuthHelpers: boolean,
  standInClash: string | null,
): { called: ImportedHelper[]; shimmed: boolean; left: SessionCallLeft[] } {
  const called = new Set<ImportedHelper>();
  const left: SessionCallLeft[] = [];
  let shimmed = false;
  if (!helpers.size) return { called: [], shimmed, left };
  const refs = { req: new Set(referencesTo(body, names.req).map((r) => r.node)), res: new Set(referencesTo(body, names.res).map((r) => r.node)) };
  const nested = new Set<Node>();
  walk(j.blockStatement(body), (node) => {
    if (isFunction(node)) walk(node, (inner) => void nested.add(inner));
  });
  walk(j.blockStatement(body), (node) => {
    if (node.type !== 'CallExpression' || node.callee.type !== 'Identifier') return;
    const helper = helpers.get(node.callee.name);
    if (!helper) return;
    const passes = !helper.declined && passesRequestAsTaken(node, helper.sessionArgs!, names, refs);
    const clashes = (helper.query || helper.writesCookies) && standInClash !== null;
    if (passes && helper.shims && nextAuthHelpers && !nested.has(node) && !clashes) {
      passNextAuthShims(node, helper.sessionArgs!, names, helper.query ? names.req : undefined);
      shimmed = true;
      // The walk goes on into the call's other arguments: a session helper's call may sit there too.
      return;
    }
    if (passes && !helper.shimOnly) {
      node.callee = j.identifier(helper.twin);
      dropRequestArgs(node, helper.sessionArgs!);
      called.add(helper);
      return;
    }
    const lines = new Set<number>();
    walk(node, (inner) => {
      if (refs.req.has(inner) && inner.loc) lines.add(inner.loc.start.line);
    });
    if (!lines.size) return;
    // A helper with no twin, passed req and res as it takes them, in a callback (no route headers there for its
    // cookies) or in a file whose names for next-auth's request and response are taken.
    const cannot = !passes ? 'this call passes more than req and res' : clashes && !nested.has(node) && nextAuthHelpers ? standInClash : `${nested.has(node) ? 'a callback' : 'this file'} cannot pass it next-auth's request`;
    const shimWhy = helper.shimOnly ? `${helper.shimOnly}, so it has no route-handler version without req, and ${cannot}` : undefined;
    const why = helper.declined ?? shimWhy ?? `its route-handler version takes no req and res, and this call passes more than ${helper.sessionArgs!.req === helper.sessionArgs!.res ? '{ req, res }' : 'them'}`;
    left.push({ lines, callee: node.callee.name, detail: `${names.req} is passed to ${node.callee.name}(), a helper of '${helper.specifier}': ${why}` });
  });
  return { called: [...called], shimmed, left };
}

/** What of req a handler may read beside helpers given the stand-in request: what they can change of it it shares. */
const PARTS_SHARED_WITH_STAND_INS = new Set(['query', 'method', 'body', 'url']);

/**
 * The handler's own use of req that would not share what helpers given the stand-in request with the route's query
 * (stand-in-helper.ts) see of it, where Pages shared req: the query other than read through `req.query` (destructured
 * `const { query } = req`, which the request rewrite gives an object of its own, or replaced), or req handed on
 * (to a function of the file, whose rewrite reads the request), and where one sets cookies on req (cookies-next's
 * setCookie), also its cookies and headers. Reads of its query, method, body and URL (also destructured), and of one
 * header or cookie where none sets cookies, share all that changes. Null when there is no such use, or no such helper.
 * Read on the handler as written (its sub-handlers in place), before other rewrites take req out of their calls.
 */
function standInClash(body: Node[], names: { req: string; res: string }, helpers: Map<string, ImportedHelper>): string | null {
  const refs = { req: new Set(referencesTo(body, names.req).map((r) => r.node)), res: new Set(referencesTo(body, names.res).map((r) => r.node)) };
  const passed = new Set<Node>();
  let writes = false;
  walk({ type: 'BlockStatement', body }, (node) => {
    const helper = node.type === 'CallExpression' && isIdent(node.callee) ? helpers.get(node.callee.name) : undefined;
    if (!helper?.shims || !(helper.query || helper.writesCookies) || !passesRequestAsTaken(node, helper.sessionArgs!, names, refs)) return;
    writes ||= !!helper.writesCookies;
    const object = helper.sessionArgs!.req === helper.sessionArgs!.res ? node.arguments[helper.sessionArgs!.req] : null;
    const given = object ? object.properties.map((p: Node) => p.value) : [node.arguments[helper.sessionArgs!.req], node.arguments[helper.sessionArgs!.res]];
    given.forEach((n: Node) => passed.add(n));
  });
  if (!passed.size) return null;
  const shared = (ref: Reference): boolean => {
    const part = ref.key === 'object' && !ref.parent.computed ? memberName(ref.parent) : null;
    const [above, further] = [ref.ancestors.at(-2), ref.ancestors.at(-3)];
    if (part === 'query') return !isWrittenAt(ref.parent, above, further);
    if (part !== null && PARTS_SHARED_WITH_STAND_INS.has(part)) return true;
    // `req.cookies.token`, `req.headers.authorization`, read where no helper sets cookies.
    if (!writes && (part === 'cookies' || part === 'headers') && isMember(above) && above.object === ref.parent && !isWrittenAt(above, further, ref.ancestors.at(-4))) return true;
    const pattern = ref.parent.type === 'VariableDeclarator' && ref.key === 'init' ? ref.parent.id : null;
    return pattern?.type === 'ObjectPattern' && pattern.properties.every((p: Node) => p.type === 'ObjectProperty' && !p.computed && p.key.name !== 'query' && PARTS_SHARED_WITH_STAND_INS.has(p.key.name ?? p.key.value));
  };
  const other = referencesTo(body, names.req).find((ref) => !passed.has(ref.node) && !shared(ref));
  return other ? `the handler's own use of ${names.req} on line ${other.node.loc?.start.line} would not share the request it is given${writes ? ' (it sets cookies on it)' : ''}` : null;
}

function isBodyRead(stmt: Node, name: string): boolean {
  if (stmt.type === 'VariableDeclaration') return stmt.declarations[0]?.id?.name === name;
  return stmt.type === 'IfStatement' && stmt.test.type === 'BinaryExpression' && stmt.test.left?.name === name;
}

/** The name a callee starts from: `cors` of `cors()` or of `cors.handler`, or null. */
function rootName(callee: Node): string | null {
  let node = unwrap(callee);
  while (node?.type === 'CallExpression' || node?.type === 'MemberExpression') node = unwrap(node.type === 'CallExpression' ? node.callee : node.object);
  return node?.type === 'Identifier' ? node.name : null;
}

/** Where an import comes from, as a reason says it: `from the package 'micro-cors', which the tool has no recipe for`. */
function importedFrom(source: string, moduleSpecifiers: string[]): string {
  return isPackageSpecifier(source) && !moduleSpecifiers.includes(source) ? `from the package '${source}', which the tool has no recipe for` : `from '${source}', where the tool found no wrapper it can rewrite`;
}

/**
 * Why the wrapper of the default export (`withAuth(handler)`, `cors()(handler)`) is not followed, for
 * HANDLER_NOT_FOUND: the blocker the plan found in its project module, the package it comes from (also through a
 * const of this file made by its call: `const cors = Cors({ … })`), or that it is a function of this file.
 */
function unfollowedWrapper(snip: Snippets, program: Node, callee: Node, imported: Map<string, ImportedHelper>, moduleSpecifiers: string[]): string {
  const text = callee.type === 'Identifier' ? callee.name : snip.src(callee);
  const head = `the handler is wrapped by ${text.length <= 40 && !text.includes('\n') ? `${text}(…)` : 'a call'}`;
  const root = rootName(callee);
  if (!root) return `${head}, which has no route-handler version`;
  const binding = callee.type === 'Identifier' ? imported.get(root) : undefined;
  if (binding?.declined) return `${head} of ${binding.definedIn}, which the tool cannot rewrite: ${binding.declined}`;
  const source = importSourceOf(program, root);
  if (source !== undefined) return `${head} ${importedFrom(source, moduleSpecifiers)}`;
  for (const stmt of program.body) {
    if (!declaredNames(stmt).includes(root)) continue;
    // `const cors = Cors({ … })`: the package's function that made it.
    const declarator = stmt.type === 'VariableDeclaration' ? stmt.declarations.find((d: Node) => isIdent(d.id, root)) : null;
    const maker = declarator?.init && unwrap(declarator.init).type === 'CallExpression' ? rootName(unwrap(declarator.init).callee) : null;
    const makerSource = maker ? importSourceOf(program, maker) : undefined;
    if (makerSource !== undefined) return `${head}, made by ${maker}(…) ${importedFrom(makerSource, moduleSpecifiers)}`;
    return `${head}, declared in this file: the tool writes route-handler versions only of wrappers in other modules`;
  }
  return `${head}, which has no route-handler version`;
}

/**
 * Local names of the imported helpers and wrappers that have a route-handler twin: `import { errorhandler } from
 * '@/lib/e'`, `import withAuth from '@/lib/auth'`.
 */
function importedHelperBindings(program: Node, helpers: ImportedHelper[]): Map<string, ImportedHelper> {
  const bindings = new Map<string, ImportedHelper>();
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || stmt.importKind === 'type') continue;
    for (const spec of stmt.specifiers ?? []) {
      const imported = spec.type === 'ImportDefaultSpecifier' ? 'default' : spec.type === 'ImportSpecifier' && spec.importKind !== 'type' ? spec.imported.name : null;
      const helper = helpers.find((h) => h.specifier === stmt.source.value && h.imported === imported);
      if (helper) bindings.set(spec.local.name, helper);
    }
  }
  return bindings;
}

/** Adds each used twin to the import of its helper (the original goes when nothing else uses it). */
function importTwins(snip: Snippets, program: Node, helpers: ImportedHelper[]): void {
  // A factory's twins are methods of the object it returns: its import stays as it is.
  // A helper called as it is (asIs) keeps its import too.
  for (const helper of helpers) if (helper.kind !== 'factory' && !helper.asIs) addToImport(snip, program, helper.specifier, [helper.twin]);
}

/** The specifier after fixRelativeImports moved it for the route's folder. */
function fixedSpecifier(helper: { specifier: string }, ctx: TransformContext): string {
  return helper.specifier.startsWith('.') ? moveSpecifier(helper.specifier, posix.dirname(ctx.sourcePath), posix.dirname(ctx.targetPath)) : helper.specifier;
}

/** The local name a sub-handler's import binds in the route (its helpers are known by it). */
function localOf(program: Node, ref: { specifier: string; imported: string }): string {
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || stmt.source.value !== ref.specifier) continue;
    for (const s of stmt.specifiers ?? []) {
      const imported = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportSpecifier' ? (s.imported.name ?? s.imported.value) : null;
      if (imported === ref.imported) return s.local.name;
    }
  }
  return '';
}

/** How many times `name` is read in `body` outside its own declaration. */
function countReads(body: Node[], name: string): number {
  let reads = 0;
  const visit = (node: Node, parentKey: string | null, parent: Node | null) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, parentKey, parent));
    if (node.type === 'Identifier' && node.name === name) {
      const isDeclaration = parent?.type === 'VariableDeclarator' && parentKey === 'id';
      const isProperty = (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && parentKey === 'property' && !parent.computed;
      if (!isDeclaration && !isProperty) reads++;
      return;
    }
    for (const k of Object.keys(node)) if (k !== 'loc' && k !== 'tokens' && k !== 'comments') visit(node[k], k, node);
  };
  visit(body, null, null);
  return reads;
}

/** One function per distinct method body; methods with the same body share one function. */
function splitByMethod(body: Node[], reqName: string, moduleBody: Node[], snip: Snippets, wrapperMethods: string[], typescript: boolean): MethodGroup[] {
  const reader = { ...methodReaderFor(reqName, body, moduleBody, (from, to) => snip.withCommentsOf(from, to)), typescript };
  const block = { type: 'BlockStatement', body };
  const universe = new Set<string>([...DEFAULT_METHODS, ...methodsNamed(block, reader), ...wrapperMethods]);
  // A body that never reads the method is the same for every method: one copy serves them all.
  if (!mentionsMethod(block, reader)) {
    const methods = ALL_METHODS.filter((m) => universe.has(m));
    return [{ methods, body: specializeBody(body, methods[0], reader) }];
  }
  // HEAD too, for its own answer where the method check leaves it out (the transform drops it where it is GET's).
  universe.add('HEAD');
  const groups = new Map<string, MethodGroup>();
  for (const method of ALL_METHODS) {
    if (!universe.has(method)) continue;
    let specialized: Node[];
    try {
      specialized = specializeBody(body, method, reader);
    } catch (error) {
      if (error instanceof UnsupportedDispatch) throw new Left('UNSUPPORTED_METHOD_CHECK', undefined, error.message);
      throw error;
    }
    const key = structureKey(specialized);
    const group = groups.get(key);
    if (group) group.methods.push(method);
    else groups.set(key, { methods: [method], body: specialized });
  }
  return [...groups.values()];
}

function emitExports(snip: Snippets, functions: Array<{ methods: string[]; node: Node }>): Node[] {
  const out: Node[] = [];
  for (const f of functions) {
    if (f.methods.length === 1) {
      const [exported] = snip.statements('export function placeholder() {}');
      exported.declaration = f.node;
      out.push(exported);
    } else {
      out.push(f.node);
      const name = f.node.id.name;
      // The snippet declares the name too, or the parser rejects an export of an undefined binding.
      out.push(snip.statements(`function ${name}() {}\nexport { ${f.methods.map((m) => `${name} as ${m}`).join(', ')} }${END}`)[1]);
    }
  }
  return out;
}

/**
 * Wrapped handlers: each function stays a plain declaration and every method is exported through the wrappers'
 * route-handler versions, `export const GET = withAuthRoute(handler, 'admin')`. The wrappers' other arguments (and a
 * curried wrapper's options) are kept as written where they run no code, and otherwise run once into a const.
 */
function emitWrappedExports(snip: Snippets, functions: Array<{ methods: string[]; node: Node; inline?: boolean }>, wrappers: Array<{ call: Node; handlerIndex: number; twin: string; factory?: Node }>, taken: Set<string>): Node[] {
  // An argument that runs code (`createLimiter(5)`) ran once in Pages, where the module exported the wrapped handler:
  // it runs once here too, into a const every export reads, rather than once per method.
  const hoisted: string[] = [];
  const argText = (a: Node) => {
    if (runsNothing(a)) return snip.src(a);
    const name = freshName('wrapperArg', taken);
    taken.add(name);
    hoisted.push(`const ${name} = ${snip.src(a)}${END}`);
    return name;
  };
  const texts = new Map<Node, string>(wrappers.flatMap((w) => [...(w.factory?.arguments ?? []), ...w.call.arguments.filter((_: Node, i: number) => i !== w.handlerIndex)].map((a: Node) => [a, argText(a)] as [Node, string])));
  // A curried wrapper's factory call keeps its options: `requestMethodRoute(['GET'])(GET)`.
  const options = (w: { factory?: Node }) => (w.factory ? `(${w.factory.arguments.map((a: Node) => texts.get(a)!).join(', ')})` : '');
  const wrap = (name: string) =>
    wrappers.reduceRight((inner, w) => `${w.twin}${options(w)}(${w.call.arguments.map((a: Node, i: number) => (i === w.handlerIndex ? inner : texts.get(a)!)).join(', ')})`, name);
  const out: Node[] = [];
  const hoist = () => out.push(...hoisted.splice(0).flatMap((text) => snip.statements(text)));
  for (const f of functions) {
    if (f.inline) {
      // `export const GET = withAuthRoute(async (request, context, user) => {…})`, or for several methods one const.
      const fn = `async (${f.node.params.map((p: Node) => snip.src(p)).join(', ')}) => ${snip.src(f.node.body)}`;
      hoist();
      const [only] = f.methods;
      if (f.methods.length === 1) out.push(...snip.statements(`export const ${only} = ${wrap(fn)}${END}`));
      else out.push(...snip.statements(`const ${f.node.id.name} = ${wrap(fn)}${END}\nexport { ${f.methods.map((m) => `${f.node.id.name} as ${m}`).join(', ')} }${END}`));
      continue;
    }
    out.push(f.node);
    hoist();
    for (const method of f.methods) out.push(...snip.statements(`export const ${method} = ${wrap(f.node.id.name)}${END}`));
  }
  return out;
}

/** A parameter with a type of its own: annotated, or a default value to infer it from. */
function hasType(param: Node): boolean {
  return param.type === 'AssignmentPattern' || !!param.typeAnnotation;
}

/** reshapeImportedDispatch, its NotRewritable a reason to leave the file. */
function dispatchOfImported(snip: Snippets, program: Node, dispatchers: Map<string, ImportedHelper>): ImportedDispatch | null {
  if (!dispatchers.size) return null;
  try {
    return reshapeImportedDispatch(snip, program, dispatchers);
  } catch (error) {
    if (error instanceof NotRewritable) throw new Left('DISPATCHER_NOT_FOLLOWED', error.line, error.detail);
    throw error;
  }
}

/** The name of the map's function for `methods`, when it was a declared one serving exactly those, and is free. */
function dispatchedName(dispatch: ImportedDispatch, methods: string[], moduleNames: Set<string>): string | null {
  const own = dispatch.methods.get(methods[0]);
  const same = [...dispatch.methods].filter(([, name]) => name === own).map(([method]) => method);
  if (!own || ALL_METHODS.includes(own) || moduleNames.has(own) || same.length !== methods.length || !methods.every((m) => same.includes(m))) return null;
  return own;
}

/**
 * A dispatched route: the functions, then one `const handler = withMiddlewaresRoute({ GET: getHandler, … }, options)`
 * exported under every method name, so that the dispatcher's version answers each method as the original did (its own
 * 405 for methods outside the map, HEAD and OPTIONS included, instead of the App Router's).
 */
function emitDispatchedExports(snip: Snippets, functions: Array<{ methods: string[]; node: Node }>, dispatch: ImportedDispatch): Node[] {
  // In the map's own order: the dispatcher may list its keys (an `Allow` header).
  const entries = [...dispatch.methods.keys()].flatMap((method) => {
    const f = functions.find((fn) => fn.methods.includes(method) && dispatch.methods.has(method));
    return f ? [method === f.node.id.name ? method : `${method}: ${f.node.id.name}`] : [];
  });
  const args = dispatch.call.arguments.map((a: Node, i: number) => (i === dispatch.binding.resIndex ? `{ ${entries.join(', ')} }` : snip.src(a)));
  const text = `const ${dispatch.constName} = ${dispatch.binding.twin}(${args.join(', ')})${END}
export { ${ALL_METHODS.map((m) => `${dispatch.constName} as ${m}`).join(', ')} }${END}`;
  return [...functions.map((f) => f.node), ...snip.statements(text)];
}

/**
 * The route of a tRPC or better-auth catch-all, written into `program`, or null when the file is not one. These files
 * are whole routes: another value export would make an invalid route file (the main path checks the same once it
 * knows the handler). Config keys the tool does not know are flagged as in any route.
 */
function libraryRoute(snip: Snippets, program: Node, ctx: TransformContext, config: SegmentConfig | null): { markers: Array<{ reason: Reason; detail: string }>; notes: string[]; methods: string[] } | null {
  checkOtherExports(program, -1, -1, ctx.exportsModule && 'left' in ctx.exportsModule ? ctx.exportsModule.left : undefined);
  const configMarkers = (config?.unknown ?? []).map((key) => ({ reason: 'CONFIG_DROPPED' as Reason, detail: `config.${key}` }));
  const trpc = rewriteTrpc(snip, program, ctx, configMarkers);
  if (trpc && 'left' in trpc) throw new Left(trpc.left, trpc.line, trpc.detail);
  if (trpc) {
    if (config?.isEdge) throw new Left('TRPC_NOT_FOLLOWED', undefined, 'an Edge route');
    // bodyParser: false changes nothing here: the fetch adapter reads the request body itself, as the Pages one did
    // without Next's parser.
    if (config?.bodyLimit) trpc.notes.push(`bodyParser.sizeLimit (${config.bodyLimit}) is not enforced by the fetch adapter`);
    if (config?.rawBody) trpc.notes.push('bodyParser: false: the fetch adapter reads the request body itself');
    if (prerendersGet(ctx) && !config?.hasDynamic) program.body.splice(program.body.findIndex((s: Node) => s.type !== 'ImportDeclaration'), 0, ...forceDynamic(snip));
    return trpc;
  }
  const betterAuth = rewriteBetterAuth(snip, program);
  if (!betterAuth) return null;
  if (config?.isEdge) throw new Left('EDGE_RUNTIME');
  if (config?.rawBody) betterAuth.notes.push('bodyParser: false: route handlers never parse the body');
  const lines = configMarkers.map((m) => `// ${markerText(m.reason, m.detail)}`);
  const at = program.body.findIndex((s: Node) => s.type === 'ExportNamedDeclaration' && s.declaration?.declarations?.[0]?.id?.type === 'ObjectPattern');
  if (lines.length) program.body[at] = snip.withCommentsOf(program.body[at], program.body[at], lines);
  return { ...betterAuth, markers: configMarkers };
}

/**
 * The route of an Edge API route: the file as it is, its handler exported for every method (transforms/lib/edge-route.ts).
 * Config keys the tool does not know are flagged as in any route.
 */
function edgeRoute(j: ReturnType<typeof apiFor>, snip: Snippets, program: Node, handler: Handler, config: SegmentConfig, file: { ctx: TransformContext; normalized: SourceText; rawSource: string; moved: ExportsSplit | null | undefined; reshapedNotes: string[] }): TransformResult {
  const { ctx } = file;
  const route = toEdgeRoute(snip, program, handler, namesIn(program));
  if ('left' in route) throw new Left('EDGE_RUNTIME', route.line, route.left);
  if (prerendersGet(ctx) && !config.hasDynamic) {
    // After the segment config, which an edge route always has (its runtime).
    const runtime = program.body.findIndex((s: Node) => s.type === 'ExportNamedDeclaration' && s.declaration?.declarations?.[0]?.id?.name === 'runtime');
    program.body.splice(runtime + 1, 0, ...forceDynamic(snip));
  }
  const markers = config.unknown.map((key) => ({ reason: 'CONFIG_DROPPED' as Reason, detail: `config.${key}` }));
  const lines = markers.map((m) => `// ${markerText(m.reason, m.detail)}`);
  const first = program.body.findIndex((s: Node) => s.type !== 'ImportDeclaration');
  if (lines.length && first >= 0) program.body[first] = snip.withCommentsOf(program.body[first], program.body[first], lines);
  fixRelativeImports(program, ctx.sourcePath, ctx.targetPath);
  // The NextFetchEvent type of a parameter that went.
  removeUnusedImports(snip, program, (source) => source === 'next/server');
  const printed = printRoute(j, program, file.normalized, ctx.sourcePath, markers);
  const exportsModule = file.moved ? movedModule(file.rawSource, ctx, file.moved) : undefined;
  const notes = [...file.reshapedNotes, ...droppedConfigNotes(config), ...(exportsModule ? [movedNote(exportsModule.exports, exportsModule.path)] : [])];
  return { status: printed.diagnostics.length ? 'review' : 'migrated', ...printed, notes, usesCompat: false, methods: route.methods, ...(exportsModule ? { exportsModule } : {}) };
}

/** A default export that the tRPC or better-auth recipe turns into the whole route. */
function isLibraryRoute(program: Node): boolean {
  const sources = new Set(program.body.filter((s: Node) => s.type === 'ImportDeclaration').map((s: Node) => s.source.value));
  return sources.has('@trpc/server/adapters/next') || sources.has('better-auth/node');
}

/**
 * Route files may export only methods and segment config: other value exports mean other modules import this file.
 * `why`: the plan's reason for not moving them (an importer it cannot follow).
 */
function checkOtherExports(program: Node, declarationIndex: number, exportIndex: number, why?: string): void {
  program.body.forEach((stmt: Node, i: number) => {
    if (i === declarationIndex || i === exportIndex) return;
    if (stmt.type === 'ExportDefaultDeclaration') return;
    if (stmt.type === 'ExportAllDeclaration' && stmt.exportKind !== 'type') throw new Left('EXTRA_EXPORTS', stmt.loc?.start.line, 'export *');
    if (stmt.type !== 'ExportNamedDeclaration' || stmt.exportKind === 'type') return;
    const decl = stmt.declaration;
    if (decl && (decl.type === 'TSTypeAliasDeclaration' || decl.type === 'TSInterfaceDeclaration' || decl.declare)) return;
    if (decl?.type === 'VariableDeclaration' && decl.declarations.every((d: Node) => SEGMENT_EXPORTS.includes(d.id.name))) return;
    if (!decl && stmt.specifiers.every((s: Node) => s.exportKind === 'type')) return;
    const name = decl?.id?.name ?? decl?.declarations?.[0]?.id?.name ?? stmt.specifiers?.[0]?.exported?.name;
    const detail = [name ? `export ${name}` : undefined, why].filter(Boolean).join(': ');
    throw new Left('EXTRA_EXPORTS', stmt.loc?.start.line, detail || undefined);
  });
}

/**
 * The route's pipedBody: what `stream.pipe(res)` sent, as a Response body. Node's Readable.toWeb keeps the stream's
 * backpressure; a stream of the old kind (a pipe() and events, not a Readable) is wrapped first, as pipe took either.
 * Readable comes from node:stream, or the module's own import of it.
 */
function addPipedBody(snip: Snippets, program: Node, moduleNames: Set<string>, imports: Map<string, Set<string>>, typescript: boolean): void {
  const imported = [...valueImports(program, 'node:stream'), ...valueImports(program, 'stream')].find((i) => i.imported === 'Readable');
  const readable = imported?.local ?? 'Readable';
  if (moduleNames.has('pipedBody') || (!imported && moduleNames.has('Readable'))) {
    throw new Left('RES_ESCAPES', undefined, `res is passed to pipe(), and the module already has a ${moduleNames.has('pipedBody') ? 'pipedBody' : 'Readable'} of its own`);
  }
  // Joins the module's own import of node:stream (in its place: the handler's replacement goes by the statements'
  // places), else a new one.
  if (!imported && !['node:stream', 'stream'].some((source) => addToImport(snip, program, source, ['Readable']))) {
    imports.set('node:stream', new Set([...(imports.get('node:stream') ?? []), 'Readable']));
  }
  const t = (type: string) => (typescript ? type : '');
  program.body.push(...snip.statements(`/** What stream.pipe(res) sent, as a Response body (written by migrate). */
function pipedBody(stream${t(': NodeJS.ReadableStream')})${t(': ReadableStream')} {
  return ${readable}.toWeb(stream instanceof ${readable} ? stream : new ${readable}().wrap(stream))${t(' as ReadableStream')}${END}
}`));
}

/** What a default export that is no function holds, for the reason: Pages answered its URL with an error. */
function describeValue(snip: Snippets, value: { name: string; init?: Node; imported?: string }): string {
  const what = value.init ? `\`${shorten(snip.src(value.init))}\`` : value.imported ? `imported from '${value.imported}'` : null;
  return `${value.name}${what ? ` is ${what},` : ' is'} not a function: not a route (a module under pages/api that is none belongs elsewhere)`;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

/** Node's own whole-stream readers: a Buffer of the whole body, with no limit. */
const STREAM_CONSUMERS = ['node:stream/consumers', 'stream/consumers'];

/**
 * Local names of whole-body readers: `buffer` from 'micro' or Node's 'node:stream/consumers', the default export of
 * 'raw-body', a reader of this file or, as the plan found (`imported`), of a project module (body-readers.ts); and,
 * apart, micro's, which has a limit and decodes a body whose Content-Type names a charset (the compat microBuffer).
 */
function bodyReaderNames(program: Node, imported: MiddlewareImport[] = []): { names: Set<string>; micro: Set<string>; texts: Map<string, string[]>; own: Map<Node, string> } {
  const names = new Set<string>();
  // The file's own readers, by statement: the ones left without a caller go once the request is rewritten.
  const own = new Map<Node, string>();
  const micro = new Set<string>();
  // Readers that give the body's text: the arguments of their toString.
  const texts = new Map<string, string[]>();
  for (const stmt of program.body) {
    const reader = bufferReaderOf(stmt);
    if (reader) {
      names.add(reader.name);
      own.set(stmt, reader.name);
    }
    if (reader?.value.text) texts.set(reader.name, reader.value.text);
    if (stmt.type !== 'ImportDeclaration') continue;
    for (const s of stmt.specifiers ?? []) {
      const name = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportSpecifier' ? (s.imported.name ?? s.imported.value) : null;
      const reader = s.importKind !== 'type' ? imported.find((m) => m.kind === 'body-reader' && m.specifier === stmt.source.value && m.imported === name) : undefined;
      if (reader) names.add(s.local.name);
      if (reader?.text) texts.set(s.local.name, reader.text);
      if ((stmt.source.value === 'micro' || STREAM_CONSUMERS.includes(stmt.source.value)) && s.type === 'ImportSpecifier' && s.imported.name === 'buffer') {
        names.add(s.local.name);
        if (stmt.source.value === 'micro') micro.add(s.local.name);
      }
      if (stmt.source.value === 'raw-body' && s.type === 'ImportDefaultSpecifier') names.add(s.local.name);
    }
  }
  return { names, micro, texts, own };
}

function movedModule(rawSource: string, ctx: TransformContext, split: ExportsSplit): ExportsModule {
  const path = (ctx.exportsModule as { modulePath: string }).modulePath;
  return { path, content: exportsModuleText(rawSource, ctx.sourcePath, path, split), exports: split.exports };
}

/**
 * The route's handler under a wrapper that sends its value (`keepsResult`, route-wrapper.ts): headers or a status it
 * set went out with the wrapper's answer in Pages, where the route's handler returns its value without them; and a
 * value that is itself a Response (`return fetch(…)`) was sent as JSON, where the twin would send it as it is. Both
 * leave the route (`RES_ESCAPES`).
 */
function checkValueForWrapper(res: ResponseRewrite, wrapper: string, fn: Node): void {
  // Only where a path gives the wrapper a value or nothing: an answer of its own carries them.
  const valuePath = !res.body.some(alwaysExits) || returnsOf(res.body).some((r) => !res.answerReturns.has(r));
  if (res.prelude.length && valuePath) throw new Left('RES_ESCAPES', fn.loc?.start.line, `the handler sets headers or a status, and ${wrapper}(…) sends what it returns without them`);
  for (const returned of returnsOf(res.body)) {
    if (res.answerReturns.has(returned) || !returned.argument) continue;
    let value = unwrap(returned.argument);
    if (value.type === 'AwaitExpression') value = unwrap(value.argument);
    const callee = value.type === 'CallExpression' || value.type === 'NewExpression' ? unwrap(value.callee) : null;
    const made = isIdent(callee, 'fetch') || isIdent(callee, 'Response') || isIdent(callee, 'NextResponse') || (callee?.type === 'MemberExpression' && (isIdent(callee.object, 'Response') || isIdent(callee.object, 'NextResponse')));
    if (made) throw new Left('RES_ESCAPES', returned.loc?.start.line, `the handler returns a Response of its own, which ${wrapper}(…) sent as JSON and its twin would send as it is`);
  }
}

/** The module's local name for next's NextApiRequest type (`import type { NextApiRequest as Req } from 'next'`), or null. */
function requestTypeLocal(program: Node): string | null {
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || (stmt.source.value !== 'next' && stmt.source.value !== 'next/types')) continue;
    for (const s of stmt.specifiers ?? []) if (s.type === 'ImportSpecifier' && s.imported.name === 'NextApiRequest') return s.local.name;
  }
  return null;
}

/** `line 4`, `lines 4, 9 and 12`: where a marker's code is. */
function linesText(lines: Array<number | string>): string {
  return lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
}

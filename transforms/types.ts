import type { Diagnostic } from '../src/diagnostics.js';
import type { HeaderMethod } from './lib/factory-header-methods.js';
import type { SessionArgs } from './lib/session-helper.js';

/** Everything the transform needs to know about where a file lives; no file system access happens inside. */
export interface TransformContext {
  /** Posix path of the source relative to the app root, e.g. `pages/api/users/[id].ts`. */
  sourcePath: string;
  /** Posix path of the route file relative to the app root, e.g. `app/api/users/[id]/route.ts`. */
  targetPath: string;
  /** Posix path of the shared compat helper module relative to the app root (see COMPAT_* in transforms/lib/compat-module.ts). */
  compatPath: string;
  /** Target Next.js version, e.g. `15.5.29`. */
  nextVersion: string;
  /** The app's @trpc/server version, when it has the package (tRPC v9 has no fetch adapter). */
  trpcVersion?: string;
  /** The app's next-auth version, when it has the package (before 4.22.0, NextAuth takes no App Router request). */
  nextAuthVersion?: string;
  /** The app's formidable version, when it has the package (v3's callback gets the shapes its promise does). */
  formidableVersion?: string;
  /** Bare import specifiers of this file that name project modules (tsconfig baseUrl), not packages. */
  moduleSpecifiers?: string[];
  /**
   * Helpers in other project modules that take `res` and have a route-handler twin (see transforms/helper-module.ts),
   * found by the plan for the imports of this file.
   */
  importedHelpers?: ImportedHelper[];
  /**
   * For a file that only re-exports or delegates to a handler of another project module: the twin the plan adds to
   * that module, or why there is none (see src/handler-modules.ts). A plain object: it crosses to worker threads.
   */
  handlerModule?: HandlerModuleRef;
  /**
   * For a file that also exports values (`export const schema = …`, next-auth's `authOptions`): the module they move
   * to and how the route imports it, or why the plan keeps them where they are (see src/moved-exports.ts).
   */
  exportsModule?: ExportsModuleRef;
  /**
   * Imports of this file that the plan confirmed to be a runMiddleware promise or a cors middleware in a project
   * module (see src/imported-middleware.ts and transforms/lib/recipes-cors.ts).
   */
  middlewareImports?: MiddlewareImport[];
  /**
   * The handler's own module stays beside the route (a handler twinned in its module, transforms/handler-twin.ts):
   * functions of it that the handler passes req to keep their Pages form, for the original handler that calls them.
   */
  keepLocalFunctions?: boolean;
  /**
   * Functions of other project modules the handler hands its `(req, res)` to, and their twins made for this route, or
   * why there is none (see src/handler-modules.ts and transforms/lib/imported-sub-handlers.ts).
   */
  subHandlers?: SubHandlerRef[];
  /**
   * The handler is an imported sub-handler being twinned (transforms/handler-twin.ts): its one function takes
   * `(request, context)` and every parameter after them, read or not, as every call passes them.
   */
  allParams?: boolean;
  /**
   * With allParams: the function takes the body as Pages parsed it as a last parameter, instead of reading it, when
   * it reads `req.body` (the route reads it once, before its own code, as Pages parsed it before the handler ran).
   */
  bodyParam?: boolean;
}

/** A function of a project module that a handler calls with its req and res (`return handleGet(req, res, id)`). */
export type SubHandlerRef = {
  /** The import specifier as the pages file writes it. */
  specifier: string;
  /** The export name imported (`default` for a default import). */
  imported: string;
} & (
  | {
      /** The twin's name in that module: `handleGetRoute(request, context, id)`. */
      twin: string;
      /** How the route imports the twin: `specifier`, or the module's own path when the import goes through a barrel. */
      twinSpecifier: string;
      /** The twin reads the request body itself (a raw body), which a route can read once. */
      readsBody: boolean;
      /** The twin takes the parsed body at this position of its parameters (after request, context and the others). */
      bodyIndex?: number;
      markers: Array<{ reason: Diagnostic['reason']; detail?: string }>;
      notes: string[];
      /** The module that holds it (relative to the app root), for reasons. */
      module: string;
    }
  | { left: Diagnostic }
);

/** An import of a project module's runMiddleware (`kind: 'run-middleware'`) or cors middleware (`kind: 'cors'`). */
export interface MiddlewareImport {
  /** The import specifier as this file writes it. */
  specifier: string;
  /** The export name imported (`default` for a default import). */
  imported: string;
  /** A runner, a cors middleware, or a whole-body reader (transforms/lib/body-readers.ts). */
  kind: 'run-middleware' | 'cors' | 'init-middleware' | 'body-reader';
  /** A body reader that gives the body's text: the arguments of its `toString` (transforms/lib/body-readers.ts). */
  text?: string[];
}

export type ExportsModuleRef = { modulePath: string; routeSpecifier: string } | { left: string };

/** The module a file's other exports moved to (see transforms/lib/split-exports.ts). */
export interface ExportsModule {
  path: string;
  content: string;
  /** The names that moved. */
  exports: string[];
}

export type HandlerModuleRef =
  | {
      /** The module as the pages file imports it (relative to the pages file, or an alias). */
      specifier: string;
      /** The twin's exports in that module and the methods each serves. */
      exports: Array<{ twin: string; methods: string[] }>;
      /** Segment exports the route holds itself (`export const dynamic = 'force-dynamic'`). */
      head: string[];
      markers: Array<{ reason: Diagnostic['reason']; detail?: string }>;
      notes: string[];
      methods: string[];
    }
  | { left: Diagnostic };

export interface ImportedHelper {
  /**
   * `helper`: takes res and answers (`sendError(res, …)`); `wrapper`: wraps the handler (`export default withAuth(handler)`),
   * and `resIndex` is the handler's position in its call; `dispatcher`: takes a map of handlers by method
   * (`export default withMiddlewares({ GET, POST })`), and `resIndex` is the map's position; `request`: takes req
   * (`getSession(req, id)`), and `resIndex` is the position of req; `middleware`: `(req, res)` that only runs the cors
   * middleware (`await cors(req, res)`), its twin taking `(request, headers)` (transforms/lib/middleware-helper.ts);
   * `factory`: returns an object whose `headerMethods` only set headers on res (`rateLimit()` → `{ check(res, …) }`),
   * each with a twin method beside it (transforms/lib/factory-header-methods.ts); the import itself stays;
   * `guard`: takes res (and maybe req), answers on some paths and returns a value on the others
   * (`const session = await requireSession(req, res); if (!session) return;`, transforms/lib/guard-helpers.ts), and
   * `resIndex` is the position of res;
   * `session`: passes its req and res only to next-auth's getServerSession (`getServerAuthSession({ req, res })`),
   * its twin taking neither (transforms/lib/session-helper.ts), and `resIndex` is the position of req.
   */
  kind: 'helper' | 'wrapper' | 'dispatcher' | 'request' | 'middleware' | 'factory' | 'session' | 'guard';
  /** The import specifier as this file writes it (`@/lib/errors`, `../../lib/errors`). */
  specifier: string;
  /** The export name imported (`default` for a default import). */
  imported: string;
  /** The twin's export name, which the route imports instead. */
  twin: string;
  resIndex: number;
  /** Statuses the helper answers with (null where not a literal). */
  statuses: Array<number | null>;
  /**
   * A wrapper made by a curried factory (`export default requestMethod(['GET'])(handler)`, route-wrapper.ts
   * toCurriedRouteWrapper): `resIndex` is the handler's position in the second call, and the twin takes the first
   * call's options as the factory did.
   */
  curried?: boolean;
  /** For a wrapper: the HTTP methods it tests for itself, exported by the route too. */
  methods?: string[];
  /**
   * A dispatcher the handler calls with the request and the response first (`defaultHandler(req, res, { GET })`,
   * transforms/lib/called-dispatcher.ts); `resIndex` is then the map's position after those two.
   */
  called?: boolean;
  /** A helper that only sets headers on res: the header names it sets (lowercase), or null when not all are literals. */
  setsHeaders?: string[] | null;
  /**
   * A helper that has written the answer's head when a call returns, on every path (transforms/lib/after-answer.ts
   * answersAtOnce): a route's after-answer check follows what Pages ran after its call as after a send.
   */
  answersAtOnce?: boolean;
  /** A request helper or a guard that reads `req.body`: its twin takes the parsed body at this position, which calls pass. */
  bodyIndex?: number;
  /** A request helper or a guard that reads `req.query`: its twin takes the route's query at this position, which calls pass. */
  queryIndex?: number;
  /**
   * A wrapper whose twin uses what the handler returns, or answers when the handler did not (route-wrapper.ts): the
   * handler it wraps must answer where it set headers, and not answer later than it returns (a callback).
   */
  keepsResult?: boolean;
  /**
   * A wrapper whose twin reads whether the response was sent as false (route-wrapper.ts): a route whose handler runs
   * code after its answer before returning it (no after() before Next.js 15.1) is left, since a throw there reached the
   * wrapper with the answer sent in Pages.
   */
  readsSent?: boolean;
  /** A wrapper whose twin runs code after the handler's answer before returning it (see readsSent). */
  delaysAnswer?: boolean;
  /** A wrapper that sets these fields on the request for the handler (`req.user = user`): the route reads them there. */
  requestExtras?: string[];
  /** Its module is JavaScript: no declaration on NextRequest types them, so a TypeScript route cannot read them. */
  extrasUntyped?: boolean;
  /** A wrapper that reads these fields of the request without setting them: a wrapper around it must set them. */
  extrasRead?: string[];
  /**
   * A wrapper whose twin writes a library's cookies (next-auth's getServerSession, the Supabase client) into its own
   * headers: a route whose handler does the same is left, since in Pages both wrote to one response.
   */
  setsCookies?: boolean;
  /**
   * A request helper written for both routers (`req: NextApiRequest | Request`, telling them apart itself,
   * transforms/lib/dual-request-helper.ts): no twin (`twin` is its own export name); the route calls it as it is, with
   * the App Router request where req stood.
   */
  asIs?: boolean;
  /** A guard that takes the Pages request: its position, where the twin takes the App Router request. */
  reqIndex?: number;
  /**
   * A request helper or a guard that takes req (and res) in one object at resIndex (`verifyToken({ req })`,
   * `verifyUser({ req, res })`, transforms/lib/request-carrier.ts): calls pass there an object of exactly those keys
   * holding the handler's own req and res, and the twin's call passes the request in its place (and res, for the
   * route's headers, where the guard's twin takes them).
   */
  carried?: boolean;
  /** Notes for the report of each route that calls the twin (a guard twin's getServerSession). */
  notes?: string[];
  /**
   * A guard whose twin takes the route's headers where the guard took res (its getServerSession sets next-auth's
   * cookies there): its calls keep res in that place, for the response rewrite to put the headers in.
   */
  takesHeaders?: boolean;
  /** A factory: the methods of the object it returns that have twins. */
  headerMethods?: HeaderMethod[];
  /** A session helper: where calls pass req and res (one position for an object `{ req, res }`), which its twin drops. */
  sessionArgs?: SessionArgs;
  /**
   * A session helper whose parameters, as typed, take next-auth's Pages-like request and response: the route calls
   * the helper itself with them (see redirectSessionHelperCalls), else its twin.
   */
  shims?: boolean;
  /**
   * A session helper with no twin, since it also reads a header or a cookie of req (why, as the report says it): the
   * route calls the helper itself with next-auth's request and response (`shims`), and a call that cannot is left.
   */
  shimOnly?: string;
  /**
   * With shimOnly: the request stand-in carries the route's query and method too (`nextAuthRequest(request,
   * req.query)`), and the helper sets cookies on req, which the route's own reads of req would not see
   * (transforms/lib/stand-in-helper.ts).
   */
  query?: boolean;
  writesCookies?: boolean;
  /**
   * A session helper that has no twin, and why: no call is rewritten (`twin` is empty), and the route left for the
   * request passed to it says why. A wrapper (of the default export) that has no twin, and why (transforms/lib/
   * wrapper-why.ts): the route is left, its reason naming the wrapper, its module (`definedIn`) and that why.
   */
  declined?: string;
  /** A declined wrapper's module, relative to the app root. */
  definedIn?: string;
}

export type TransformStatus =
  /** Route written with no marker. */
  | 'migrated'
  /** Route written with TODO(migrate) markers. */
  | 'review'
  /** The file could not be migrated: left in place. */
  | 'left'
  /** Not an API handler at all (helpers, types): left in place, reported separately. */
  | 'not-handler';

export interface TransformResult {
  status: TransformStatus;
  /** The route file's source, for 'migrated' and 'review'. */
  output?: string;
  /** Reasons: why a file was left, or the markers placed (with output line numbers). */
  diagnostics: Diagnostic[];
  /** Human-readable notes on notable changes (e.g. "code after the response runs in after()"). */
  notes: string[];
  /** True when the output imports the shared compat helper module, which the plan must write once. */
  usesCompat: boolean;
  /** HTTP methods exported by the route, in order. */
  methods: string[];
  /** The imported helpers whose twins the route calls: the plan writes those twins into their modules. */
  helpersUsed?: ImportedHelper[];
  /** The module the file's other exports moved to, which the plan writes beside the route. */
  exportsModule?: ExportsModule;
  /** Same-file sub-handlers whose bodies took their calls' places, gone from the route (transforms/lib/sub-handlers.ts). */
  inlined?: string[];
  /** Some method function reads the request body (imported-sub-handlers.ts readsRequestBody). */
  readsBody?: boolean;
  /** Some method function reads the query or the route's params. */
  readsQuery?: boolean;
  /** With ctx.bodyParam: the position of the parsed body's parameter. */
  bodyIndex?: number;
}

/**
 * The one list of reasons the tool gives when it cannot migrate something, or migrates it with a caveat.
 * The marker comment, the terminal report, the JSON report and the tests all read from here.
 */
/**
 * The README, where `## Reason codes` has one `### CODE` heading per reason. GitHub builds a heading's anchor by
 * lower-casing it and keeping letters, digits, `-` and `_`, so `### TARGET_EXISTS` is reached at `#target_exists`.
 */
export const DOCS_BASE = 'https://github.com/next-pages-api-migrate/next-pages-api-migrate/blob/main/README.md';

export type Severity =
  /** The file cannot be migrated: it stays in place, untouched. */
  | 'left'
  /** The file is migrated, with a TODO(migrate) marker beside code that needs a human look. */
  | 'review';

export interface ReasonInfo {
  severity: Severity;
  /** One short sentence, used in the marker and the report line. */
  short: string;
  /** What it means and what to do by hand; README's reason table repeats it. */
  detail: string;
}

export const REASONS = {
  PARSE_ERROR: {
    severity: 'left',
    short: 'the file does not parse',
    detail: 'The source has a syntax error. Fix it so that it compiles, then run the tool again.',
  },
  NO_DEFAULT_EXPORT: {
    severity: 'left',
    short: 'no default export: not an API handler',
    detail:
      'Files in pages/api without a default export are helpers or types, not routes. Move them out of pages/api (for example to lib/) when you remove the Pages Router.',
  },
  HANDLER_NOT_FOUND: {
    severity: 'left',
    short: 'the default export is not a (req, res) function the tool can follow',
    detail:
      'The default export is an imported value, a class, or a call to a wrapper that has no route-handler version (a package\'s, or a project wrapper in a shape the tool cannot rewrite: the reason names its first blocker). Migrate the file by hand, or bring the wrapper to the shape the README describes.',
  },
  DISPATCHER_NOT_FOLLOWED: {
    severity: 'left',
    short: 'the default export passes a method map to a function the tool does not recognise as a plain dispatcher',
    detail:
      'export default apiHandler({ GET: …, POST: … }) is migrated when apiHandler is defined in this file and only looks the handler up by req.method, answers when there is none, and calls it with (req, res), or when it is a project dispatcher of another module that has a route-handler version and the map holds functions of this file. Anything else (an auth check on the map, a second call, a handler made by a factory call) is not followed: write one exported function per method by hand.',
  },
  ROUTER_NOT_FOLLOWED: {
    severity: 'left',
    short: 'the next-connect router uses a feature whose behaviour the tool cannot keep',
    detail:
      'Routes by path, sub-routers, options other than onError/onNoMatch, handlers from other files, or a middleware that calls next() other than as its last statement. Write one exported function per method, running the middleware logic first, by hand.',
  },
  NEXT_AUTH_TOO_OLD: {
    severity: 'left',
    short: "the app's next-auth is too old for the App Router form this route needs",
    detail:
      'NextAuth(options) answers an App Router request from next-auth 4.22.0 on, and getServerSession(options) reads one from 4.16.0 on; next-auth v3 and earlier v4 releases only take a Pages request and response. Upgrade next-auth (to 4.24 or later), then run the tool again.',
  },
  TRPC_NOT_FOLLOWED: {
    severity: 'left',
    short: 'the tRPC handler uses something the fetch adapter does not take the same way',
    detail:
      'createNextApiHandler is migrated to fetchRequestHandler when its options are a literal object of router, createContext, onError, responseMeta, batching, allowBatching or allowMethodOverride, and the file is pages/api/…/[trpc].ts (or [...trpc].ts). Otherwise write app/api/…/[trpc]/route.ts by hand with fetchRequestHandler.',
  },
  FORM_PARSE_NOT_FOLLOWED: {
    severity: 'left',
    short: 'a formidable upload the tool cannot turn into request.formData()',
    detail:
      "form.parse(req) is migrated with formidable 3 or later and bodyParser: false, when it is awaited, promised by hand around its callback, or its callback answers as the handler's last work behind an if (err) that ends it; and formidable gets no options other than uploadDir, maxFileSize, maxFiles, keepExtensions, multiples and allowEmptyFiles: false. Events, other callbacks and other options (filter, maxFields, …) are not followed: read the upload with await request.formData() by hand.",
  },
  MULTER_NOT_FOLLOWED: {
    severity: 'left',
    short: 'a multer upload the tool cannot turn into request.formData()',
    detail:
      'multer is migrated when one upload.single/array/fields/any/none runs through await runMiddleware(req, res, …) or an awaited new Promise, with memory storage (or no storage option), no options but storage and limits.fileSize / limits.fieldSize, bodyParser: false, and req.file, req.files and req.body read only after it. Disk storage (dest, diskStorage: request.formData() holds the whole upload in memory where the engine streamed it), fileFilter, other options and limits, and other shapes (the answer sent from the middleware callback, a runner from another module) are not followed: read the upload with await request.formData() by hand.',
  },
  MIDDLEWARE_NOT_FOLLOWED: {
    severity: 'left',
    short: 'a connect middleware run on req/res that the tool cannot run on a Request',
    detail:
      'await runMiddleware(req, res, cors) is migrated when runMiddleware wraps fn(req, res, callback) in a Promise (in this file or a project module) and cors is the cors package\'s middleware created at module scope with no options or an object of options. Other middleware (body parsers, multer, helmet, …), cors options computed per request, and other runners are not followed. micro-cors\'s cors(handler) and nextjs-cors\'s await NextCors(req, res, options) are migrated when their options are absent or an object literal of plain data (strings, numbers, booleans, arrays, regular expressions, process.env reads), micro-cors wraps a plain handler, and NextCors is awaited as a statement of the handler. Otherwise run the middleware\'s logic on the Request by hand (for CORS, set the Access-Control-* headers and export OPTIONS).',
  },
  REQ_ESCAPES: {
    severity: 'left',
    short: 'the request object is passed on or used in a way the tool cannot rewrite',
    detail:
      'The whole req object is handed to another function (a session or auth library, a helper in another file) or one of its Node-specific members is used. Those functions expect a Node IncomingMessage; rewrite them to take a Request.',
  },
  RES_ESCAPES: {
    severity: 'left',
    short: 'the response object is passed on or used in a way the tool cannot rewrite',
    detail:
      'res is handed to another function, stored, used in a callback, or used with a member the tool does not map (write, writeHead, pipe, revalidate, setPreviewData, …). Rewrite that part to return a Response.',
  },
  SEND_IN_EXPRESSION: {
    severity: 'left',
    short: 'a response is sent from inside an expression',
    detail:
      'A res.json()/res.send() call sits inside a larger expression (a ternary, a logical operator, a promise callback). Turn it into a statement, then run the tool again.',
  },
  UNSUPPORTED_METHOD_CHECK: {
    severity: 'left',
    short: 'the method dispatch has a shape the tool cannot split safely',
    detail:
      'req.method is checked in a way the tool cannot evaluate per method (a break nested inside a switch case, a method stored and compared later). Simplify the dispatch into if/else or switch on req.method.',
  },
  DYNAMIC_BODY_STREAM: {
    severity: 'left',
    short: 'the request body is read as a stream',
    detail: 'The handler reads req as a stream with bodyParser enabled. Read the body with request.text() or request.arrayBuffer().',
  },
  CONFIG_UNREADABLE: {
    severity: 'left',
    short: 'export const config is not an object literal the tool can read',
    detail:
      'The config export is computed or imported. Route files may not export config; write it as a literal object, then run the tool again, or move its settings to segment exports (runtime, maxDuration, preferredRegion) by hand.',
  },
  EDGE_RUNTIME: {
    severity: 'left',
    short: 'an Edge API route (runtime: edge) the tool does not move as it is',
    detail:
      'Edge API routes use the Web Request and Response already, but this one reads its NextFetchEvent, which a route handler does not get (use after() from next/server on Next 15.1+ for event.waitUntil), or is wrapped, or takes more than a request and an event. Export the function for each method it serves (export { handler as GET, handler as POST }) and export const runtime = \'edge\'.',
  },
  GLOBAL_SHADOWED: {
    severity: 'left',
    short: "a name of the file hides a web API the route answers with",
    detail:
      "The route answers with the web platform's Response (and may build Headers, a ReadableStream or a TextEncoder), but the file binds that name itself (an import such as express's Response, or a declaration of its own), so the route would call that one instead. Rename the import (import { Response as ExpressResponse } from 'express') or remove it, then run the tool again.",
  },
  CLIENT_ONLY_IMPORT: {
    severity: 'left',
    short: 'the route would import a module that uses client-only React APIs',
    detail:
      'A route handler is compiled as server code, where Next.js refuses a module that imports a client-only React API (useState, useEffect, createContext, …) without "use client", so next build would fail. The handler reaches one through its imports (the detail gives the chain). Import what it needs from a module without React code (not through a barrel that also exports components), then run the tool again.',
  },
  SOURCE_IMPORTED: {
    severity: 'left',
    short: 'another file imports this file, which the migration would remove',
    detail:
      'A migrated handler file goes away. Another project file imports it in a way that cannot follow it to the route file: it imports the handler (the default export) or a value, uses the whole module, names the path in a string, or is JavaScript. Move what it needs to a module of its own (such as lib/), then run the tool again.',
  },
  EXTRA_EXPORTS: {
    severity: 'left',
    short: 'the file exports other values, which a route file may not',
    detail:
      'Route files may export only HTTP methods and segment config. Move the other exports (and their importers) to a separate module such as lib/, then run the tool again.',
  },
  HANDLER_MODULE_UNRESOLVED: {
    severity: 'left',
    short: 'the handler this file re-exports or delegates to cannot be followed',
    detail:
      'The file re-exports (or calls with req, res) a handler the tool cannot reach: it comes from a package, another pages/api route, a file it cannot read, a chain of re-exports that loops, or an export that is not a function. Migrate the module that holds the handler by hand, or make the import point at a project module.',
  },
  HANDLER_MODULE_SHARED: {
    severity: 'left',
    short: 'the handler module cannot get one route-handler twin for this route',
    detail:
      'The handler lives in another module and the tool adds a route-handler twin beside it. It does not when routes with different dynamic segments or config re-export the same handler (the twin depends on them), when the migration would also change other code of the module (a helper that takes res), or when the module gets another change in the same run. Give each route its own handler, or migrate by hand.',
  },
  SUB_HANDLER_NOT_FOLLOWED: {
    severity: 'left',
    short: 'the handler passes req and res to a function of another module in a way the tool cannot follow',
    detail:
      'The handler hands its req and res to a function it imports (return handleGet(req, res, id)), which gets a route-handler twin that the route returns. That needs the call to end the handler (nothing but break or return after it), awaited or returned (awaited inside a try), one version of the function for every method (it does not test req.method itself), and a raw body (bodyParser: false) read by only one of the two (it can be read once). Rewrite the call that way, or migrate by hand.',
  },
  REQ_NODE_ONLY: {
    severity: 'review',
    short: 'a Node-only request member has no App Router equivalent',
    detail:
      'req.socket / req.connection and friends do not exist on a Request. The client address, for example, comes from the x-forwarded-for header behind a proxy. The original expression is kept in the comment.',
  },
  PREVIEW_DATA_DROPPED: {
    severity: 'review',
    short: 'preview data has no App Router equivalent: only draft mode is enabled',
    detail:
      'res.setPreviewData(data) became draftMode().enable(), which sets the same bypass cookie but stores no data: pages that read context.previewData now get none, and maxAge/path options are gone. If pages need the data, store it in a cookie of your own (cookies().set) and read it there.',
  },
  ANSWER_ENDS_HANDLER: {
    severity: 'review',
    short: 'an answer now ends the handler, where Pages went on running the code after it',
    detail:
      "A send not followed by a return (res.status(400).json(…) inside an if, a catch, or a switch case that falls through) became return …: a route handler answers by returning. In Pages the code after it still ran: another send (which did nothing the client saw: Next ignores headers set once the answer is out, so the client kept the first answer), but also writes, deletes or calls that the route no longer makes. Check the code after the marked line: if it had to run, run it before the return (or in after()); if it is a return missing in Pages, the route is right.",
  },
  RETURN_IGNORED_BY_PAGES: {
    severity: 'review',
    short: 'Pages ignored a value the handler returns and sent no answer; the route answers with it',
    detail:
      'A Pages API handler answers through res: a value it returns (NextResponse.json(…), a helper that builds a Response) was dropped, and that request got no answer (it hung until the client gave up; the server logged "API resolved without sending a response"). A route handler answers with what it returns, so the route now sends that value where it is a Response. If that answer is what was meant, the route fixes a bug of the Pages route and the marker can go; if not, send what Pages sent by hand.',
  },
  REVALIDATE_CHANGED: {
    severity: 'review',
    short: 'res.revalidate became revalidatePath, which regenerates later and never fails',
    detail:
      "revalidatePath(path) only marks the path stale: its next visit regenerates it, where res.revalidate regenerated it at once and rejected when the path could not be regenerated (a page without getStaticProps, an API route, a wrong path), so an answer given on that failure no longer comes. revalidatePath is the App Router's: check that it regenerates the path on your Next.js version and host (a Pages Router page may need a pages/api route that keeps res.revalidate).",
  },
  IRON_SESSION_V8: {
    severity: 'review',
    short: 'withIronSessionApiRoute became getIronSession: the route needs iron-session v8',
    detail:
      'iron-session v8 has no wrapper: the route reads its session with getIronSession(await cookies(), options), and req.session became session (save() and destroy() as before). Install iron-session v8 (the cookie format is unchanged: Fe26.2 seals with the same password), and in TypeScript pass your session data type: getIronSession<SessionData>(…), since v8 has no IronSessionData augmentation.',
  },
  TRPC_CONTEXT: {
    severity: 'review',
    short: 'tRPC createContext (or onError) now receives a fetch Request instead of Pages req/res',
    detail:
      'The fetch adapter calls createContext({ req, resHeaders, info }) with a Web Request, where the Pages adapter passed Node req and res. Rewrite the context to read headers and cookies from the Request (req.headers.get(…)) and set response headers through resHeaders.',
  },
  CONFIG_DROPPED: {
    severity: 'review',
    short: 'a config option has no App Router equivalent and was dropped',
    detail:
      'api.responseLimit, api.externalResolver and unknown config keys have no route segment equivalent. Check that the route does not depend on them.',
  },
  // Plan-level reasons: found by looking at the whole tree before any write. The file stays where it is.
  TARGET_EXISTS: {
    severity: 'left',
    short: 'a route file already exists where this one would go',
    detail:
      'The target folder already holds a route file (or a file stands where the folder should be). The tool never overwrites: merge the handler into the existing route by hand, or move that route away and run the tool again.',
  },
  URL_TAKEN: {
    severity: 'left',
    short: 'an existing route or page answers the same URL',
    detail:
      'A route or page of the app, in another folder, answers the URL this route would: through a route group (`app/(site)/api/hello/route.ts` answers `/api/hello`), or with another name for the same dynamic segment (`[userId]` where the route needs `[id]`), which next build rejects. Merge the handler into that route by hand, or rename the segment, then run the tool again.',
  },
  PAGE_IN_FOLDER: {
    severity: 'left',
    short: 'the target folder has a page file',
    detail:
      'A route.ts and a page.tsx (or page.js, page.jsx, page.ts) cannot share a folder in the App Router. Move the page or give the API route another path, then run the tool again.',
  },
  DUPLICATE_ROUTE: {
    severity: 'left',
    short: 'another source file answers the same route',
    detail:
      'Two files map to one route, for example pages/api/x.ts and pages/api/x/index.ts, or a .ts and a .js file with the same name. Next.js serves only one of them: delete the other, then run the tool again.',
  },
  UNREADABLE: {
    severity: 'left',
    short: 'the file or folder cannot be read',
    detail: 'Reading the file, or listing the folder, failed (permissions, a broken symlink, a file that vanished). Fix access to it, then run the tool again.',
  },
  NOT_TEXT: {
    severity: 'left',
    short: 'the file is not UTF-8 text',
    detail:
      'The file has NUL bytes (binary content, or UTF-16) or bytes that are not valid UTF-8 (another encoding, such as Latin-1). Rewriting it would change those bytes, so the tool leaves it. Convert it to UTF-8, then run the tool again.',
  },
  FILE_TOO_LARGE: {
    severity: 'left',
    short: 'the file is too large to migrate safely',
    detail:
      'The file is larger than 512 KiB. A hand-written handler is rarely over a few tens of KiB; a file that large is generated or embeds data, and parsing it would take minutes. Move the data to a module of its own, or migrate the file by hand.',
  },
  NOT_A_PAGE: {
    severity: 'left',
    short: 'a module in pages/api that Next.js does not serve',
    detail:
      "Next.js serves only the pages/api files whose name ends in one of its pageExtensions (next.config; by default .tsx, .ts, .jsx, .js): another file there (a .mjs module, or greet.ts where pages end in .page.ts) answers no request, so it is not migrated. Move it out of pages/api when you remove that folder.",
  },
  TEST_OR_DECLARATION: {
    severity: 'left',
    short: 'a test or a type declaration, not a handler',
    detail:
      'Type declarations (*.d.ts) and tests (*.test.*, *.spec.*, __tests__/) in pages/api are not migrated. Move them next to the code they test or describe when you remove pages/api.',
  },
  INTERRUPTED: {
    severity: 'left',
    short: 'the run stopped before this file was migrated',
    detail:
      'A signal (Ctrl-C, SIGTERM) or an error stopped the run. The tool stops between two files: this source is untouched, and the route it had written for it was taken back. Run the tool again to finish.',
  },
  OUTSIDE_ROOT: {
    severity: 'left',
    short: 'a symlink leads outside the app folder',
    detail:
      'The source, or a folder on the way to its target, is a symlink to a place outside the app root. The tool never reads or writes through such a link: replace the link with the real file or folder, or migrate the file by hand.',
  },
  COMPAT_MODULE_CHANGED: {
    severity: 'left',
    short: 'the shared compat helper exists with different content',
    detail:
      'The helper module (app/api/_migrate/pages-compat.ts) was edited, or written by another version of the tool, and the tool does not overwrite it. Routes that need it stay in place: move the helper aside (merge your edits back afterwards), then run the tool again.',
  },
  INTERNAL_ERROR: {
    severity: 'left',
    short: 'the tool failed on this file',
    detail:
      'The transform threw an error on this file, which was left untouched; the other files went on. Run again with --debug for the stack trace, and report it with a reduced copy of the file. Meanwhile migrate the file by hand.',
  },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;

export const MARKER_TAG = 'TODO(migrate)';

export function docsLink(reason: Reason): string {
  return `${DOCS_BASE}#${reason.toLowerCase()}`;
}

/** The markers written into `output` (a route's text), each as a diagnostic with the line it is on. */
export function markerDiagnostics(output: string, markers: ReadonlyArray<{ reason: Reason; detail?: string }>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  output.split('\n').forEach((text, i) => {
    const marker = text.includes(MARKER_TAG) ? markers.find((m) => text.includes(`${MARKER_TAG}: ${m.reason}`)) : undefined;
    if (marker) diagnostics.push({ reason: marker.reason, line: i + 1, detail: marker.detail });
  });
  return diagnostics;
}

/** The text of the one-line marker comment placed beside code that needs review. */
export function markerText(reason: Reason, extra?: string): string {
  const info = REASONS[reason];
  const tail = extra ? ` (${extra})` : '';
  return `${MARKER_TAG}: ${reason} ${info.short}${tail} — ${docsLink(reason)}`;
}

export interface Diagnostic {
  reason: Reason;
  /** 1-based line in the source (for 'left') or in the output (for 'review' markers). */
  line?: number;
  /** Extra context, e.g. the construct found. */
  detail?: string;
}

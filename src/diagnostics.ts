/**
 * The one list of reasons the tool gives when it cannot migrate something, or migrates it with a caveat.
 * The marker comment, the terminal report, the JSON report and the tests all read from here.
 */
export const DOCS_BASE = 'https://github.com/next-pages-api-migrate/next-pages-api-migrate#reason-codes';

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
      'The default export is a call (a wrapper such as withAuth(handler)), an imported value, or a class. Wrappers are not migrated yet: migrate the file by hand.',
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
  REQ_NODE_ONLY: {
    severity: 'review',
    short: 'a Node-only request member has no App Router equivalent',
    detail:
      'req.socket / req.connection and friends do not exist on a Request. The client address, for example, comes from the x-forwarded-for header behind a proxy. The original expression is kept in the comment.',
  },
  CONFIG_DROPPED: {
    severity: 'review',
    short: 'a config option has no App Router equivalent and was dropped',
    detail:
      'api.responseLimit, api.externalResolver and unknown config keys have no route segment equivalent. Check that the route does not depend on them.',
  },
  AFTER_UNAVAILABLE: {
    severity: 'review',
    short: 'code that ran after the response now runs before it',
    detail:
      'The target Next.js version has no after() (added in 15.1), so work that ran after the response was sent now runs before the response is returned. The client waits for it; check that this is acceptable.',
  },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;

export const MARKER_TAG = 'TODO(migrate)';

export function docsLink(reason: Reason): string {
  return `${DOCS_BASE}-${reason.toLowerCase().replace(/_/g, '-')}`;
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

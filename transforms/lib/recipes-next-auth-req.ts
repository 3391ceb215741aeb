/**
 * next-auth calls that take the Pages request inside an options object, rewritten before the request analysis so
 * that `req` no longer escapes through them:
 *  - `getToken({ req, ...rest })` from 'next-auth/jwt' → `getToken({ req: nextAuthRequest(request), ...rest })`.
 *    getToken reads only the cookies and the Authorization header; the compat module's nextAuthRequest gives it both
 *    as Pages did (recipes.ts): the cookies parsed as Pages parsed them (the first of a repeated name, where a
 *    NextRequest's keep the last), the headers as a plain object, which every v4 release reads. When the name is
 *    taken in the file, `getToken({ req: request, ...rest })`: 4.24 reads a NextRequest too (`cookies.getAll()`,
 *    `headers.get()`), the releases before the App Router do not, and the route says so in a note.
 *  - `getSession({ req })` from 'next-auth/react' (v3: 'next-auth/client') → `getSession({ req: { headers: {
 *    cookie: req.headers.cookie }, body: req.body } })`. On the server getSession fetches the session endpoint with
 *    `req.headers.cookie`, and v4 POSTs `req.body` there when it is truthy (the endpoint then answers 400 without a
 *    CSRF token, and getSession returns null). The object holds exactly what it reads; the request rewrite that
 *    follows turns both reads into their App Router forms (the body as Pages parsed it: readPagesBody). With
 *    `bodyParser: false` Pages' req.body was undefined, so the object has no body.
 * A `res` beside `req` (`getSession({ req, res })`) is dropped: neither function (nor v3's getSession) reads it.
 */
import { isIdent, unwrap, walk, type Node, type Snippets } from './ast.js';
import { callees, calls } from './imports.js';
import { NEXT_AUTH_REQUEST } from './recipes.js';

export interface NextAuthRequestNames {
  req: string;
  res: string;
  /** The App Router request's name in the method functions. */
  request: string;
  /** The compat module's nextAuthRequest may be called (its name is not taken in the file). */
  nextAuthRequest: boolean;
  rawBody: boolean;
}

/** The `req` property of the call's only argument, when it is the Pages request itself. */
function requestProperty(call: Node, reqName: string): Node | null {
  const [arg] = call.arguments;
  if (call.arguments.length !== 1 || arg?.type !== 'ObjectExpression') return null;
  const prop = arg.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, 'req'));
  return prop && isIdent(unwrap(prop.value), reqName) ? prop : null;
}

/** `res` (or `res: res`): neither getSession nor getToken reads such a property. */
function isResProperty(p: Node, resName: string): boolean {
  return p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, 'res') && isIdent(unwrap(p.value), resName);
}

/** Rewrites the calls in `roots`; returns the notes the route's report gets, and whether it calls nextAuthRequest. */
export function rewriteNextAuthRequestCalls(snip: Snippets, program: Node, roots: Node[], names: NextAuthRequestNames): { notes: string[]; usesNextAuthRequest: boolean } {
  const notes = new Set<string>();
  let usesNextAuthRequest = false;
  const tokens = callees(program, ['next-auth/jwt'], 'getToken');
  const sessions = callees(program, ['next-auth/react', 'next-auth/client'], 'getSession');
  if (!tokens.direct.size && !tokens.namespaces.size && !sessions.direct.size && !sessions.namespaces.size) return { notes: [], usesNextAuthRequest };
  for (const root of roots) {
    walk(root, (node) => {
      if (node.type !== 'CallExpression') return;
      const prop = requestProperty(node, names.req);
      if (!prop) return;
      const object = node.arguments[0];
      let req: string;
      if (calls(node.callee, tokens, 'getToken') && names.nextAuthRequest) {
        req = `${NEXT_AUTH_REQUEST}(${names.request})`;
        usesNextAuthRequest = true;
      } else if (calls(node.callee, tokens, 'getToken')) {
        req = names.request;
        notes.add('getToken is given the App Router request, which next-auth reads as the releases with App Router support do (checked on 4.24)');
      }
      else if (calls(node.callee, sessions, 'getSession')) req = `{ headers: { cookie: ${names.req}.headers.cookie }${names.rawBody ? '' : `, body: ${names.req}.body`} }`;
      else return;
      // Rebuilt from text: the request rewrite then reads the new object's Pages reads like any other.
      const others = object.properties.filter((p: Node) => p !== prop && !isResProperty(p, names.res));
      node.arguments[0] = snip.expression(`{ req: ${req}${others.map((p: Node) => `, ${snip.src(p)}`).join('')} }`);
      return false;
    });
  }
  return { notes: [...notes], usesNextAuthRequest };
}

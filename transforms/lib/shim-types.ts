/**
 * Whether a project session helper, as its parameters are typed, takes the compat module's nextAuthRequest and
 * nextAuthResponse (typed NextApiRequest and NextApiResponse) where it took req and res (session-helper.ts). A route
 * that calls it with them must type-check as the Pages code did, so a type is accepted only when those fit it for
 * sure: Next's and Node's own request and response types (imported from 'next', 'http' or 'node:http', under any
 * local name), `GetServerSidePropsContext['req' | 'res']`, `any`, `unknown`, or a union of these; for an object that
 * carries both, a written-out type, a type alias or interface of the module (other members optional), or
 * `Pick<GetServerSidePropsContext, 'req' | 'res'>`, or a union with one such member.
 * Anything else (a subtype such as `TenantRequest`, an intersection, a type of another module, a const's own function
 * type) is refused, and the route calls the helper's twin.
 */
import { isIdent, type Node } from './ast.js';

/** The types each module exports that the request and the response fit. */
const FITTING: Record<string, string[]> = {
  next: ['NextApiRequest', 'NextApiResponse'],
  http: ['IncomingMessage', 'ServerResponse'],
  'node:http': ['IncomingMessage', 'ServerResponse'],
};

/** The module's names for those types, and for `GetServerSidePropsContext`, and its namespaces of 'http'. */
interface TypeNames {
  fitting: Set<string>;
  context: Set<string>;
  httpNamespaces: Set<string>;
}

function typeNamesOf(program: Node): TypeNames {
  const names: TypeNames = { fitting: new Set(), context: new Set(), httpNamespaces: new Set() };
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration') continue;
    const source: string = stmt.source.value;
    for (const spec of stmt.specifiers ?? []) {
      if (spec.type === 'ImportSpecifier') {
        const imported = spec.imported.name;
        if (FITTING[source]?.includes(imported)) names.fitting.add(spec.local.name);
        if (source === 'next' && imported === 'GetServerSidePropsContext') names.context.add(spec.local.name);
      } else if (source === 'http' || source === 'node:http') names.httpNamespaces.add(spec.local.name);
    }
  }
  return names;
}

/** `GetServerSidePropsContext` under one of the module's names for it. */
function isContext(type: Node, names: TypeNames): boolean {
  return type?.type === 'TSTypeReference' && isIdent(type.typeName) && names.context.has(type.typeName.name) && !type.typeParameters;
}

function fitsOne(type: Node, names: TypeNames): boolean {
  if (type.type === 'TSAnyKeyword' || type.type === 'TSUnknownKeyword') return true;
  if (type.type === 'TSTypeReference') {
    const name = type.typeName;
    // `NextApiResponse<Data>`: the response the route gives is NextApiResponse<any>, which fits any data type.
    if (isIdent(name)) return names.fitting.has(name.name) && (!type.typeParameters || /Response$/.test(name.name));
    return name.type === 'TSQualifiedName' && isIdent(name.left) && names.httpNamespaces.has(name.left.name) && FITTING.http.includes(name.right.name) && !type.typeParameters;
  }
  // `GetServerSidePropsContext['req']`.
  if (type.type === 'TSIndexedAccessType') {
    const index = type.indexType.type === 'TSLiteralType' ? type.indexType.literal.value : null;
    return isContext(type.objectType, names) && (index === 'req' || index === 'res');
  }
  return false;
}

/** A type annotation of req or res, or its absence, that the request and the response fit. */
function fits(annotation: Node | null | undefined, names: TypeNames): boolean {
  if (!annotation) return true;
  const type = annotation.type === 'TSTypeAnnotation' ? annotation.typeAnnotation : annotation;
  return (type.type === 'TSUnionType' ? type.types : [type]).every((member: Node) => fitsOne(member, names));
}

/** The type a non-generic type alias of the module named `name` stands for, or null. */
function localAliasType(program: Node, name: string): Node | null {
  for (const raw of program.body) {
    const stmt = raw.type === 'ExportNamedDeclaration' ? raw.declaration : raw;
    if (stmt?.type === 'TSTypeAliasDeclaration' && isIdent(stmt.id, name) && !stmt.typeParameters) return stmt.typeAnnotation;
  }
  return null;
}

/** A non-generic type alias or interface of the module named `name`: its members, or null. */
function membersOfLocalType(program: Node, name: string): Node[] | null {
  const aliased = localAliasType(program, name);
  if (aliased) return aliased.type === 'TSTypeLiteral' ? aliased.members : null;
  for (const raw of program.body) {
    const stmt = raw.type === 'ExportNamedDeclaration' ? raw.declaration : raw;
    if (stmt?.type === 'TSInterfaceDeclaration' && isIdent(stmt.id, name) && !stmt.typeParameters && !stmt.extends?.length) return stmt.body.body;
  }
  return null;
}

/** A non-generic type alias of the module named `name` whose type is a union: the union, or null. */
function localUnion(program: Node, name: string): Node | null {
  const aliased = localAliasType(program, name);
  return aliased?.type === 'TSUnionType' ? aliased : null;
}

/**
 * The type of the object that carries req and res: both fit, or it is `Pick<GetServerSidePropsContext, …>`, or a
 * union (written out or a type alias of the module) one of whose members is such a type: `{ req, res }` of the
 * stand-ins is then assignable to it (`GetServerSidePropsContext | { req: NextApiRequest; res: NextApiResponse }`).
 */
function carrierTypeFits(program: Node, raw: Node | undefined, names: TypeNames, depth = 0): boolean {
  const type = raw?.type === 'TSParenthesizedType' ? raw.typeAnnotation : raw;
  // `Pick<GetServerSidePropsContext, 'req' | 'res'>`: the object passed has exactly those keys.
  if (type?.type === 'TSTypeReference' && isIdent(type.typeName, 'Pick') && !membersOfLocalType(program, 'Pick')) return isContext(type.typeParameters?.params?.[0], names) && pickedKeys(type.typeParameters?.params?.[1]) === 'req,res';
  const union = type?.type === 'TSUnionType' ? type : type?.type === 'TSTypeReference' && isIdent(type.typeName) && !type.typeParameters ? localUnion(program, type.typeName.name) : null;
  if (union) return depth < 3 && union.types.some((member: Node) => carrierTypeFits(program, member, names, depth + 1));
  const members = type?.type === 'TSTypeLiteral' ? type.members : type?.type === 'TSTypeReference' && isIdent(type.typeName) && !type.typeParameters ? membersOfLocalType(program, type.typeName.name) : null;
  if (!members) return false;
  const keyOf = (m: Node) => (m.type === 'TSPropertySignature' && !m.computed ? (m.key.name ?? m.key.value) : null);
  const member = (key: string) => members.find((m: Node) => keyOf(m) === key);
  // Any other member must be optional: the object passed holds only req and res.
  const others = members.filter((m: Node) => keyOf(m) !== 'req' && keyOf(m) !== 'res');
  if (others.some((m: Node) => m.type !== 'TSPropertySignature' || !m.optional)) return false;
  return ['req', 'res'].every((key) => member(key) && fits(member(key).typeAnnotation, names));
}

/** The keys a `Pick` lists (`'req' | 'res'` → `req,res`, sorted), or null for anything but string literals. */
function pickedKeys(keys: Node | undefined): string | null {
  const literals = keys?.type === 'TSUnionType' ? keys.types : keys ? [keys] : [];
  const values = literals.map((t: Node) => (t.type === 'TSLiteralType' && typeof t.literal.value === 'string' ? t.literal.value : null));
  return values.length && values.every((v: string | null) => v !== null) ? [...new Set(values)].sort().join(',') : null;
}

function carrierFits(program: Node, annotation: Node | null | undefined, names: TypeNames): boolean {
  return !annotation || carrierTypeFits(program, annotation.typeAnnotation, names);
}

/**
 * Whether `fn` (a function of `program`) takes the request and the response at `args` (two positions, or one for an
 * object `{ req, res }`) as its types say. A function whose type comes from elsewhere (`const f: SessionFn = (req,
 * res) => …`, an overloaded declaration) is refused: its callers see that type, not its parameters'.
 */
export function takesNextAuthShims(program: Node, fn: Node, args: { req: number; res: number }): boolean {
  let typedElsewhere = false;
  for (const raw of program.body) {
    const stmt = raw.type === 'ExportNamedDeclaration' || raw.type === 'ExportDefaultDeclaration' ? raw.declaration : raw;
    if (stmt?.type === 'VariableDeclaration' && stmt.declarations.some((d: Node) => d.id.typeAnnotation && (d.init === fn || d.init?.expression === fn))) typedElsewhere = true;
    if (stmt?.type === 'TSDeclareFunction' && fn.type === 'FunctionDeclaration' && fn.id && isIdent(stmt.id, fn.id.name)) typedElsewhere = true;
  }
  if (typedElsewhere) return false;
  const names = typeNamesOf(program);
  if (args.req !== args.res) return fits(fn.params[args.req]?.typeAnnotation, names) && fits(fn.params[args.res]?.typeAnnotation, names);
  return carrierFits(program, fn.params[args.req]?.typeAnnotation, names);
}

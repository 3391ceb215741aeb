/**
 * The TypeScript compat module must compile in the apps it is written into, not only in the e2e app: many Next.js
 * apps still have the tsconfig of Next 12/13's template (`"target": "es5"`, no downlevelIteration) and a TypeScript
 * older than 5.2, whose DOM library has no Headers.getSetCookie. Checked with the TypeScript API against that setup:
 * the real libraries, with getSetCookie taken out of lib.dom.d.ts as older TypeScript has it.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compatModuleSource } from '../transforms/lib/compat-module.js';

const APP = path.resolve('.compat-types-app');
const MODULE = path.join(APP, 'app/api/_migrate/pages-compat.ts');
/** The few types of `next` the module names, declared as the app's node_modules would (their shape does not matter here). */
const NEXT_TYPES = path.join(APP, 'next-types.d.ts');
const NEXT_STUBS = `declare module 'next' {
  export interface NextApiRequest { headers: Record<string, string | string[] | undefined>; cookies: Partial<Record<string, string>> }
  export interface NextApiResponse { getHeader(name: string): unknown; setHeader(name: string, value: string | number | readonly string[]): this }
}
declare module 'next/server' {
  export class NextRequest extends Request { readonly nextUrl: URL }
}
`;

function errorsUnder(options: ts.CompilerOptions): string[] {
  const host = ts.createCompilerHost(options);
  const virtual = new Map([
    [MODULE, compatModuleSource(true)],
    [NEXT_TYPES, NEXT_STUBS],
  ]);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = virtual.get(path.resolve(file)) ?? readFile(file);
    // TypeScript before 5.2 declares no getSetCookie on Headers.
    return path.basename(file) === 'lib.dom.d.ts' ? text?.replace(/^\s*getSetCookie\(\): string\[\];$/m, '') : text;
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => virtual.has(path.resolve(file)) || fileExists(file);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language) => {
    const text = host.readFile(file);
    if (text === undefined) return getSourceFile(file, language);
    return ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([MODULE, NEXT_TYPES], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('compat module types', () => {
  it("compiles with Next 12/13's tsconfig template (target es5) and a DOM library without Headers.getSetCookie", () => {
    const lib = path.dirname(ts.getDefaultLibFilePath({}));
    const dom = ts.sys.readFile(path.join(lib, 'lib.dom.d.ts')) ?? '';
    // The check relies on taking getSetCookie out of the real library: it must be there to take out.
    expect(dom).toMatch(/^\s*getSetCookie\(\): string\[\];$/m);
    const errors = errorsUnder({
      target: ts.ScriptTarget.ES5,
      lib: ['lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.esnext.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      isolatedModules: true,
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [path.resolve('node_modules/@types')],
    });
    expect(errors).toEqual([]);
  });
});

// Placeholder: the real helper module text is being written; it keeps this signature.
export function compatModuleSource(typescript: boolean): string {
  return typescript ? 'export {};\n' : 'export {};\n';
}

/** A BOM and CRLF line endings are taken off for the transform and put back on its output, as the source had them. */
export interface SourceText {
  text: string;
  restore: (output: string) => string;
}

export function normalizeSource(raw: string): SourceText {
  const bom = raw.startsWith('\uFEFF');
  const crlf = raw.includes('\r\n');
  const text = (bom ? raw.slice(1) : raw).replace(/\r\n/g, '\n');
  return {
    text,
    restore: (output) => {
      const lines = crlf ? output.replace(/\n/g, '\r\n') : output;
      return bom ? `\uFEFF${lines}` : lines;
    },
  };
}

/**
 * Reads one pages/api source for the plan, refusing what the tool could not give back byte for byte: files too large
 * to parse in reasonable time, binary files, and text in an encoding other than UTF-8. Read-only.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';

/** Larger sources are left (FILE_TOO_LARGE): parse time grows faster than the size, and no hand-written handler is that big. */
export const MAX_SOURCE_BYTES = 512 * 1024;

export type SourceRead = { text: string } | { problem: Diagnostic };

// fatal: a byte that is not UTF-8 throws instead of becoming U+FFFD, which would be written back as different bytes.
// ignoreBOM: the BOM stays in the text, so that the route keeps it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** The text of `bytes`, or why it is not text the tool may rewrite. */
export function decodeSource(bytes: Uint8Array): SourceRead {
  if (bytes.length > MAX_SOURCE_BYTES) return { problem: { reason: 'FILE_TOO_LARGE', detail: `${kib(bytes.length)}; the limit is ${kib(MAX_SOURCE_BYTES)}` } };
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { problem: { reason: 'NOT_TEXT', detail: `a NUL byte at offset ${nul}: binary content, or UTF-16` } };
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { problem: { reason: 'NOT_TEXT', detail: 'bytes that are not valid UTF-8 (another encoding, such as Latin-1?)' } };
  }
}

/**
 * Reads `source` (posix, relative to `root`); the size is checked before reading, so a huge file is never loaded.
 * Synchronous (see sync-fs.ts): thousands of small files are read one after the other.
 */
export function readSourceText(root: string, source: string): SourceRead {
  const abs = path.join(root, source);
  try {
    const { size } = statSync(abs);
    if (size > MAX_SOURCE_BYTES) return { problem: { reason: 'FILE_TOO_LARGE', detail: `${kib(size)}; the limit is ${kib(MAX_SOURCE_BYTES)}` } };
    return decodeSource(readFileSync(abs));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: { reason: 'UNREADABLE', detail: code ?? (error instanceof Error ? error.message : String(error)) } };
  }
}

/** True for a file with nothing in it but white space (and maybe a BOM). */
export function isBlank(text: string): boolean {
  return text.replace(/^\uFEFF/, '').trim() === '';
}

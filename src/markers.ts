/** The TODO(migrate) markers in a route file's text, with their lines: what `check` lists and the reports count. */
import { MARKER_TAG, REASONS, type Reason } from './diagnostics.js';

export interface Marker {
  /** 1-based line in the file. */
  line: number;
  /** The reason code the marker names, when it names one (a marker a person typed may not). */
  code?: Reason;
  /** The whole line, trimmed. */
  text: string;
}

function isReason(code: string): code is Reason {
  return Object.hasOwn(REASONS, code);
}

export function findMarkers(text: string | undefined): Marker[] {
  // Most routes have no marker: one search of the text spares splitting it into lines.
  if (!text?.includes(MARKER_TAG)) return [];
  const markers: Marker[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.includes(MARKER_TAG)) return;
    const code = new RegExp(`${MARKER_TAG.replace(/[()]/g, '\\$&')}:?\\s+([A-Z_]+)`).exec(line)?.[1];
    markers.push({ line: i + 1, ...(code && isReason(code) ? { code } : {}), text: line.trim() });
  });
  return markers;
}

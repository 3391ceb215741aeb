/**
 * The notes a route's report gets for what changed in how it runs, checked on the transform fixtures that show them
 * (the fixture test compares only their output).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';

/** The transform's result for a fixture's input. */
function transformed(fixture: string, nextVersion = '15.5.29') {
  const source = readFileSync(`fixtures/transform/${fixture}.input.ts`, 'utf8');
  return transformSource(source, { sourcePath: `pages/api/${fixture}.ts`, targetPath: `app/api/${fixture}/route.ts`, compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion });
}

function notesOf(fixture: string, nextVersion = '15.5.29'): string[] {
  const result = transformed(fixture, nextVersion);
  expect(result.status).toBe('migrated');
  return result.notes;
}

/** A fixture's markers and notes, for a route that needs a look. */
function reviewOf(fixture: string): { markers: Array<{ reason: string; detail?: string }>; notes: string[] } {
  const result = transformed(fixture);
  expect(result.status).toBe('review');
  return { markers: result.diagnostics.map(({ reason, detail }) => ({ reason, detail })), notes: result.notes };
}

const ENDS = (line: number) => `line ${line}: the response now ends the handler; Pages went on running the code after it`;

describe('report notes', () => {
  it('says which module-scope code now runs at next build too, which loads a route module to collect its config', () => {
    expect(notesOf('module-scope-client')).toEqual([
      'line 7: module-scope code (createClient(process.env.SUPABASE_URL!, process…) now also runs at next build, which loads every route module (never a Pages API route\'s): the build needs what it needs (environment variables)',
    ]);
  });

  it("says where the socket's address became the x-forwarded-for header it falls back from", () => {
    const said = "became the x-forwarded-for header it falls back from: Next's server sets that header to the socket's address when a request has none, so the address is the same then; a request that brings the header itself, empty or in a form the code passes over, gets its value where Pages gave the socket's address";
    expect(notesOf('req-socket-address-fallback')).toEqual([`line 12: req.socket.remoteAddress ${said}`, `line 15: req.connection.remoteAddress ${said}`]);
    expect(notesOf('req-socket-address-function')).toEqual([`line 14: req.socket.remoteAddress ${said}`, `line 21: req.socket.remoteAddress ${said}`]);
    // The legacy last fallback, after the connection's and the socket's.
    expect(notesOf('req-address-legacy-helper')).toEqual([`line 10: req.connection.remoteAddress ${said}`, `line 11: req.socket.remoteAddress ${said}`, `line 12: req.connection.socket.remoteAddress ${said}`]);
  });

  it('marks a send without a return that now ends the handler, also at the end of a block, for review', () => {
    expect(reviewOf('send-in-block-goes-on')).toEqual({ markers: [{ reason: 'ANSWER_ENDS_HANDLER', detail: 'line 8' }], notes: [] });
  });

  it('only notes a send after which Pages could do nothing but end the handler', () => {
    // Line 12's res.end() is followed by res.status(201).json(…), which did nothing the client saw (Next ignores a send
    // once the answer is out), then by the handler's end. Lines 6 and 9 went on.
    expect(reviewOf('missing-return-falls-through')).toEqual({ markers: [{ reason: 'ANSWER_ENDS_HANDLER', detail: 'lines 6 and 9' }], notes: [ENDS(12)] });
  });

  it('says nothing for a send that only a finally follows, which runs after the route\'s return too', () => {
    expect(notesOf('send-before-finally')).toEqual([]);
  });

  it('notes a send followed by a throw that ended the handler, and marks one whose throw reached a catch', () => {
    expect(reviewOf('send-then-throw')).toEqual({ markers: [{ reason: 'ANSWER_ENDS_HANDLER', detail: 'line 14' }], notes: [ENDS(9)] });
  });

  it('follows a switch case that falls through after its answer: into a default that did nothing, or a case that ran', () => {
    expect(reviewOf('switch-falls-through-after-send')).toEqual({ markers: [{ reason: 'ANSWER_ENDS_HANDLER', detail: 'line 13' }], notes: [ENDS(20), ENDS(22)] });
  });

  it('marks getServerSession after the send, which is not moved into after()', () => {
    expect(reviewOf('session-after-send')).toEqual({ markers: [{ reason: 'ANSWER_ENDS_HANDLER', detail: 'line 9' }], notes: [] });
  });

  it('says when work after the send moved into after(), or before the return without it', () => {
    expect(notesOf('code-after-send')).toContain('code that ran after the response now runs in after()');
  });

  it('says what an error-first callback that answers now does when it throws', () => {
    expect(notesOf('callback-error-first')).toEqual(['line 7: the callback of fs.readFile() now runs in the handler once it is called; what it throws answers 500, where in Pages it was an uncaught exception']);
  });

  it('says what an unawaited promise chain without .catch now does on a rejection', () => {
    expect(notesOf('promise-chain-no-catch')).toEqual(['line 5: the promise chain is now awaited; when it rejects the route answers 500, where Pages never answered (no .catch)']);
    expect(notesOf('promise-chain')).toEqual([]);
  });

  it('says what an async sub-handler called without await now does when it throws', () => {
    expect(notesOf('sub-handler-not-awaited')).toEqual(['line 15: listUsers(…) was not awaited; the route waits for its answer, and answers 500 where it throws (Pages never answered then)']);
  });
});

describe('reasons a file is left with', () => {
  it('says what a default export that is no function holds (a model kept under pages/api)', () => {
    const source = "import { model, models } from 'mongoose'\nconst Game = models.Game || model('Game', GameSchema)\nexport default Game\n";
    const result = transformSource(source, { sourcePath: 'pages/api/models/game.ts', targetPath: 'app/api/models/game/route.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' });
    expect(result.status).toBe('left');
    expect(result.diagnostics).toEqual([
      { reason: 'HANDLER_NOT_FOUND', line: undefined, detail: "Game is `models.Game || model('Game', GameSchema)`, not a function: not a route (a module under pages/api that is none belongs elsewhere)" },
    ]);
  });
});

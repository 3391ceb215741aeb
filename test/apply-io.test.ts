/**
 * The overlapped disk work of apply, on real folders: new files written several at a time yet whole and in order,
 * and the empty folders that removed sources leave, removed as walks up from each source would.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFilesInOrder } from '../src/atomic-write.js';
import { pruneEmptyFolders } from '../src/prune-folders.js';
import { listTree, removeTempDirs, tempDir, writeFiles } from './cli/helpers.js';

afterAll(removeTempDirs);

const names = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, '0')}.ts`);

describe('writeFilesInOrder', () => {
  it('writes every file whole, reports them in order, and leaves no temporary file', async () => {
    const root = tempDir('migrate-io-');
    const items = names.map((name) => ({ file: path.join(root, name), content: `// ${name}\n`.repeat(100) }));
    const written: string[] = [];
    await writeFilesInOrder(items, { window: 8, beforeEach: async () => true, onWritten: (item) => written.push(path.basename(item.file)) });
    expect(written).toEqual(names);
    expect(listTree(root)).toEqual(names);
    for (const item of items) expect(readFileSync(item.file, 'utf8')).toBe(item.content);
  });

  it('stops where beforeEach says, after finishing the files started', async () => {
    const root = tempDir('migrate-io-');
    const items = names.map((name) => ({ file: path.join(root, name), content: name }));
    const written: string[] = [];
    let asked = 0;
    await writeFilesInOrder(items, { window: 8, beforeEach: async () => ++asked <= 10, onWritten: (item) => written.push(path.basename(item.file)) });
    expect(written).toEqual(names.slice(0, 10));
    expect(listTree(root)).toEqual(names.slice(0, 10));
  });

  it('on a failure, keeps the files before it, writes none after it, and throws', async () => {
    const root = tempDir('migrate-io-');
    // The 13th target's folder is a file: its temporary file cannot be created.
    writeFiles(root, { blocked: 'a file where a folder should be\n' });
    const items = names.map((name, i) => ({ file: path.join(root, i === 12 ? 'blocked' : '', name), content: name }));
    const written: string[] = [];
    await expect(writeFilesInOrder(items, { window: 8, beforeEach: async () => true, onWritten: (item) => written.push(path.basename(item.file)) })).rejects.toThrow(/ENOTDIR/);
    expect(written).toEqual(names.slice(0, 12));
    expect(listTree(root)).toEqual(['blocked', ...names.slice(0, 12)].sort());
  });
});

describe('pruneEmptyFolders', () => {
  it('removes the folders left empty up to the stop folder, and no other', async () => {
    const root = tempDir('migrate-io-');
    writeFiles(root, { 'api/keep/x.ts': 'x', 'api/outside.txt': 'x' });
    for (const folder of ['api/a/b/c', 'api/a/d', 'api/keep/e', 'api/link-target']) mkdirSync(path.join(root, folder), { recursive: true });
    symlinkSync(path.join(root, 'api/link-target'), path.join(root, 'api/a/d/link'));
    const stopAt = path.join(root, 'api');
    const pruned = await pruneEmptyFolders(['api/a/b/c', 'api/a/b', 'api/a/d', 'api/keep/e'].map((f) => ({ folder: path.join(root, f), stopAt })));
    // api/a/d holds a link, so it and api/a stay; api keeps its other files.
    expect([...pruned].map((p) => path.relative(root, p)).sort()).toEqual(['api/a/b', 'api/a/b/c', 'api/keep/e']);
    expect(existsSync(path.join(root, 'api/a/d/link'))).toBe(true);
  });

  it('removes the stop folder too when it is left empty', async () => {
    const root = tempDir('migrate-io-');
    for (const folder of ['api/s0/r1', 'api/s0/r2', 'api/s1']) mkdirSync(path.join(root, folder), { recursive: true });
    const stopAt = path.join(root, 'api');
    const pruned = await pruneEmptyFolders(['api/s0/r1', 'api/s0/r2', 'api/s0', 'api/s1'].map((f) => ({ folder: path.join(root, f), stopAt })));
    expect([...pruned].map((p) => path.relative(root, p)).sort()).toEqual(['api', 'api/s0', 'api/s0/r1', 'api/s0/r2', 'api/s1']);
    expect(existsSync(stopAt)).toBe(false);
  });
});

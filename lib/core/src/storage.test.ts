import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalStorage, normaliseRelative, PathEscapeError } from './storage.js';

describe('storage paths', () => {
  it('normalises relative paths and refuses escapes', () => {
    expect(normaliseRelative('events/a/vod.mp4')).toBe('events/a/vod.mp4');
    expect(normaliseRelative('events//a/./vod.mp4')).toBe('events/a/vod.mp4');
    for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', '..', 'a\\b', 'a\0b']) {
      expect(normaliseRelative(bad), bad).toBeNull();
    }
  });
  it('writes atomically, lists and removes inside the root', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'fs-storage-'));
    const storage = createLocalStorage(root);
    await expect(storage.stat('../outside')).rejects.toThrow(PathEscapeError);
    const scratch = await storage.scratchDir();
    await writeFile(path.join(scratch, 'x.jpg'), 'abc');
    const stored = await storage.putFile('ev/x.jpg', path.join(scratch, 'x.jpg'));
    expect(stored).toMatchObject({ path: 'ev/x.jpg', size: 3 });
    expect((await storage.list('ev')).map((f) => f.path)).toEqual(['ev/x.jpg']);
    await storage.remove('ev/x.jpg');
    expect(await storage.stat('ev/x.jpg')).toBeNull();
  });
});

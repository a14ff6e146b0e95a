// Confinement of the folder backend: a symlink under the root that leads out of it is
// neither read, listed, handed to ffmpeg, nor written through.
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readStoredPlaylist, StoredPlaylistError, writePrivatePlaylist } from '../media/stored-playlist.js';
import { createLocalStorage } from './local-storage.js';
import { NotFoundError, PathEscapeError, type Storage } from './storage.js';

let root: string;
let outside: string;
let storage: Storage;

beforeAll(async () => {
  const base = await mkdtemp(path.join(tmpdir(), 'fs-confine-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  await mkdir(path.join(root, 'ev'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.ts'), 'secret');
  await writeFile(path.join(root, 'ev', 'seg0.ts'), 'segment');
  await writeFile(path.join(root, 'ev', 'real.jpg'), 'jpg');
  await symlink('/etc/passwd', path.join(root, 'ev', 'passwd.jpg'));
  await symlink(path.join(outside, 'secret.ts'), path.join(root, 'ev', 'seg1.ts'));
  await symlink(outside, path.join(root, 'out'));
  await symlink(path.join(root, 'ev', 'real.jpg'), path.join(root, 'ev', 'inside-link.jpg'));
  storage = createLocalStorage(root);
});

describe('local storage confinement', () => {
  it('does not stat, read or open a symlink that leaves the root', async () => {
    expect(await storage.stat('ev/passwd.jpg')).toBeNull();
    await expect(storage.read('ev/passwd.jpg')).rejects.toThrow(NotFoundError);
    await expect(storage.readText('ev/passwd.jpg', 1000)).rejects.toThrow(NotFoundError);
    expect(await storage.statMedia('ev/passwd.jpg')).toBeNull();
    expect(await storage.stat('out/secret.ts')).toBeNull();
  });
  it('follows a link that stays inside, and lists no links', async () => {
    expect(await storage.stat('ev/inside-link.jpg')).toMatchObject({ size: 3 });
    // The facts are stat's, the input the link's real target inside the root.
    expect(await storage.statMedia('ev/inside-link.jpg')).toEqual({
      file: await storage.stat('ev/inside-link.jpg'),
      input: { kind: 'file', path: path.join(await import('node:fs/promises').then((f) => f.realpath(root)), 'ev', 'real.jpg') },
    });
    expect((await storage.list('ev')).map((f) => f.path)).toEqual(['ev/real.jpg', 'ev/seg0.ts']);
    expect(await storage.list('out')).toEqual([]);
  });
  it('does not write through a folder link that leaves the root', async () => {
    const scratch = await storage.scratchDir();
    await writeFile(path.join(scratch, 'x.jpg'), 'x');
    await expect(storage.putFile('out/x.jpg', path.join(scratch, 'x.jpg'))).rejects.toThrow(PathEscapeError);
    await storage.remove('out/secret.ts');
    expect(await readFile(path.join(outside, 'secret.ts'), 'utf8')).toBe('secret');
  });
  it('locates a batch as statMedia does one by one: links inside followed, links out, folders out, missing keys and escapes null', async () => {
    const rels = ['ev/seg0.ts', 'ev/inside-link.jpg', 'ev/passwd.jpg', 'ev/seg1.ts', 'out/secret.ts', 'ev/none.ts', '../outside/secret.ts', 'ev'];
    const batch = await storage.mediaInputs(rels);
    const single = await Promise.all(rels.map((r) => storage.statMedia(r).then((m) => m?.input ?? null, (err: unknown) => (err instanceof PathEscapeError ? null : Promise.reject(err)))));
    expect(batch).toEqual(single);
    expect(batch.filter((b) => b !== null)).toHaveLength(2);
  });
  it('answers the same when the batch is large enough to list the folder', async () => {
    await mkdir(path.join(root, 'many'), { recursive: true });
    const names = Array.from({ length: 40 }, (_, i) => `seg${i}.ts`);
    for (const n of names) await writeFile(path.join(root, 'many', n), 'segment');
    await symlink(path.join(outside, 'secret.ts'), path.join(root, 'many', 'out.ts'));
    await symlink(path.join(root, 'many', 'seg0.ts'), path.join(root, 'many', 'in.ts'));
    const rels = [...names, 'out.ts', 'in.ts', 'none.ts'].map((n) => `many/${n}`);
    const batch = await storage.mediaInputs(rels);
    const single = await Promise.all(rels.map((r) => storage.statMedia(r).then((m) => m?.input ?? null)));
    expect(batch).toEqual(single);
    expect(batch.filter((b) => b !== null)).toHaveLength(41);
  });
  it('refuses an HLS playlist whose segment is a symlink out of the root', async () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg0.ts\n#EXTINF:2,\nseg1.ts\n#EXT-X-ENDLIST\n';
    await writeFile(path.join(root, 'ev', 'index.m3u8'), text);
    const read = await readStoredPlaylist(storage, 'ev/index.m3u8');
    if (read.playlist.kind !== 'media') throw new Error('expected a media playlist');
    await expect(writePrivatePlaylist(storage, 'ev/index.m3u8', read.text, read.playlist)).rejects.toThrow(StoredPlaylistError);
    await expect(writePrivatePlaylist(storage, 'ev/index.m3u8', read.text, read.playlist)).rejects.toThrow(/seg1\.ts \(line 6\), which does not exist in storage/);
  });
});

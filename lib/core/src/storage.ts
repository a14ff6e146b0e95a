// Storage behind a small interface: the local-folder backend below is the default, and an
// S3-compatible backend can implement the same calls. Paths are relative to the root and
// are checked so nothing resolves outside it.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface Storage {
  /** Absolute local path for tools that need a file (ffmpeg input/output). Throws when `rel` escapes the root. */
  localPath(rel: string): string;
  stat(rel: string): Promise<StoredFile | null>;
  /** Moves a finished local file into place atomically (same filesystem rename, else copy). */
  putFile(rel: string, localFile: string): Promise<StoredFile>;
  remove(rel: string): Promise<void>;
  /** Files directly inside folder `rel` (not recursive). */
  list(rel: string): Promise<StoredFile[]>;
  read(rel: string): Readable;
  /** A private scratch folder on the same filesystem for partial outputs. */
  scratchDir(): Promise<string>;
}

export class PathEscapeError extends Error {
  constructor(rel: string) {
    super(`path ${JSON.stringify(rel)} leaves the storage root`);
    this.name = 'PathEscapeError';
  }
}

/** Normalises a relative storage path; returns null when it is absolute or escapes. */
export function normaliseRelative(rel: string): string | null {
  if (!rel || rel.includes('\0') || path.isAbsolute(rel) || rel.includes('\\')) return null;
  const norm = path.posix.normalize(rel);
  if (norm === '.' || norm.startsWith('../') || norm === '..') return null;
  return norm.replace(/\/+$/, '');
}

export function createLocalStorage(root: string): Storage {
  const abs = path.resolve(root);
  const localPath = (rel: string) => {
    const norm = normaliseRelative(rel);
    if (norm === null) throw new PathEscapeError(rel);
    return path.join(abs, norm);
  };
  const toStored = (rel: string, s: { size: number; mtimeMs: number }): StoredFile => ({ path: rel, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
  return {
    localPath,
    async stat(rel) {
      try {
        const s = await stat(localPath(rel));
        return s.isFile() ? toStored(normaliseRelative(rel)!, s) : null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async putFile(rel, localFile) {
      const dest = localPath(rel);
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(localFile, dest);
      return toStored(normaliseRelative(rel)!, await stat(dest));
    },
    async remove(rel) {
      await rm(localPath(rel), { force: true });
    },
    async list(rel) {
      const dir = rel === '' ? abs : localPath(rel);
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const out: StoredFile[] = [];
      for (const e of entries) {
        if (!e.isFile() || e.name.startsWith('.')) continue;
        const relPath = rel === '' ? e.name : `${normaliseRelative(rel)}/${e.name}`;
        const s = await stat(path.join(dir, e.name)).catch(() => null);
        if (s) out.push(toStored(relPath, s));
      }
      return out.sort((a, b) => a.path.localeCompare(b.path));
    },
    read(rel) {
      return createReadStream(localPath(rel));
    },
    async scratchDir() {
      // Scratch lives under the root so the final rename stays on one filesystem.
      const dir = path.join(abs, '.scratch', `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      await mkdir(dir, { recursive: true });
      return dir;
    },
  };
}

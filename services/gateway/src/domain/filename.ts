// File names for generated assets. User text never becomes a path component unchecked:
// a given filename is validated, a default one is slugged from the asset name.
import { textProblem, utf8Length } from './text-input.js';

/** The filesystem's NAME_MAX (ext4, xfs, btrfs, tmpfs): a limit in bytes, not characters. */
export const NAME_MAX_BYTES = 255;
/** Clashes are numbered `-1` up to this; the longest suffix must still fit NAME_MAX. */
export const MAX_CLASH_NUMBER = 999;

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
    .replace(/-+$/, '');
  return slug || 'asset';
}

/**
 * Returns why `filename` is unsafe, or null. The length counts what lands on disk: the UTF-8
 * bytes of the base name, the longest clash suffix and the system's `.extension`.
 */
export function filenameProblem(filename: string, extension: string): string | null {
  if (filename.length === 0) return 'filename must not be empty';
  const text = textProblem(filename);
  if (text) return `filename must not contain ${text}`;
  const longest = numberedFilename(baseFilename(filename, '', extension), extension, MAX_CLASH_NUMBER);
  const spare = NAME_MAX_BYTES - utf8Length(longest);
  if (spare < 0) {
    return `filename is ${utf8Length(filename)} bytes in UTF-8; with the extension and a clash suffix such as "-${MAX_CLASH_NUMBER}" it must fit ${NAME_MAX_BYTES} bytes (${-spare} too many)`;
  }
  if (/[\/\\]/.test(filename)) return 'filename must not contain a path separator';
  if (filename.includes('..')) return 'filename must not contain ".."';
  if (filename.startsWith('.')) return 'filename must not start with "."';
  return null;
}

/** The base name without the system's extension (a trailing `.gif` given by the user is dropped). */
export function baseFilename(filename: string | null, name: string, extension: string): string {
  if (filename === null) return slugify(name);
  const suffix = '.' + extension;
  return filename.toLowerCase().endsWith(suffix) ? filename.slice(0, -suffix.length) : filename;
}

/** `clip.gif`, then `clip-1.gif`, `clip-2.gif`, ... for clash number n. */
export function numberedFilename(base: string, extension: string, n: number): string {
  return n === 0 ? `${base}.${extension}` : `${base}-${n}.${extension}`;
}

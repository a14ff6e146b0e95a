// File names for generated assets. User text never becomes a path component unchecked:
// a given filename is validated, a default one is slugged from the asset name.
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

/** Returns why `filename` is unsafe, or null. */
export function filenameProblem(filename: string): string | null {
  if (filename.length === 0) return 'filename must not be empty';
  if (filename.length > 200) return 'filename must be at most 200 characters';
  if (/[\/\\]/.test(filename)) return 'filename must not contain a path separator';
  if (/[\u0000-\u001f\u007f]/.test(filename)) return 'filename must not contain control characters';
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

// The concat demuxer's list file for joining smart-cut pieces. Pieces are plain file names in
// the list's own folder: the demuxer resolves them against the list, and its default safe
// mode (which refuses absolute paths and `..`) can stay on.

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

export function concatListText(files: readonly string[]): string {
  if (files.length === 0) throw new TypeError('a concat list needs at least one file');
  const lines = ['ffconcat version 1.0'];
  for (const f of files) {
    if (!SAFE_NAME.test(f) || f.startsWith('.')) throw new TypeError(`concat piece ${JSON.stringify(f)} must be a plain file name`);
    lines.push(`file '${f}'`);
  }
  return `${lines.join('\n')}\n`;
}

import { describe, expect, it } from 'vitest';
import { baseFilename, filenameProblem, MAX_CLASH_NUMBER, NAME_MAX_BYTES, numberedFilename, slugify } from './filename.js';

describe('filenames', () => {
  it('slugs asset names', () => {
    expect(slugify('Example GIF')).toBe('example-gif');
    expect(slugify('  Crème Brûlée — Goal! ')).toBe('creme-brulee-goal');
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('***')).toBe('asset');
  });
  it('refuses unsafe filenames', () => {
    expect(filenameProblem('goal', 'gif')).toBeNull();
    expect(filenameProblem('goal 1 (final)', 'gif')).toBeNull();
    for (const bad of ['', 'a/b', 'a\\b', '..', 'x..y', '.hidden', 'nul\u0000', 'tab\tname', 'del\u007f', 'c1\u0085', 'lone\ud800']) {
      expect(filenameProblem(bad, 'gif'), JSON.stringify(bad)).not.toBeNull();
    }
  });
  it('counts the length in UTF-8 bytes with the extension and the longest clash suffix', () => {
    // "-999.gif" is 8 bytes, so 247 bytes of base name are the most that always fit.
    const suffixBytes = `-${MAX_CLASH_NUMBER}.gif`.length;
    expect(filenameProblem('x'.repeat(NAME_MAX_BYTES - suffixBytes), 'gif')).toBeNull();
    expect(filenameProblem('x'.repeat(NAME_MAX_BYTES - suffixBytes + 1), 'gif')).toMatch(/255 bytes \(1 too many\)/);
    // A given ".gif" is the system's extension, not part of the budget twice.
    expect(filenameProblem('x'.repeat(NAME_MAX_BYTES - suffixBytes) + '.gif', 'gif')).toBeNull();
    // 150 × "é" is 150 UTF-16 units but 300 bytes: ENAMETOOLONG on disk, so refused here.
    expect(filenameProblem('é'.repeat(150), 'gif')).toMatch(/^filename is 300 bytes in UTF-8/);
    expect(filenameProblem('é'.repeat(123), 'gif')).toBeNull();
    expect(filenameProblem('é'.repeat(124), 'gif')).not.toBeNull();
    expect(filenameProblem('😀'.repeat(62), 'mp4')).not.toBeNull();
    expect(filenameProblem('😀'.repeat(61), 'mp4')).toBeNull();
  });
  it('adds the extension once and numbers clashes', () => {
    expect(baseFilename(null, 'Example GIF', 'gif')).toBe('example-gif');
    expect(baseFilename('clip.GIF', 'x', 'gif')).toBe('clip');
    expect(baseFilename('clip.mp4', 'x', 'gif')).toBe('clip.mp4');
    expect(numberedFilename('clip', 'gif', 0)).toBe('clip.gif');
    expect(numberedFilename('clip', 'gif', 2)).toBe('clip-2.gif');
  });
});

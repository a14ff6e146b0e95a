import { describe, expect, it } from 'vitest';
import { baseFilename, filenameProblem, numberedFilename, slugify } from './filename.js';

describe('filenames', () => {
  it('slugs asset names', () => {
    expect(slugify('Example GIF')).toBe('example-gif');
    expect(slugify('  Crème Brûlée — Goal! ')).toBe('creme-brulee-goal');
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('***')).toBe('asset');
  });
  it('refuses unsafe filenames', () => {
    expect(filenameProblem('goal')).toBeNull();
    expect(filenameProblem('goal 1 (final)')).toBeNull();
    for (const bad of ['', 'a/b', 'a\\b', '..', 'x..y', '.hidden', 'nul\u0000', 'tab\tname', 'x'.repeat(201)]) {
      expect(filenameProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
  });
  it('adds the extension once and numbers clashes', () => {
    expect(baseFilename(null, 'Example GIF', 'gif')).toBe('example-gif');
    expect(baseFilename('clip.GIF', 'x', 'gif')).toBe('clip');
    expect(baseFilename('clip.mp4', 'x', 'gif')).toBe('clip.mp4');
    expect(numberedFilename('clip', 'gif', 0)).toBe('clip.gif');
    expect(numberedFilename('clip', 'gif', 2)).toBe('clip-2.gif');
  });
});

import { describe, expect, it } from 'vitest';
import { concatListText } from './concat-list.js';

describe('concatListText', () => {
  it('lists the pieces by plain name, relative to the list', () => {
    expect(concatListText(['head.mp4', 'middle.mp4', 'tail.mp4'])).toBe("ffconcat version 1.0\nfile 'head.mp4'\nfile 'middle.mp4'\nfile 'tail.mp4'\n");
  });
  it('refuses paths, quotes, hidden names and an empty list', () => {
    for (const bad of ['../x.mp4', '/tmp/x.mp4', "it's.mp4", '.hidden', 'a b.mp4', 'x\nfile /etc/passwd']) {
      expect(() => concatListText([bad]), bad).toThrow(TypeError);
    }
    expect(() => concatListText([])).toThrow(TypeError);
  });
});

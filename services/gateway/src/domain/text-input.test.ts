import { describe, expect, it } from 'vitest';
import { textProblem, utf8Length } from './text-input.js';

describe('the text input rule', () => {
  it('accepts ordinary text in any script', () => {
    for (const ok of ['Goal!', 'Crème brûlée', '東京 ゴール', 'emoji 😀', '', 'a\u00a0b' /* NBSP is not a control */]) {
      expect(textProblem(ok), JSON.stringify(ok)).toBeNull();
    }
  });
  it('refuses C0 (NUL included), DEL and C1 control characters', () => {
    for (const bad of ['\u0000', 'a\u0000b', '\u0001', '\u001b[31m', '\u007f', '\u0080', '\u0085', '\u009f', 'tab\t', 'line\n', 'cr\r']) {
      expect(textProblem(bad), JSON.stringify(bad)).toBe('a control character');
    }
  });
  it('allows tab and line breaks only in multi-line fields', () => {
    expect(textProblem('a\tb\nc\r\n', { multiline: true })).toBeNull();
    for (const bad of ['\u0000', '\u000b', '\u000c', '\u007f', '\u0085']) {
      expect(textProblem(bad, { multiline: true }), JSON.stringify(bad)).toBe('a control character');
    }
  });
  it('refuses lone surrogates, which UTF-8 cannot carry', () => {
    expect(textProblem('a\ud800')).toBe('text that is not valid Unicode');
    expect(textProblem('\udc00x', { multiline: true })).toBe('text that is not valid Unicode');
  });
  it('measures UTF-8 bytes', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('東')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import { gifOutputSize } from './gif-output-size.js';

const hd = { width: 1920, height: 1080 };

describe('gifOutputSize', () => {
  it('caps the source width to the default when nothing is asked, never enlarging', () => {
    expect(gifOutputSize(hd, { width: null, height: null }, 480)).toEqual({ width: 480, height: 270 });
    expect(gifOutputSize({ width: 320, height: 180 }, { width: null, height: null }, 480)).toEqual({ width: 320, height: 180 });
    expect(gifOutputSize({ width: 1080, height: 1920 }, { width: null, height: null }, 480)).toEqual({ width: 480, height: 853 });
  });
  it('keeps the aspect with one side given, rounding to the nearest pixel (odd allowed)', () => {
    expect(gifOutputSize(hd, { width: 301, height: null }, 480)).toEqual({ width: 301, height: 169 }); // 169.3
    expect(gifOutputSize({ width: 320, height: 180 }, { width: 100, height: null }, 480)).toEqual({ width: 100, height: 56 }); // 56.25
    expect(gifOutputSize({ width: 320, height: 180 }, { width: 200, height: null }, 480)).toEqual({ width: 200, height: 113 }); // 112.5, as ffmpeg's -1
    expect(gifOutputSize({ width: 320, height: 180 }, { width: null, height: 99 }, 480)).toEqual({ width: 176, height: 99 });
    expect(gifOutputSize({ width: 300, height: 200 }, { width: 3, height: null }, 480)).toEqual({ width: 3, height: 2 }); // 2.0
    expect(gifOutputSize({ width: 320, height: 180 }, { width: 2, height: null }, 480)).toEqual({ width: 2, height: 1 });
  });
  it('takes both sides as given', () => {
    expect(gifOutputSize(hd, { width: 200, height: 200 }, 480)).toEqual({ width: 200, height: 200 });
  });
});

import { describe, expect, it } from 'vitest';
import { copyDecodeWindows } from './verify-clip.js';

const packets = (n: number, gop: number) => Array.from({ length: n }, (_, i) => ({ pts: 0.08 + i * 0.04, dts: null, key: i % gop === 0 }));

describe('copyDecodeWindows', () => {
  it('decodes the first frames and the last GOP of a copy', () => {
    expect(copyDecodeWindows(packets(120, 50))).toEqual([
      { at: 0, from: null, frames: 4, expected: 4 },
      { at: 100, from: 0.08 + 100 * 0.04, frames: null, expected: 20 },
    ]);
  });
  it('decodes a single GOP whole', () => {
    expect(copyDecodeWindows(packets(30, 50))).toEqual([{ at: 0, from: null, frames: null, expected: 30 }]);
  });
});

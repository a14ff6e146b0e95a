import { describe, expect, it } from 'vitest';
import { frameLuma } from '../stack/demo-media.js';
import { frameNumber } from './frame-marks.js';

describe('frameNumber', () => {
  it('reads a frame measured a few levels off as the expected one, not the frame 31 away', () => {
    // Frame 12 is level 100, frame 43 level 97: a JPEG of frame 12 measured at 97.8.
    expect(frameLuma(43)).toBe(frameLuma(12) - 3);
    expect(frameNumber(97.8, 12)).toBe(12);
  });
  it('still reads a wrong frame as itself when its level is beyond the tolerance', () => {
    expect(frameNumber(frameLuma(43), 12)).toBe(43);
    expect(frameNumber(frameLuma(13), 12)).toBe(13);
    expect(frameNumber(frameLuma(11) + 1, 12)).toBe(11);
  });
  it('lets the level decide with a small penalty (a guessed position)', () => {
    expect(frameNumber(frameLuma(43), 0, 2.5, 0.002)).toBe(43);
  });
});

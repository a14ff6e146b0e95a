import { describe, expect, it } from 'vitest';
import { checkClipCoverage, type ClipCoverage } from './clip-coverage.js';

const times = (n: number, from = 0, step = 0.04) => Array.from({ length: n }, (_, i) => from + i * step);

describe('checkClipCoverage', () => {
  // 3.13 .. 7.41 s at 25 fps, exact: frames 79 (3.16 s) .. 185, 107 frames.
  const exact: ClipCoverage = { times: times(107), frameSeconds: 0.04, start: 3.13, end: 7.41, firstFrame: 3.16, clockStart: 0, exactCount: 107 };
  // A copy from the keyframe at 2 s to 3.5 s, B-frames: the clock starts two frames late and
  // the last P-frame runs past the end (measured on ffmpeg 5.1).
  const copy: ClipCoverage = { times: [...times(39, 0.08), 1.76], frameSeconds: 0.04, start: 2.5, end: 3.5, firstFrame: 2, clockStart: 0, exactCount: null };

  it('accepts exact clips, copies with a B-frame lead and tail, and source clocks (copyTs)', () => {
    expect(checkClipCoverage(exact)).toBeNull();
    expect(checkClipCoverage({ ...exact, times: [...exact.times].reverse() })).toBeNull();
    expect(checkClipCoverage(copy)).toBeNull();
    expect(checkClipCoverage({ ...copy, times: copy.times.map((t) => t + 1.92), clockStart: 2 })).toBeNull();
    // No stated rate: the clip's own frame gaps stand in.
    expect(checkClipCoverage({ ...exact, frameSeconds: null })).toBeNull();
  });

  it('names a source that ends before the requested end: a truncated file, a still image', () => {
    // A keyframe copy of 0..2 s from a file cut at 0.92 s.
    expect(checkClipCoverage({ ...copy, times: times(23), start: 0, end: 2, firstFrame: 0 })).toBe(
      "the source's video ends at 0.920 s, before the requested end 2.000 s",
    );
    expect(checkClipCoverage({ ...exact, times: times(23), start: 0, end: 2, firstFrame: 0, exactCount: 23 })).toBe(
      "the source's video ends at 0.920 s, before the requested end 2.000 s",
    );
    expect(checkClipCoverage({ ...copy, times: [0], start: 0, end: 2, firstFrame: 0 })).toBe(
      'the source holds a single picture (a still image?), not video up to the requested end 2.000 s',
    );
    expect(checkClipCoverage({ ...copy, times: [], start: 0, end: 2, firstFrame: 0 })).toBe('the clip has no video frames');
  });

  it('variable rate: the start may lie anywhere in the listed frame before the first one, not just 1/fps', () => {
    // x264-vfr, 1.13 s: 40 ms frames at 1.12 and 1.16 under a nominal 50 fps; the clip starts at 1.16.
    const vfr: ClipCoverage = { ...exact, times: times(60, 0, 0.02), frameSeconds: null, start: 1.13, end: 2.33, firstFrame: 1.16, exactCount: 60 };
    expect(checkClipCoverage({ ...vfr, startGap: 0.04 })).toBeNull();
    // Without the listed gap the clip's own 20 ms frames make the 30 ms lateness look like a missing frame.
    expect(checkClipCoverage(vfr)).toBe('the source has no frame at 1.130 s: the clip would start at 1.160 s');
    // The gap is still a limit.
    expect(checkClipCoverage({ ...vfr, firstFrame: 1.2, startGap: 0.04 })).toBe('the source has no frame at 1.130 s: the clip would start at 1.200 s');
  });

  it('refuses a wrong start, a wrong count, and a copy with far more than the request', () => {
    expect(checkClipCoverage({ ...exact, times: times(107, 1) })).toBe("the clip's first frame is at 1.000 s on its clock, expected 0.000 s");
    expect(checkClipCoverage({ ...exact, firstFrame: 3.4 })).toBe('the source has no frame at 3.130 s: the clip would start at 3.400 s');
    expect(checkClipCoverage({ ...copy, firstFrame: 2.6 })).toBe('the source has no keyframe at 2.500 s: the clip would start at 2.600 s');
    expect(checkClipCoverage({ ...exact, times: times(108), exactCount: 107 })).toBe('the clip has 108 video frames, expected 107');
    // Two GOPs of lead-in copied in front.
    expect(checkClipCoverage({ ...copy, times: times(139) })).toBe('the clip has 139 video frames, more than the 54 from 2.000 s to the requested end 3.500 s');
    expect(checkClipCoverage({ ...copy, times: [0, Number.NaN] })).toBe('the clip has video frames without timestamps');
  });
});

import { describe, expect, it } from 'vitest';
import type { Limits } from '../config.js';
import { clipSpanProblem, gifLimitProblem } from './media-limits.js';

// Only the fields the GIF check reads matter; the rest are set to values it must not use.
const LIMITS: Limits = {
  maxClipSeconds: 600,
  maxGifSeconds: 30,
  maxOutputDimension: 1920,
  defaultGifMaxWidth: 480,
  minFps: 1,
  maxFps: 50,
  maxSourcePixels: 8192 * 8192,
  maxBodyBytes: 1 << 20,
  processTimeoutMs: 60_000,
  smartCutMinCopiedPixels: 0,
};
const MAX_FRAMES = 30 * 50;

const plan = (endSeconds: number, fps = 50, playbackSpeed = 1) => ({ startSeconds: 0, endSeconds, fps, playbackSpeed, sourceFps: 25 });
const ANY_SIZE = { width: null, height: null };

describe('clipSpanProblem', () => {
  it('refuses an empty, negative or unknown span, blaming clip.end', () => {
    for (const span of [0, -1, Number.NaN]) {
      expect(clipSpanProblem(span, 60)).toMatchObject({ field: 'clip.end', message: 'clip.end must be after clip.start' });
    }
  });

  it('accepts exactly the maximum and refuses anything longer, with the maximum in the details', () => {
    expect(clipSpanProblem(60, 60)).toBeNull();
    expect(clipSpanProblem(1e-6, 60)).toBeNull();
    expect(clipSpanProblem(60 + 1e-9, 60)).toEqual({ message: 'a clip may be at most 60 seconds long', field: 'clip.end', details: { maxSeconds: 60 } });
  });
});

describe('gifLimitProblem: the frame cap', () => {
  it('accepts exactly maxGifSeconds × maxFps frames and refuses one more, blaming playbackSpeed', () => {
    expect(gifLimitProblem(LIMITS, plan(30), null, ANY_SIZE)).toBeNull();
    // 30.01 s at 50 fps rounds to 1501 frames.
    const over = gifLimitProblem(LIMITS, plan(30.01), null, ANY_SIZE);
    expect(over).toMatchObject({ field: 'playbackSpeed', details: { maxFrames: MAX_FRAMES } });
    expect(over?.message).toContain('1501 frames');
  });

  it('counts slow motion: a short clip at a low speed can exceed the cap', () => {
    expect(gifLimitProblem(LIMITS, plan(10, 50, 0.5), null, ANY_SIZE)).toBeNull(); // 1000 frames
    expect(gifLimitProblem(LIMITS, plan(20, 50, 0.5), null, ANY_SIZE)).toMatchObject({ field: 'playbackSpeed' }); // 2000
    // A still is one frame whatever the span.
    expect(gifLimitProblem(LIMITS, plan(300, 50, 0), null, ANY_SIZE)).toBeNull();
  });
});

describe('gifLimitProblem: the size cap', () => {
  const square = { width: 4000, height: 4000 };

  it('skips the size check while the source size is unknown', () => {
    expect(gifLimitProblem(LIMITS, plan(1), null, { width: 5000, height: null })).toBeNull();
  });

  it('accepts exactly maxOutputDimension per side and refuses one pixel more', () => {
    expect(gifLimitProblem(LIMITS, plan(1), square, { width: 1920, height: null })).toBeNull();
    expect(gifLimitProblem(LIMITS, plan(1), square, { width: 1921, height: null })).toMatchObject({ field: 'width' });
    expect(gifLimitProblem(LIMITS, plan(1), square, { width: null, height: 1921 })).toMatchObject({ field: 'height' });
  });

  it('blames the given width when the derived height is the side over the limit', () => {
    // 100 wide → 2000 high on a 1:20 source.
    const problem = gifLimitProblem(LIMITS, plan(1), { width: 50, height: 1000 }, { width: 100, height: null });
    expect(problem).toMatchObject({ field: 'width' });
    expect(problem?.message).toContain('100x2000');
  });

  it('blames height when no width was given, also for a tall source at its default size', () => {
    expect(gifLimitProblem(LIMITS, plan(1), { width: 1000, height: 50 }, { width: null, height: 100 })).toMatchObject({ field: 'height' });
    expect(gifLimitProblem(LIMITS, plan(1), { width: 100, height: 2000 }, ANY_SIZE)).toMatchObject({ field: 'height' });
    // A wide source is shrunk to defaultGifMaxWidth and passes.
    expect(gifLimitProblem(LIMITS, plan(1), { width: 8000, height: 100 }, ANY_SIZE)).toBeNull();
  });

  it('checks the frame cap before the size', () => {
    expect(gifLimitProblem(LIMITS, plan(60), square, { width: 5000, height: null })).toMatchObject({ field: 'playbackSpeed' });
  });
});

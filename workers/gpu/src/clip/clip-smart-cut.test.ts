import { describe, expect, it } from 'vitest';
import { clipFrameSpan, planSmartCut, smartCutBlocker, smartCutPaysOff } from './clip-smart-cut.js';

const gop50 = [0, 2, 4, 6, 8, 10]; // keyframes every 50 frames at 25 fps

describe('clipFrameSpan', () => {
  it('rounds the start up to the next frame and ends before the end time', () => {
    // docs/media.md: 03:00.250 → 04:00.750 at 30 fps is frames 5408..7222, 1815 frames.
    expect(clipFrameSpan(30, 180.25, 240.75)).toEqual({ first: 5408, count: 1815 });
    expect(clipFrameSpan(25, 3.13, 7.41)).toEqual({ first: 79, count: 107 });
    // A time on a frame: that frame starts the clip, and an end on a frame excludes it.
    expect(clipFrameSpan(25, 4, 6)).toEqual({ first: 100, count: 50 });
    expect(clipFrameSpan(30000 / 1001, 1.001, 2.002)).toEqual({ first: 30, count: 30 });
    expect(clipFrameSpan(25, 3.13, 3.15)).toEqual({ first: 79, count: 0 });
  });
});

describe('planSmartCut', () => {
  it('re-encodes the partial GOP at each edge and copies the whole GOPs between', () => {
    expect(planSmartCut(gop50, 25, 3.13, 7.41)).toEqual({
      kind: 'smart-cut',
      clip: { first: 79, count: 107 },
      head: { first: 79, count: 21 },
      middle: { first: 100, count: 50 },
      tail: { first: 150, count: 36 },
    });
  });
  it('has no head when the clip starts on a keyframe, and no tail when it ends right before one', () => {
    expect(planSmartCut(gop50, 25, 2, 6)).toEqual({ kind: 'smart-cut', clip: { first: 50, count: 100 }, head: null, middle: { first: 50, count: 100 }, tail: null });
    expect(planSmartCut(gop50, 25, 1.5, 8.01)).toMatchObject({ head: { first: 38, count: 12 }, middle: { first: 50, count: 150 }, tail: { first: 200, count: 1 } });
  });
  it('re-encodes in full when no whole GOP lies inside the clip', () => {
    expect(planSmartCut(gop50, 25, 2.5, 3.5)).toEqual({ kind: 'full-reencode', clip: { first: 63, count: 25 }, reason: 'the clip holds no whole GOP to copy' });
    expect(planSmartCut(gop50, 25, 3.13, 4.5)).toMatchObject({ kind: 'full-reencode', reason: 'the clip holds no whole GOP to copy' });
    expect(planSmartCut([], 25, 0, 5)).toMatchObject({ kind: 'full-reencode' });
    expect(planSmartCut(gop50, 25, 3.13, 3.15)).toMatchObject({ kind: 'full-reencode', reason: 'the clip holds no frame' });
  });
});

describe('smartCutPaysOff', () => {
  it('compares the copied pixels with the threshold', () => {
    const plan = planSmartCut(gop50, 25, 3.13, 7.41);
    if (plan.kind !== 'smart-cut') throw new Error('expected a smart cut');
    expect(smartCutPaysOff(plan, 320 * 180, 0)).toBe(true);
    expect(smartCutPaysOff(plan, 320 * 180, 150e6)).toBe(false); // 50 copied frames of 57,600 pixels
    expect(smartCutPaysOff(plan, 1920 * 1080, 100e6)).toBe(true);
  });
});

describe('planSmartCut with open GOPs', () => {
  const gop25 = [0, 1, 2, 3, 4, 5];
  it('copies one GOP, ending before the next keyframe’s leading pictures', () => {
    const leading = new Map([[25, 4], [50, 4], [75, 4]]);
    expect(planSmartCut(gop25, 25, 1.13, 3.41, leading)).toEqual({
      kind: 'smart-cut',
      clip: { first: 29, count: 57 },
      head: { first: 29, count: 21 },
      middle: { first: 50, count: 21 },
      tail: { first: 71, count: 15 },
    });
  });
  it('ends the copy before leading pictures even when the clip ends at that keyframe', () => {
    expect(planSmartCut(gop25, 25, 0.5, 2, new Map([[50, 3]]))).toMatchObject({ middle: { first: 25, count: 22 }, tail: { first: 47, count: 3 } });
  });
  it('refuses to copy more than one open GOP', () => {
    expect(planSmartCut(gop25, 25, 0.5, 3.5, new Map([[25, 4]]))).toMatchObject({ kind: 'full-reencode', reason: /one GOP at most/ });
  });
  it('is the closed-GOP plan when no keyframe has leading pictures', () => {
    expect(planSmartCut(gop25, 25, 0.5, 3.5, new Map([[25, 0]]))).toEqual(planSmartCut(gop25, 25, 0.5, 3.5));
  });
});

describe('smartCutBlocker', () => {
  const ok = { codec: 'h264', videoTracks: 1, onGrid: true, openGop: false };
  it('allows one constant-rate closed-GOP H.264 track', () => {
    expect(smartCutBlocker(ok)).toBeNull();
  });
  it('names each case that joins unsafely', () => {
    expect(smartCutBlocker({ ...ok, videoTracks: 2 })).toMatch(/2 video tracks/);
    expect(smartCutBlocker({ ...ok, codec: 'mpeg2video' })).toMatch(/codec is mpeg2video/);
    expect(smartCutBlocker({ ...ok, onGrid: false })).toMatch(/variable or unknown/);
    expect(smartCutBlocker({ ...ok, openGop: true })).toMatch(/open GOPs/);
  });
  it('allows HEVC, open GOPs included (its leading pictures are marked and dropped)', () => {
    expect(smartCutBlocker({ ...ok, codec: 'hevc' })).toBeNull();
    expect(smartCutBlocker({ ...ok, codec: 'hevc', openGop: true })).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { frameOnScreen, inputStartArgs, justBefore, keyframeAtOrBefore, onInputClock, planInputStart, requestTime, seeksByIndex, signedMicros, sourceTime } from './source-clock.js';

describe('sourceTime', () => {
  it('counts request times from the first displayed frame, whatever the clock', () => {
    expect(sourceTime(3600, 0.51)).toBeCloseTo(3600.51, 9);
    expect(sourceTime(-0.817689, 2.191)).toBeCloseTo(1.373311, 9); // MPEG-TS wrap: ffmpeg's corrected clock starts negative
    expect(requestTime(3600, sourceTime(3600, 1.13))).toBeCloseTo(1.13, 9);
  });
});

describe('seeksByIndex', () => {
  it('MP4/MOV and Matroska seek by their index; MPEG-TS, HLS and others do not', () => {
    expect(seeksByIndex('mov,mp4,m4a,3gp,3g2,mj2')).toBe(true);
    expect(seeksByIndex('matroska,webm')).toBe(true);
    expect(seeksByIndex('mpegts')).toBe(false);
    expect(seeksByIndex('hls')).toBe(false);
    expect(seeksByIndex('')).toBe(false);
  });
});

describe('planInputStart', () => {
  const ts = { formatName: 'mpegts', containerStart: 3600 };
  it('an indexed container seeks to the target itself', () => {
    expect(planInputStart({ formatName: 'mov,mp4,m4a,3gp,3g2,mj2', containerStart: 0, target: 4.98, keyframe: null })).toEqual({ seek: 4.98, zero: 4.98 });
  });
  it('MPEG-TS/HLS seek to the DTS of the keyframe before the target (the demuxer lands on the first packet with DTS >= seek)', () => {
    expect(planInputStart({ ...ts, target: 3602.14, keyframe: { pts: 3602, dts: 3601.92 } })).toEqual({ seek: 3601.92, zero: 3601.92 });
    // Rounded down to the microsecond, never past the DTS.
    expect(planInputStart({ ...ts, target: 3602.5, keyframe: { pts: 3602.0000005, dts: 3601.9200009 } }).seek).toBe(3601.92);
  });
  it('the first GOP, or no listed keyframe, reads from the beginning on the container clock', () => {
    expect(planInputStart({ ...ts, target: 3600.46, keyframe: { pts: 3600, dts: 3599.92 } })).toEqual({ seek: null, zero: 3600 });
    expect(planInputStart({ ...ts, target: 3600.46, keyframe: null })).toEqual({ seek: null, zero: 3600 });
  });
  it('works on a negative clock (wrap correction)', () => {
    expect(planInputStart({ formatName: 'mpegts', containerStart: -0.817689, target: 1.34, keyframe: { pts: 1.182311, dts: 1.102311 } })).toEqual({ seek: 1.102311, zero: 1.102311 });
  });
});

describe('inputStartArgs / onInputClock / signedMicros', () => {
  it('seeks on the source clock, or not at all', () => {
    expect(inputStartArgs({ seek: 3601.92, zero: 3601.92 })).toEqual(['-seek_timestamp', '1', '-ss', '3601.920000']);
    expect(inputStartArgs({ seek: null, zero: 3600 })).toEqual([]);
    expect(onInputClock({ seek: null, zero: 3600 }, 3600.46)).toBeCloseTo(0.46, 9);
  });
  it('prints negative times with their sign', () => {
    expect(signedMicros(-0.817689)).toBe('-0.817689');
    expect(signedMicros(-1.5)).toBe('-1.500000');
    expect(signedMicros(3.16)).toBe('3.160000');
  });
});

describe('frameOnScreen', () => {
  // x264-vfr: 40 ms frames, then 20 ms frames from 2 s.
  const frames = [0, 0.04, 0.08, 1.96, 2.0, 2.02, 2.04];
  it('is the last frame at or before t, with the one before it', () => {
    expect(frameOnScreen(frames, 0.05)).toEqual({ pts: 0.04, previous: 0 });
    expect(frameOnScreen(frames, 2.03)).toEqual({ pts: 2.02, previous: 2.0 });
    expect(frameOnScreen(frames, 2.02)).toEqual({ pts: 2.02, previous: 2.0 });
    expect(frameOnScreen(frames, 0)).toEqual({ pts: 0, previous: null });
    expect(frameOnScreen(frames, -0.01)).toBeNull();
  });
  it('justBefore lies inside the gap before the frame, at most half a nominal frame back', () => {
    expect(justBefore({ pts: 2.02, previous: 2.0 }, 0.04)).toBeCloseTo(2.01, 9);
    expect(justBefore({ pts: 0.08, previous: 0.04 }, 0.02)).toBeCloseTo(0.07, 9);
    expect(justBefore({ pts: 0, previous: null }, 0.04)).toBeCloseTo(-0.02, 9);
  });
});

describe('keyframeAtOrBefore', () => {
  it('finds the keyframe that opens the GOP holding t, with its DTS', () => {
    const keys = [{ pts: 3600, dts: 3599.92 }, { pts: 3602, dts: 3601.92 }];
    expect(keyframeAtOrBefore(keys, 3602.14)).toEqual({ pts: 3602, dts: 3601.92 });
    expect(keyframeAtOrBefore(keys, 3601.99)).toEqual({ pts: 3600, dts: 3599.92 });
    expect(keyframeAtOrBefore(keys, 3599)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { FFMPEG_FMP4, FFMPEG_LIVE, media } from './fixtures/hls-playlists.js';
import { parseHlsPlaylist } from './hls-playlist.js';
import { containerLabel, copyStart, decodeStart, frameOnScreen, inputStartArgs, justBefore, keyframeAtOrBefore, microsCeil, microsFloor, onInputClock, parseTimeBase, requestTime, seeksByIndex, seekStartsAtOrBefore, signedMicros, windowStart, sourceTime, withSeekFallback } from './source-clock.js';

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

describe('containerLabel', () => {
  it('names the demuxer by its first word', () => {
    expect(containerLabel('mov,mp4,m4a,3gp,3g2,mj2')).toBe('mov');
    expect(containerLabel('hls')).toBe('hls');
    expect(containerLabel('')).toBe('unknown');
  });
});

describe('seekStartsAtOrBefore', () => {
  it('indexed containers and HLS with MPEG-TS segments; not fMP4 segments, bare MPEG-TS or a playlist-less HLS', () => {
    const ts = media(parseHlsPlaylist(FFMPEG_LIVE));
    const fmp4 = media(parseHlsPlaylist(FFMPEG_FMP4));
    expect(seekStartsAtOrBefore('mov,mp4,m4a,3gp,3g2,mj2', null)).toBe(true);
    expect(seekStartsAtOrBefore('matroska,webm', null)).toBe(true);
    expect(seekStartsAtOrBefore('hls', ts)).toBe(true);
    expect(seekStartsAtOrBefore('hls', fmp4)).toBe(false);
    expect(seekStartsAtOrBefore('hls', null)).toBe(false);
    expect(seekStartsAtOrBefore('mpegts', null)).toBe(false);
    expect(seekStartsAtOrBefore('mpegts', ts)).toBe(false);
  });
});

describe('windowStart', () => {
  it('seeks to the window, except inside an HLS playlist\'s first segment, which is read from the beginning', () => {
    expect(windowStart(3601.45, 3600, 2)).toEqual({ seek: null, zero: 3600 });
    expect(windowStart(3602.01, 3600, 2)).toEqual({ seek: 3602.01, zero: 3602.01 });
    expect(windowStart(0.45, 0, null)).toEqual({ seek: 0.45, zero: 0.45 });
    expect(windowStart(-0.79, -0.817689, 2)).toEqual({ seek: null, zero: -0.817689 });
  });
});

describe('decodeStart / copyStart', () => {
  const ts = { formatName: 'mpegts', containerStart: 3600 };
  const mp4 = { formatName: 'mov,mp4,m4a,3gp,3g2,mj2', containerStart: 0 };
  it('an indexed container seeks to the target itself, rounded down to the microsecond', () => {
    expect(decodeStart(mp4, 4.98, null)).toEqual({ seek: 4.98, zero: 4.98 });
    expect(decodeStart(mp4, 0.0555555, { pts: 0, dts: null }).seek).toBe(0.055555);
  });
  it('an indexed container seeks to the keyframe when told to (open GOPs: its seek goes by decode time)', () => {
    expect(decodeStart(mp4, 4.98, { pts: 4.0000004, dts: 3.9 }, { fromKeyframe: true })).toEqual({ seek: 4, zero: 4 });
    expect(decodeStart(mp4, 4.98, null, { fromKeyframe: true }).seek).toBe(4.98);
  });
  it('a copy from an indexed container seeks to the keyframe rounded up, so the backward seek lands on it', () => {
    expect(copyStart(mp4, { pts: 1.0111111, dts: 0.9 })).toEqual({ seek: 1.011112, zero: 1.011112 });
    expect(copyStart(mp4, { pts: 2, dts: null }).seek).toBe(2);
  });
  it('MPEG-TS/HLS seek to the DTS of the keyframe before the target (the demuxer lands on the first packet with DTS >= seek)', () => {
    expect(decodeStart(ts, 3602.14, { pts: 3602, dts: 3601.92 })).toEqual({ seek: 3601.92, zero: 3601.92 });
    expect(copyStart(ts, { pts: 3602, dts: 3601.92 })).toEqual({ seek: 3601.92, zero: 3601.92 });
    // Rounded down to the microsecond, never past the DTS.
    expect(decodeStart(ts, 3602.5, { pts: 3602.0000005, dts: 3601.9200009 }).seek).toBe(3601.92);
  });
  it('the first GOP, or no listed keyframe, reads from the beginning on the container clock', () => {
    expect(decodeStart(ts, 3600.46, { pts: 3600, dts: 3599.92 })).toEqual({ seek: null, zero: 3600 });
    expect(copyStart(ts, { pts: 3600, dts: 3599.92 })).toEqual({ seek: null, zero: 3600 });
    expect(decodeStart(ts, 3600.46, null)).toEqual({ seek: null, zero: 3600 });
  });
  it('works on a negative clock (wrap correction)', () => {
    expect(decodeStart({ formatName: 'mpegts', containerStart: -0.817689 }, 1.34, { pts: 1.182311, dts: 1.102311 })).toEqual({ seek: 1.102311, zero: 1.102311 });
  });
  it('microsFloor / microsCeil round to ffmpeg microseconds, tolerating printed times', () => {
    expect(microsFloor(1.0000019)).toBe(1.000001);
    expect(microsCeil(1.0000011)).toBe(1.000002);
    expect(microsFloor(-0.8176891)).toBe(-0.817690);
    expect(microsCeil(3601.92)).toBe(3601.92);
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

describe('withSeekFallback', () => {
  const seek = { seek: 12, zero: 12 };
  it('reads again from the beginning only when a seek gave nothing', async () => {
    const calls: [number | null, boolean][] = [];
    const make = async (from: { seek: number | null }, fallback: boolean) => {
      calls.push([from.seek, fallback]);
      return fallback ? [1] : [];
    };
    expect(await withSeekFallback(seek, 3600, make, (r) => r.length === 0)).toEqual([1]);
    expect(calls).toEqual([[12, false], [null, true]]);
  });
  it('keeps what the seek gave, and has nothing to fall back to without a seek', async () => {
    expect(await withSeekFallback(seek, 0, async () => [7], (r) => r.length === 0)).toEqual([7]);
    let runs = 0;
    const nothing = async () => {
      runs++;
      return [] as number[];
    };
    expect(await withSeekFallback({ seek: null, zero: 0 }, 0, nothing, (r) => r.length === 0)).toEqual([]);
    expect(runs).toBe(1);
  });
});

describe('parseTimeBase', () => {
  it('reads 1/N time bases as a timescale and refuses anything else', () => {
    expect(parseTimeBase('1/90000')).toBe(90000);
    expect(parseTimeBase('1/0')).toBeNull();
    expect(parseTimeBase('2/25')).toBeNull();
    expect(parseTimeBase('1/100000000')).toBeNull();
    expect(parseTimeBase(undefined)).toBeNull();
  });
});

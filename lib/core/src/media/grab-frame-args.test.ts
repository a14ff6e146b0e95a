import { describe, expect, it } from 'vitest';
import { grabFrameArgs, grabSeekSeconds, grabWindowSeconds, pickFilter } from './grab-frame-args.js';

describe('grabSeekSeconds', () => {
  it('aims half a frame before the displayed frame', () => {
    expect(grabSeekSeconds(5, 25)).toBeCloseTo(4.98, 6); // frame 125
    expect(grabSeekSeconds(5.039, 25)).toBeCloseTo(4.98, 6); // still frame 125 on screen
    expect(grabSeekSeconds(5.04, 25)).toBeCloseTo(5.02, 6); // frame 126
    expect(grabSeekSeconds(451.5, 30)).toBeCloseTo((13545 - 0.5) / 30, 6);
  });
  it('never seeks before zero and keeps the time for unknown rates', () => {
    expect(grabSeekSeconds(0, 30)).toBe(0);
    expect(grabSeekSeconds(1.234, null)).toBe(1.234);
  });
});

describe('pickFilter', () => {
  it('window: keeps frames up to the time, within one tick of the time base, and the last of them first', () => {
    // Matroska's 1/1000: a frame exactly at 0.510 s is kept, one at 0.511 s is not.
    expect(pickFilter({ seek: 0.48, zero: 0.48 }, { kind: 'window', until: 0.51, timescale: 1000 })).toBe('trim=end=0.030990,reverse');
    // MP4 at 1/16000: a microsecond or half a tick rounds to the time itself and drops a frame on it (measured).
    expect(pickFilter({ seek: 0, zero: 0 }, { kind: 'window', until: 0, timescale: 16000 })).toBe('trim=end=0.000062,reverse');
    expect(pickFilter({ seek: 1, zero: 1 }, { kind: 'window', until: 1.04, timescale: null })).toBe('trim=end=0.040001,reverse');
  });
  it('from: trims up to the picked frame on the clock that starts at the input start', () => {
    expect(pickFilter({ seek: 3601.92, zero: 3601.92 }, { kind: 'from', at: 3602.14 })).toBe('trim=start=0.220000');
    expect(pickFilter({ seek: null, zero: 3600 }, { kind: 'from', at: 3600.46 })).toBe('trim=start=0.460000');
    // The input seek went to the frame itself: nothing to trim.
    expect(pickFilter({ seek: 4.98, zero: 4.98 }, { kind: 'from', at: 4.98 })).toBeNull();
  });
});

describe('grabFrameArgs', () => {
  it('indexed container: seeks a window before the time and writes its last frame as an uncompressed TIFF', () => {
    const t = 5;
    const from = t - grabWindowSeconds(25);
    const args = grabFrameArgs({ input: '/s/vod.mp4', inputOptions: ['-protocol_whitelist', 'file'], start: { seek: from, zero: from }, pick: { kind: 'window', until: t, timescale: 12800 }, output: '/dev/shm/f/frame.tif' });
    expect(args.flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -protocol_whitelist file -seek_timestamp 1 -ss 4.940000 -i /s/vod.mp4 ' +
        '-map 0:v:0 -vf trim=end=0.060077,reverse -fps_mode passthrough -frames:v 1 -an -sn -dn -pix_fmt rgb24 -c:v tiff -compression_algo raw -f image2 -update 1 -y /dev/shm/f/frame.tif',
    );
  });
  it('MPEG-TS at 3600 s: seeks to the keyframe DTS on the source clock and trims to the frame', () => {
    const args = grabFrameArgs({ input: 'in.ts', inputOptions: [], start: { seek: 3601.92, zero: 3601.92 }, pick: { kind: 'from', at: 3602.14 }, output: 'f.tif' });
    expect(args.flat().join(' ')).toContain('-seek_timestamp 1 -ss 3601.920000 -i in.ts -map 0:v:0 -vf trim=start=0.220000 ');
  });
  it('first GOP: no seek at all (HLS refuses one before its first packet)', () => {
    const args = grabFrameArgs({ input: 'in.m3u8', inputOptions: ['-f', 'hls'], start: { seek: null, zero: 3600 }, pick: { kind: 'from', at: 3600.46 }, output: 'f.tif' });
    expect(args[1]).toEqual(['-f', 'hls', '-i', 'in.m3u8']);
    expect(args.flat().join(' ')).not.toContain('-ss');
  });
  it('negative times (33-bit wrap correction) keep their sign', () => {
    const args = grabFrameArgs({ input: 'w.ts', inputOptions: [], start: { seek: -0.6, zero: -0.6 }, pick: { kind: 'from', at: -0.3 }, output: 'f.tif' });
    expect(args.flat().join(' ')).toContain('-ss -0.600000 -i w.ts -map 0:v:0 -vf trim=start=0.300000');
  });
});

import { describe, expect, it } from 'vitest';
import { gifFramePlan, gifFramesArgs } from './gif-frames-args.js';

const base = { startSeconds: 2, endSeconds: 8, fps: 18, playbackSpeed: 1, sourceFps: 25 };

describe('gifFramePlan', () => {
  it('takes round(clip × fps / speed) frames, sampled at fps / speed', () => {
    expect(gifFramePlan(base)).toEqual({ frameCount: 108, seekSeconds: 1.98, leadSeconds: 0, sampleRate: { num: 18, den: 1 } });
    expect(gifFramePlan({ ...base, fps: 10 }).frameCount).toBe(60);
    expect(gifFramePlan({ ...base, playbackSpeed: 2 })).toMatchObject({ frameCount: 54, sampleRate: { num: 9, den: 1 } });
    expect(gifFramePlan({ ...base, playbackSpeed: 0.5 })).toMatchObject({ frameCount: 216, sampleRate: { num: 36, den: 1 } });
    expect(gifFramePlan({ ...base, playbackSpeed: 0.7 })).toMatchObject({ frameCount: 154, sampleRate: { num: 180, den: 7 } });
    expect(gifFramePlan({ ...base, playbackSpeed: 1.5 })).toMatchObject({ frameCount: 72, sampleRate: { num: 12, den: 1 } });
  });
  it('rounds a half frame up and never plans zero frames', () => {
    expect(gifFramePlan({ ...base, startSeconds: 0, endSeconds: 1.25, fps: 10 }).frameCount).toBe(13);
    expect(gifFramePlan({ ...base, startSeconds: 0, endSeconds: 0.01, fps: 10 }).frameCount).toBe(1);
  });
  it('plans a single still frame for speed 0, and a positive speed is never a still', () => {
    expect(gifFramePlan({ ...base, playbackSpeed: 0 })).toEqual({ frameCount: 1, seekSeconds: 1.98, leadSeconds: 0, sampleRate: null });
    expect(gifFramePlan({ ...base, playbackSpeed: 0.0001 }).sampleRate).toEqual({ num: 18000, den: 1 });
  });
  it('measures how far into its frame the start lies', () => {
    const p = gifFramePlan({ ...base, startSeconds: 2.03 }); // frame 50 (2.00 .. 2.04)
    expect(p.seekSeconds).toBeCloseTo(1.98, 9);
    expect(p.leadSeconds).toBeCloseTo(0.03, 9);
    expect(gifFramePlan({ ...base, startSeconds: 5.5 }).leadSeconds).toBeCloseTo(0.02, 9); // frame 137 from 5.48
    expect(gifFramePlan({ ...base, startSeconds: 0, endSeconds: 1 })).toMatchObject({ seekSeconds: 0, leadSeconds: 0 });
    expect(gifFramePlan({ ...base, startSeconds: 2.03, sourceFps: null })).toMatchObject({ seekSeconds: 2.03, leadSeconds: 0 });
  });
});

describe('gifFramesArgs', () => {
  const common = { input: '/s/vod.mp4', inputOptions: ['-protocol_whitelist', 'file'], width: 480, height: 270, outputPattern: '/dev/shm/g/f%05d.png' };
  // An indexed constant-rate source: the input seek goes to the plan's point itself.
  const indexed = (plan: ReturnType<typeof gifFramePlan>, origin = 0) => {
    const seek = origin + plan.seekSeconds;
    return { ...common, plan, start: { seek, zero: seek }, firstFrameAt: seek, leadSeconds: plan.leadSeconds };
  };
  it('input-seeks, anchors the fps grid at the start and writes numbered PNGs', () => {
    const args = gifFramesArgs(indexed(gifFramePlan(base)));
    expect(args.flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -progress pipe:1 -nostats ' +
        '-protocol_whitelist file -seek_timestamp 1 -ss 1.980000 -i /s/vod.mp4 ' +
        '-map 0:v:0 -an -sn -dn -vf setpts=PTS-STARTPTS,fps=18:start_time=0:round=up,scale=480:270:flags=lanczos,format=rgb24 -frames:v 108 ' +
        '-c:v png -compression_level 1 -f image2 -y /dev/shm/g/f%05d.png',
    );
  });
  it('shifts a start inside a frame to time 0 and samples at a fractional rate', () => {
    const args = gifFramesArgs(indexed(gifFramePlan({ ...base, startSeconds: 2.03, endSeconds: 3.03, playbackSpeed: 0.7 })));
    expect(args[2]!.join(' ')).toBe(
      '-map 0:v:0 -an -sn -dn -vf setpts=PTS-STARTPTS-round(0.030000/TB),fps=180/7:start_time=0:round=up,scale=480:270:flags=lanczos,format=rgb24 -frames:v 26',
    );
  });
  it('grabs one frame for a still', () => {
    const args = gifFramesArgs(indexed(gifFramePlan({ ...base, playbackSpeed: 0 })));
    expect(args.slice(1, 3).flat().join(' ')).toBe(
      '-protocol_whitelist file -seek_timestamp 1 -ss 1.980000 -i /s/vod.mp4 -map 0:v:0 -an -sn -dn -vf scale=480:270:flags=lanczos,format=rgb24 -frames:v 1',
    );
  });
  it('MPEG-TS at 3600 s: reads from the keyframe DTS and trims to the frame on screen at the start before the grid starts', () => {
    // gst-ts-3600, GIF from 1.01 s: frame 25 (3601.00) is on screen, the GOP's keyframe is frame 0: no seek.
    const plan = gifFramePlan({ startSeconds: 1.01, endSeconds: 2.01, fps: 10, playbackSpeed: 1, sourceFps: 25 });
    const args = gifFramesArgs({ ...common, input: 'in.ts', inputOptions: [], plan, start: { seek: null, zero: 3600 }, firstFrameAt: 3600.98, leadSeconds: 0.01 });
    expect(args.slice(1, 3).flat().join(' ')).toBe(
      '-i in.ts -map 0:v:0 -an -sn -dn -vf trim=start=0.980000,setpts=PTS-STARTPTS-round(0.010000/TB),fps=10:start_time=0:round=up,scale=480:270:flags=lanczos,format=rgb24 -frames:v 10',
    );
    const later = gifFramesArgs({ ...common, input: 'in.ts', inputOptions: [], plan, start: { seek: 3601.92, zero: 3601.92 }, firstFrameAt: 3602.98, leadSeconds: 0 });
    expect(later[1]!.join(' ')).toBe('-seek_timestamp 1 -ss 3601.920000 -i in.ts');
    expect(later[2]!.join(' ')).toContain('-vf trim=start=1.060000,setpts=PTS-STARTPTS,');
  });
});

import { describe, expect, it } from 'vitest';
import {
  clipFrameSpan,
  planSmartCut,
  smartCutBlocker,
  smartCutEdgeArgs,
  smartCutJoinArgs,
  smartCutList,
  smartCutMiddleArgs,
  smartCutPaysOff,
} from './clip-smart-cut.js';
import type { TrackInfo } from './track-info.js';

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

describe('smartCutBlocker', () => {
  const ok = { codec: 'h264', videoTracks: 1, onGrid: true, openGop: false };
  it('allows one constant-rate closed-GOP H.264 track', () => {
    expect(smartCutBlocker(ok)).toBeNull();
  });
  it('names each case that joins unsafely', () => {
    expect(smartCutBlocker({ ...ok, videoTracks: 2 })).toMatch(/2 video tracks/);
    expect(smartCutBlocker({ ...ok, codec: 'hevc' })).toMatch(/codec is hevc/);
    expect(smartCutBlocker({ ...ok, onGrid: false })).toMatch(/variable or unknown/);
    expect(smartCutBlocker({ ...ok, openGop: true })).toMatch(/open GOPs/);
  });
});

describe('piece arguments', () => {
  const src = { input: '/s/ev/hls/index.m3u8', inputOptions: ['-protocol_whitelist', 'file,crypto'] };
  it('encodes an edge with the mirrored x264 options, video only, in the shared timescale', () => {
    expect(
      smartCutEdgeArgs({ ...src, decodeOptions: [], streamIndex: 0, first: 4.581333, frameCount: 21, x264Params: 'cabac=1:ref=1:keyint=50:qp=0:level=12:psy=0', pixFmt: 'yuv420p', timescale: 90000, output: 'head.mp4' })
        .flat()
        .join(' '),
    ).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-protocol_whitelist file,crypto -seek_timestamp 1 -ss 4.581333 -i /s/ev/hls/index.m3u8 ' +
        '-map 0:0 -an -sn -dn -map_metadata -1 -frames:v 21 -fps_mode passthrough ' +
        '-c:v libx264 -preset veryfast -x264-params cabac=1:ref=1:keyint=50:qp=0:level=12:psy=0 -pix_fmt yuv420p ' +
        '-video_track_timescale 90000 -f mp4 head.mp4',
    );
  });
  it('copies the middle GOPs, dropping whatever the seek read before the keyframe', () => {
    expect(smartCutMiddleArgs({ ...src, streamIndex: 0, keyframe: 5.421333, frameCount: 50, timescale: 90000, output: 'middle.mp4' }).flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-protocol_whitelist file,crypto -seek_timestamp 1 -ss 5.421333 -i /s/ev/hls/index.m3u8 ' +
        '-map 0:0 -an -sn -dn -map_metadata -1 -c copy -copypriorss 0 -frames:v 50 -video_track_timescale 90000 -f mp4 middle.mp4',
    );
  });
  it('joins the pieces and encodes the audio of exactly the clip’s span in the same run', () => {
    const a = (index: number): TrackInfo => ({ index, type: 'audio', codec: 'aac', fourCC: 'MP4A', width: null, height: null, bitrate: 96_000, language: null, fps: null });
    expect(
      smartCutJoinArgs({ listFile: '/t/pieces.ffconcat', audio: { ...src, first: 4.581333, duration: 4.28, tracks: [a(2), a(1)] }, copyTsOffset: null, timescale: 90000, output: '/t/clip.mp4' })
        .flat()
        .join(' '),
    ).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-f concat -safe 1 -protocol_whitelist file -i /t/pieces.ffconcat ' +
        '-protocol_whitelist file,crypto -seek_timestamp 1 -ss 4.581333 -t 4.280000 -i /s/ev/hls/index.m3u8 ' +
        '-map 0:v:0 -map 1:1 -map 1:2 -c:v copy -c:a aac -b:a:0 96k -b:a:1 96k ' +
        '-video_track_timescale 90000 -map_chapters -1 -movflags +faststart -f mp4 /t/clip.mp4',
    );
    const noAudio = smartCutJoinArgs({ listFile: 'l', audio: null, copyTsOffset: 4.581333, timescale: 90000, output: 'o.mp4' }).flat().join(' ');
    expect(noAudio).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats -f concat -safe 1 -protocol_whitelist file -i l ' +
        '-map 0:v:0 -c:v copy -output_ts_offset 4.581333 -video_track_timescale 90000 -map_chapters -1 -movflags +faststart -f mp4 o.mp4',
    );
  });
  it('lists only the pieces the plan has', () => {
    const plan = planSmartCut(gop50, 25, 2, 7.41);
    if (plan.kind !== 'smart-cut') throw new Error('expected a smart cut');
    expect(smartCutList(plan)).toBe("ffconcat version 1.0\nfile 'middle.mp4'\nfile 'tail.mp4'\n");
  });
});

import { describe, expect, it } from 'vitest';
import {
  clipFrameSpan,
  planSmartCut,
  smartCutBlocker,
  smartCutEdgeArgs,
  smartCutJoinArgs,
  smartCutList,
  smartCutMiddleArgs,
  hevcMiddleBsf,
  leadingPictures,
  smartCutPaysOff,
} from './clip-smart-cut.js';
import type { TrackInfo } from '@framesmith/core/media/track-info';

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

describe('leadingPictures', () => {
  it('counts the frames after each keyframe in decode order that are shown before it', () => {
    const k = (pts: number) => ({ pts, key: true });
    const f = (pts: number | null) => ({ pts, key: false });
    expect([...leadingPictures([k(0), f(0.16), f(0.08), f(0.04), k(1), f(0.92), f(0.84), f(null), f(0.88), f(1.2), f(1.04)])]).toEqual([[0, 0], [1, 3]]);
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

describe('piece arguments', () => {
  const src = { input: '/s/ev/hls/index.m3u8', inputOptions: ['-protocol_whitelist', 'file,crypto'] };
  it('encodes an edge with the mirrored x264 options, video only, in the shared timescale', () => {
    expect(
      smartCutEdgeArgs({ ...src, decodeOptions: [], streamIndex: 0, first: 4.581333, frameCount: 21, encoder: { codec: 'libx264', params: 'cabac=1:ref=1:keyint=50:qp=0:level=12:psy=0' }, pixFmt: 'yuv420p', timescale: 90000, output: 'head.mp4' })
        .flat()
        .join(' '),
    ).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-protocol_whitelist file,crypto -noautorotate -seek_timestamp 1 -ss 4.581333 -i /s/ev/hls/index.m3u8 ' +
        '-map 0:0 -an -sn -dn -map_metadata -1 -frames:v 21 -fps_mode passthrough ' +
        '-c:v libx264 -preset veryfast -x264-params cabac=1:ref=1:keyint=50:qp=0:level=12:psy=0 -pix_fmt yuv420p ' +
        '-video_track_timescale 90000 -f mp4 head.mp4',
    );
  });
  it('encodes an HEVC edge with libx265, the mirrored options and the VUI filter', () => {
    expect(
      smartCutEdgeArgs({ ...src, decodeOptions: [], streamIndex: 1, first: 1.16, frameCount: 19, encoder: { codec: 'libx265', params: 'ctu=64:ref=2:bframes=4', bsf: 'hevc_metadata=video_format=5' }, pixFmt: 'yuv420p10le', timescale: 1000, output: 'tail.mp4' })
        .flat()
        .join(' '),
    ).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-protocol_whitelist file,crypto -noautorotate -seek_timestamp 1 -ss 1.160000 -i /s/ev/hls/index.m3u8 ' +
        '-map 0:1 -an -sn -dn -map_metadata -1 -frames:v 19 -fps_mode passthrough ' +
        '-c:v libx265 -preset veryfast -x265-params ctu=64:ref=2:bframes=4 -bsf:v hevc_metadata=video_format=5 -pix_fmt yuv420p10le ' +
        '-video_track_timescale 1000 -f mp4 tail.mp4',
    );
  });
  it('starts decoding at an earlier keyframe when told, dropping the frames before the edge', () => {
    const args = smartCutEdgeArgs({ ...src, decodeOptions: [], streamIndex: 0, first: 2.84, seekFrom: { seek: 2, zero: 2 }, frameCount: 15, encoder: { codec: 'libx264', params: 'ref=1' }, pixFmt: null, timescale: 1000, output: 't.mp4' }).flat().join(' ');
    expect(args).toContain('-noautorotate -seek_timestamp 1 -ss 2.000000 -i /s/ev/hls/index.m3u8 -map 0:0 -an -sn -dn -map_metadata -1 -ss 0.840000 -frames:v 15');
  });
  it('copies an MPEG-TS middle from its keyframe’s DTS, moving the keyframe to 0', () => {
    expect(smartCutMiddleArgs({ ...src, streamIndex: 0, keyframe: 3602, frameCount: 25, timescale: 90000, output: 'm.mp4', start: { seek: 3601.92, zero: 3601.92 } }).flat().join(' ')).toContain(
      '-seek_timestamp 1 -ss 3601.920000 -i /s/ev/hls/index.m3u8 -map 0:0 -an -sn -dn -map_metadata -1 -c copy -copypriorss 0 -frames:v 25 -output_ts_offset -0.080000',
    );
  });
  it('filters the copied HEVC GOPs: leading pictures dropped for open GOPs, VUI normalised', () => {
    expect(hevcMiddleBsf('hevc_metadata=video_format=5', true)).toBe('filter_units=remove_types=6-9,hevc_metadata=video_format=5');
    expect(hevcMiddleBsf('hevc_metadata=video_format=5', false)).toBe('hevc_metadata=video_format=5');
    expect(smartCutMiddleArgs({ ...src, streamIndex: 0, keyframe: 2, frameCount: 21, timescale: 1000, output: 'middle.mp4', bsf: 'hevc_metadata=video_format=5' }).flat().join(' ')).toContain(
      '-c copy -copypriorss 0 -frames:v 21 -bsf:v hevc_metadata=video_format=5 -video_track_timescale 1000',
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
    expect(smartCutJoinArgs({ listFile: 'l', audio: null, copyTsOffset: null, timescale: 1000, output: 'o.mp4', rotation: 270 }).flat().join(' ')).toContain(
      '-c:v copy -metadata:s:v:0 rotate=270 -video_track_timescale 1000',
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

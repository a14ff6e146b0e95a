import { describe, expect, it } from 'vitest';
import { aacBitrate, audioEncodeArgs, clipCopyArgs, clipReencodeArgs, secondsCeil, seekCeil, seekFloor } from './clip-args.js';
import type { TrackInfo } from '@framesmith/core/media/track-info';

const aac: TrackInfo = { index: 1, type: 'audio', codec: 'aac', fourCC: 'MP4A', width: null, height: null, bitrate: 96_000, language: null, fps: null };
const pcm: TrackInfo = { ...aac, index: 3, codec: 'pcm_s24le', fourCC: 'IN24', bitrate: 2_304_000 };

describe('seek values', () => {
  it('round to the microsecond on the requested side', () => {
    expect(seekFloor(3.16)).toBe('3.160000'); // 3.16 * 1e6 is 3159999.9999999995 in floating point
    expect(seekFloor(4.5813333333)).toBe('4.581333');
    expect(seekCeil(4.5813333333)).toBe('4.581334');
    expect(seekCeil(2)).toBe('2.000000');
    // Negative source times (MPEG-TS wrap correction, an MP4 edit list's hidden frames) stay negative.
    expect(seekFloor(-0.02)).toBe('-0.020000');
    expect(seekCeil(-0.52)).toBe('-0.520000');
    expect(seekFloor(36000.04)).toBe('36000.040000');
    expect(secondsCeil(4.28)).toBe('4.280000');
    expect(secondsCeil(1001 / 30000)).toBe('0.033367');
  });
});

describe('audio', () => {
  it('encodes AAC at the source rate within 64..320 kb/s', () => {
    expect(aacBitrate(aac)).toBe('96k');
    expect(aacBitrate(pcm)).toBe('320k');
    expect(aacBitrate({ ...aac, bitrate: null })).toBe('128k');
    expect(aacBitrate({ ...aac, bitrate: 32_000 })).toBe('64k');
    expect(audioEncodeArgs([aac, pcm], 'encode').join(' ')).toBe('-c:a aac -b:a:0 96k -b:a:1 320k');
  });
  it('copies what MP4 carries and re-encodes the rest', () => {
    expect(audioEncodeArgs([aac, pcm], 'copy').join(' ')).toBe('-c:a:0 copy -c:a:1 aac -b:a:1 320k');
    expect(audioEncodeArgs([], 'copy')).toEqual([]);
  });
});

describe('clipCopyArgs', () => {
  const base = {
    input: '/s/ev/vod.mp4',
    inputOptions: ['-protocol_whitelist', 'file'],
    start: { seek: 2, zero: 2 },
    end: 7.41,
    maps: ['-map', '0:0', '-map', '0:1'],
    audio: [aac],
    timescale: 12800,
    output: '/s/.scratch/x/clip.mp4',
  };
  it('seeks to the keyframe itself and starts the clip there, at zero', () => {
    expect(clipCopyArgs({ ...base, copyTs: false }).flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-protocol_whitelist file -seek_timestamp 1 -ss 2.000000 -i /s/ev/vod.mp4 ' +
        '-map 0:0 -map 0:1 -c:v copy -c:a:0 copy -copypriorss 0 -t 5.410000 -avoid_negative_ts make_zero ' +
        '-video_track_timescale 12800 -map_chapters -1 -movflags +faststart -f mp4 /s/.scratch/x/clip.mp4',
    );
  });
  it('with copyTs restores the source clock instead of starting at zero', () => {
    const args = clipCopyArgs({ ...base, start: { seek: 3.421334, zero: 3.421334 }, end: 8.8313333333, copyTs: true }).flat().join(' ');
    expect(args).toContain('-ss 3.421334 -i');
    expect(args).toContain('-t 5.410000 -output_ts_offset 3.421334 -video_track_timescale');
    expect(args).not.toContain('avoid_negative_ts');
  });
  it('MPEG-TS/HLS: reads from the keyframe DTS, and counts the length from there', () => {
    const args = clipCopyArgs({ ...base, input: 'in.ts', start: { seek: 3601.92, zero: 3601.92 }, end: 3603.41, copyTs: false }).flat().join(' ');
    expect(args).toContain('-seek_timestamp 1 -ss 3601.920000 -i in.ts');
    expect(args).toContain('-t 1.490000 -avoid_negative_ts make_zero');
  });
  it('first GOP of an MPEG-TS/HLS source: no seek, the clock counts from the container start', () => {
    const args = clipCopyArgs({ ...base, input: 'in.m3u8', start: { seek: null, zero: 3600 }, end: 3603.41, copyTs: true }).flat().join(' ');
    expect(args).not.toContain('-ss');
    expect(args).toContain('-t 3.410000 -output_ts_offset 3600.000000');
  });
  it('an edit list\'s hidden keyframe before 0 is seeked to as such (it was clamped to 0, past the keyframe)', () => {
    expect(clipCopyArgs({ ...base, start: { seek: -0.52, zero: -0.52 }, end: 3.41, copyTs: false }).flat().join(' ')).toContain('-ss -0.520000 -i /s/ev/vod.mp4');
  });
});

describe('clipReencodeArgs', () => {
  const base = {
    input: '/s/ev/vod.mp4',
    inputOptions: ['-protocol_whitelist', 'file'],
    decodeOptions: [],
    // 00:00:03.130 → 00:00:07.410 at 25 fps: frames 79..185, first shown at 3.16 s.
    start: { seek: 3.16, zero: 3.16 },
    first: 3.16,
    pickAt: 3.14,
    frameCount: 107,
    duration: 4.28,
    maps: ['-map', '0:0', '-map', '0:1'],
    videoEncode: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18'],
    audio: [aac],
    timescale: 12800,
    output: 'clip.mp4',
  };
  it('starts at the first frame’s time and fixes the count on every video stream', () => {
    expect(clipReencodeArgs({ ...base, copyTs: false }).flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-protocol_whitelist file -seek_timestamp 1 -ss 3.160000 -i /s/ev/vod.mp4 ' +
        '-map 0:0 -map 0:1 -filter:v trim=end_frame=107 -fps_mode passthrough -c:v libx264 -preset veryfast -crf 18 ' +
        '-c:a aac -b:a:0 96k -t 4.280000 -video_track_timescale 12800 -map_chapters -1 -movflags +faststart -f mp4 clip.mp4',
    );
  });
  it('puts the strategy’s decoder before -i and shifts to the source clock for copyTs', () => {
    const args = clipReencodeArgs({ ...base, decodeOptions: ['-hwaccel', 'cuda', '-hwaccel_device', '1'], copyTs: true }).flat().join(' ');
    expect(args).toContain('-protocol_whitelist file -hwaccel cuda -hwaccel_device 1 -seek_timestamp 1 -ss 3.160000 -i');
    expect(args).toContain('-t 4.280000 -output_ts_offset 3.160000 -video_track_timescale');
  });
  it('rounds the length up, so the audio keeps the last frame’s span (29.97 fps: 1 frame is 0.0333667 s)', () => {
    expect(clipReencodeArgs({ ...base, copyTs: false, frameCount: 1, duration: 1001 / 30000 }).flat().join(' ')).toContain('trim=end_frame=1 ');
    expect(clipReencodeArgs({ ...base, copyTs: false, frameCount: 1, duration: 1001 / 30000 }).flat().join(' ')).toContain('-t 0.033367 ');
  });
  it('MPEG-TS/HLS: reads from the keyframe DTS, trims video and audio to the first frame and restarts both clocks there', () => {
    // gst-ts-3600, 1.13 s: the first frame is at 3601.16, the GOP's keyframe (DTS 3599.92) is the first: no seek.
    const first = clipReencodeArgs({ ...base, input: 'in.ts', start: { seek: null, zero: 3600 }, first: 3601.16, pickAt: 3601.14, copyTs: false }).flat().join(' ');
    expect(first).toContain('-protocol_whitelist file -i in.ts -map');
    expect(first).toContain('-filter:v trim=start=1.140000,setpts=PTS-STARTPTS,trim=end_frame=107 -filter:a atrim=start=1.160000,asetpts=PTS-STARTPTS -fps_mode passthrough');
    const later = clipReencodeArgs({ ...base, input: 'in.ts', start: { seek: 3601.92, zero: 3601.92 }, first: 3602.16, pickAt: 3602.14, copyTs: true }).flat().join(' ');
    expect(later).toContain('-seek_timestamp 1 -ss 3601.920000 -i in.ts');
    expect(later).toContain('-filter:v trim=start=0.220000,setpts=PTS-STARTPTS,trim=end_frame=107 -filter:a atrim=start=0.240000');
    expect(later).toContain('-output_ts_offset 3602.160000');
  });
  it('no audio filter without audio', () => {
    const args = clipReencodeArgs({ ...base, audio: [], maps: ['-map', '0:0'], start: { seek: null, zero: 0 }, first: 1.16, pickAt: 1.14, copyTs: false }).flat();
    expect(args).not.toContain('-filter:a');
  });
  it('leaves the timescale to the muxer when the source has none', () => {
    expect(clipReencodeArgs({ ...base, copyTs: false, timescale: null }).flat()).not.toContain('-video_track_timescale');
  });
});

import { describe, expect, it } from 'vitest';
import { planSmartCut } from './clip-smart-cut.js';
import { hevcMiddleBsf, smartCutAudioArgs, smartCutEdgeArgs, smartCutJoinArgs, smartCutList, smartCutMiddleArgs } from './smart-cut-args.js';
import type { TrackInfo } from '@framesmith/core/media/track-info';

const gop50 = [0, 2, 4, 6, 8, 10]; // keyframes every 50 frames at 25 fps

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
  it('encodes the audio of exactly the clip’s span on its own, tracks in index order', () => {
    const a = (index: number): TrackInfo => ({ index, type: 'audio', codec: 'aac', fourCC: 'MP4A', width: null, height: null, bitrate: 96_000, language: null, fps: null });
    expect(smartCutAudioArgs({ ...src, first: 4.581333, duration: 4.28, tracks: [a(2), a(1)], output: '/t/audio.m4a' }).flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -y ' +
        '-protocol_whitelist file,crypto -seek_timestamp 1 -ss 4.581333 -t 4.280000 -i /s/ev/hls/index.m3u8 ' +
        '-map 0:1 -map 0:2 -vn -sn -dn -c:a aac -b:a:0 96k -b:a:1 96k -f mp4 /t/audio.m4a',
    );
  });
  it('joins the pieces and the audio piece, copying both', () => {
    expect(smartCutJoinArgs({ listFile: '/t/pieces.ffconcat', audioFile: '/t/audio.m4a', copyTsOffset: null, timescale: 90000, output: '/t/clip.mp4' }).flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats ' +
        '-f concat -safe 1 -protocol_whitelist file -i /t/pieces.ffconcat -protocol_whitelist file -i /t/audio.m4a ' +
        '-map 0:v:0 -map 1:a -c copy -video_track_timescale 90000 -map_chapters -1 -movflags +faststart -f mp4 /t/clip.mp4',
    );
    expect(smartCutJoinArgs({ listFile: 'l', audioFile: null, copyTsOffset: null, timescale: 1000, output: 'o.mp4', rotation: 270 }).flat().join(' ')).toContain(
      '-c copy -metadata:s:v:0 rotate=270 -video_track_timescale 1000',
    );
    const noAudio = smartCutJoinArgs({ listFile: 'l', audioFile: null, copyTsOffset: 4.581333, timescale: 90000, output: 'o.mp4' }).flat().join(' ');
    expect(noAudio).toBe(
      '-nostdin -hide_banner -v error -y -progress pipe:1 -nostats -f concat -safe 1 -protocol_whitelist file -i l ' +
        '-map 0:v:0 -c copy -output_ts_offset 4.581333 -video_track_timescale 90000 -map_chapters -1 -movflags +faststart -f mp4 o.mp4',
    );
  });
  it('lists only the pieces the plan has', () => {
    const plan = planSmartCut(gop50, 25, 2, 7.41);
    if (plan.kind !== 'smart-cut') throw new Error('expected a smart cut');
    expect(smartCutList(plan)).toBe("ffconcat version 1.0\nfile 'middle.mp4'\nfile 'tail.mp4'\n");
  });
});

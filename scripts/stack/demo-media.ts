// Generated media for the demo event and the tests: a flat grey level that changes every
// frame (repeating every 220 frames), so a grabbed frame near a known time is identified by
// its pixels.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runProcess } from '@framesmith/core/media/run-process';

export interface TestVideoOptions {
  seconds: number;
  fps: number;
  width: number;
  height: number;
  /** Keyframe interval in frames. */
  gop: number;
  audio: boolean;
  /** Lossy x264 at this CRF (veryfast: B-frames with pyramid); default lossless (-qp 0). */
  crf?: number;
  /** A second video track of the same pictures at this size (track selection tests). */
  secondTrack?: { width: number; height: number };
}

/** Luma of frame n: steps of 7 levels (coprime with 256) so neighbours differ clearly. */
export function frameLuma(n: number): number {
  return 16 + ((n * 7) % 220);
}

export function testVideoArgs(out: string, o: TestVideoOptions): string[] {
  const video = `color=c=black:s=${o.width}x${o.height}:r=${o.fps}:d=${o.seconds},format=yuv420p,geq=lum='16+mod(N*7\\,220)':cb=128:cr=128`;
  const tracks = o.secondTrack
    ? ['-filter_complex', `[0:v]split[big][s];[s]scale=${o.secondTrack.width}:${o.secondTrack.height}[small]`, '-map', '[big]', '-map', '[small]', ...(o.audio ? ['-map', '1:a'] : [])]
    : [];
  return [
    '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', video,
    ...(o.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${o.seconds}`] : []),
    ...tracks,
    '-c:v', 'libx264', '-preset', 'veryfast', ...(o.crf === undefined ? ['-qp', '0'] : ['-crf', String(o.crf)]),
    '-g', String(o.gop), '-keyint_min', String(o.gop), '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
    ...(o.audio ? ['-c:a', 'aac', '-b:a', '96k', '-shortest'] : []),
    '-movflags', '+faststart', out,
  ];
}

export async function makeTestVideo(ffmpeg: string, out: string, o: TestVideoOptions): Promise<void> {
  await runProcess(ffmpeg, testVideoArgs(out, o), { timeoutMs: 300_000 });
}

export async function makeDemoVideo(ffmpeg: string, out: string): Promise<void> {
  if (existsSync(out)) return;
  await makeTestVideo(ffmpeg, out, { seconds: 20, fps: 25, width: 640, height: 360, gop: 50, audio: true });
}

export interface HlsVodOptions {
  /** Target segment length; stream copy cuts at keyframes, so whole GOPs make exact segments. */
  segmentSeconds: number;
  /** EXT-X-PROGRAM-DATE-TIME on each segment (ISO8601 requests need it). */
  programDateTime: boolean;
  /** Digits in the segment names (seg%03d.ts); long sources need more. */
  digits?: number;
}

/** A VOD HLS rendition of `input` by stream copy: `dir`/index.m3u8 and its .ts segments. */
export function hlsVodArgs(input: string, dir: string, o: HlsVodOptions): string[] {
  return [
    '-nostdin', '-v', 'error', '-y', '-i', input, '-c', 'copy',
    '-f', 'hls', '-hls_time', String(o.segmentSeconds), '-hls_playlist_type', 'vod',
    ...(o.programDateTime ? ['-hls_flags', 'program_date_time'] : []),
    '-hls_segment_filename', path.join(dir, `seg%0${o.digits ?? 3}d.ts`), path.join(dir, 'index.m3u8'),
  ];
}

/** Writes the rendition unless `dir`/index.m3u8 exists already; returns the playlist's path. */
export async function makeHlsVod(input: string, dir: string, o: HlsVodOptions): Promise<string> {
  const playlist = path.join(dir, 'index.m3u8');
  if (!existsSync(playlist)) await runProcess('ffmpeg', hlsVodArgs(input, dir, o), { timeoutMs: 120_000 });
  return playlist;
}

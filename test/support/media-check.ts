// ffprobe and decode helpers for the clip tests, and the extra media they need (two video
// tracks, B-frames, HLS). Everything is small: 320x180 at most, 12 s at most.
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runProcess } from '@framesmith/core/media/run-process';
import { frameLuma, makeHlsVod, makeTestVideo } from '../../scripts/stack/demo-media.js';

const TIMEOUT_MS = 60_000;

export interface ProbedStream {
  index: number;
  type: string;
  codec: string;
  width: number | null;
  height: number | null;
  startTime: number | null;
  duration: number | null;
}

export interface ProbedFile {
  streams: ProbedStream[];
  startTime: number | null;
  duration: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'string' || typeof v === 'number') && Number.isFinite(Number(v)) ? Number(v) : null;

export async function probeFile(file: string, inputOptions: string[] = []): Promise<ProbedFile> {
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', ...inputOptions, '-show_streams', '-show_format', '-of', 'json', file], { timeoutMs: TIMEOUT_MS });
  const j = JSON.parse(stdout.toString('utf8')) as { streams: Record<string, unknown>[]; format: Record<string, unknown> };
  return {
    streams: j.streams.map((s) => ({
      index: s.index as number,
      type: s.codec_type as string,
      codec: s.codec_name as string,
      width: num(s.width),
      height: num(s.height),
      startTime: num(s.start_time),
      duration: num(s.duration),
    })),
    startTime: num(j.format.start_time),
    duration: num(j.format.duration),
  };
}

export interface Packet {
  pts: number;
  key: boolean;
  size: number;
  /** MD5 of the packet's bytes: equal for stream-copied packets. */
  md5: string;
}

/** Video packets of the first video stream (or `stream`), in decode order. */
export async function videoPackets(file: string, stream = 'v:0', inputOptions: string[] = []): Promise<Packet[]> {
  const { stdout } = await runProcess(
    'ffprobe',
    ['-v', 'error', ...inputOptions, '-select_streams', stream, '-show_data_hash', 'MD5', '-show_entries', 'packet=pts_time,flags,size,data_hash', '-of', 'compact=p=0', file],
    { timeoutMs: TIMEOUT_MS, maxStdoutBytes: 16 << 20 },
  );
  return stdout
    .toString('utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = Object.fromEntries(line.split('|').map((kv) => kv.split('=', 2) as [string, string]));
      return { pts: Number(f.pts_time), key: (f.flags ?? '').startsWith('K'), size: Number(f.size), md5: f.data_hash ?? '' };
    });
}

/** Mean luma (as coded, limited range) of every decoded frame of a video stream, in display order. */
export async function frameLumas(file: string, stream = 'v:0', inputOptions: string[] = []): Promise<number[]> {
  const probe = await probeFile(file, inputOptions);
  const v = stream === 'v:0' ? probe.streams.find((s) => s.type === 'video') : probe.streams.find((s) => String(s.index) === stream);
  if (!v?.width || !v.height) throw new Error(`${file} has no video stream ${stream}`);
  const luma = v.width * v.height;
  // yuv420p as decoded: the Y plane first, then a quarter-size U and V. (Converting to `gray`
  // would rescale limited-range levels to full range.)
  const frame = luma + 2 * (v.width / 2) * (v.height / 2);
  const { stdout } = await runProcess(
    'ffmpeg',
    ['-nostdin', '-v', 'error', ...inputOptions, '-i', file, '-map', `0:${stream}`, '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'],
    { timeoutMs: TIMEOUT_MS, maxStdoutBytes: 256 << 20 },
  );
  const out: number[] = [];
  for (let at = 0; at + frame <= stdout.length; at += frame) {
    let sum = 0;
    for (let i = at; i < at + luma; i++) sum += stdout[i]!;
    out.push(sum / luma);
  }
  return out;
}

/** Frame numbers whose generated luma is within `tolerance` of the measured one (the pattern repeats every 220 frames). */
export function framesWithLuma(luma: number, tolerance = 1): number[] {
  const out: number[] = [];
  for (let n = 0; n < 660; n++) if (Math.abs(frameLuma(n) - luma) <= tolerance) out.push(n);
  return out;
}

/** The generated frame n's luma sequence for frames first..last. */
export function expectedLumas(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => frameLuma(first + i));
}

/** Largest difference between measured and expected lumas (Infinity when the lengths differ). */
export function lumaError(measured: readonly number[], expected: readonly number[]): number {
  if (measured.length !== expected.length) return Infinity;
  return Math.max(0, ...measured.map((m, i) => Math.abs(m - expected[i]!)));
}

const SMALL = { fps: 25, width: 320, height: 180, gop: 50, audio: true } as const;

async function generated(abs: string, o: Parameters<typeof makeTestVideo>[2]): Promise<void> {
  if (existsSync(abs)) return;
  await mkdir(path.dirname(abs), { recursive: true });
  await makeTestVideo('ffmpeg', abs, o);
}

/** Two video tracks (320x180 and 160x90, same pictures) and audio. */
export async function makeTwoTrackVideo(abs: string, seconds = 4): Promise<void> {
  await generated(abs, { ...SMALL, seconds, secondTrack: { width: 160, height: 90 } });
}

/** The usual generated picture, lossy x264 with B-frames (veryfast CRF 20: 3 B-frames, pyramid), GOP 50. */
export async function makeBframeVideo(abs: string, seconds = 12): Promise<void> {
  await generated(abs, { ...SMALL, seconds, crf: 20 });
}

/** An HLS VOD rendition of `srcAbs` (stream copy, 2 s segments unless told, program date time) in `dirAbs`. */
export async function makeHls(srcAbs: string, dirAbs: string, segmentSeconds = 2): Promise<string> {
  await mkdir(dirAbs, { recursive: true });
  return makeHlsVod(srcAbs, dirAbs, { segmentSeconds, programDateTime: true });
}

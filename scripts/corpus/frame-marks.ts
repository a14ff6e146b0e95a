// The corpus picture and how to read it back. Every frame is the tests' flat grey level
// (frameLuma(n), demo-media.ts) with one corner block, so the pixels tell both which frame it
// is and which way up it is shown, whoever encoded or packaged it. The block is white on dark
// frames and black on light ones, so it always stands out from the grey around it.
import { runProcess } from '@framesmith/core/media/run-process';
import { frameLuma } from '../stack/demo-media.js';

const TIMEOUT_MS = 120_000;

export interface Picture {
  width: number;
  height: number;
  /** Frame rate of the generated pictures, as ffmpeg writes it ("25", "30000/1001"). */
  fps: string;
  seconds: number;
  /** 10 for a 10-bit y4m (yuv420p10le), else 8. */
  depth?: 8 | 10;
}

/** ffmpeg arguments that write the pictures as y4m to `out` (relative to the recipe's folder). */
export function pictureArgs(p: Picture, out: string): string[] {
  const g = '16+mod(N*7\\,220)';
  const lum = `if(lt(X\\,W/4)*lt(Y\\,H/4)\\,if(lt(${g}\\,126)\\,235\\,16)\\,${g})`;
  const ten = p.depth === 10 ? ',format=yuv420p10le' : '';
  return [
    '-nostdin', '-v', 'error', '-y', '-f', 'lavfi',
    '-i', `color=c=black:s=${p.width}x${p.height}:r=${p.fps}:d=${p.seconds},format=yuv420p,geq=lum='${lum}':cb=128:cr=128${ten}`,
    ...(p.depth === 10 ? ['-strict', '-1'] : []),
    '-f', 'yuv4mpegpipe', out,
  ];
}

export type Corner = 'tl' | 'tr' | 'bl' | 'br';

export interface FrameMark {
  /** Mean luma (limited range) of the middle of the frame. */
  luma: number;
  /** The corner holding the block: 'tl' when shown upright. */
  corner: Corner;
  width: number;
  height: number;
}

function boxMean(y: Buffer, at: number, w: number, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++, n++) sum += y[at + yy * w + xx]!;
  return n ? sum / n : NaN;
}

/** Reads the marks of raw yuv420p frames of size w×h. */
export function readMarks(raw: Buffer, w: number, h: number): FrameMark[] {
  const luma = w * h;
  const frame = luma + 2 * Math.ceil(w / 2) * Math.ceil(h / 2);
  const out: FrameMark[] = [];
  const f = (a: number, d: number) => Math.round(a / d);
  for (let at = 0; at + frame <= raw.length; at += frame) {
    const mid = boxMean(raw, at, w, f(w * 3, 8), f(h * 5, 8), f(w * 5, 8), f(h * 7, 8));
    // Corner boxes well inside the block (a quarter of each side), clear of edge ringing.
    const bx = (x: number, y: number) => boxMean(raw, at, w, x, y, x + f(w, 12), y + f(h, 12));
    const corners: [Corner, number][] = [
      ['tl', bx(f(w, 24), f(h, 24))],
      ['tr', bx(w - f(w, 24) - f(w, 12), f(h, 24))],
      ['bl', bx(f(w, 24), h - f(h, 24) - f(h, 12))],
      ['br', bx(w - f(w, 24) - f(w, 12), h - f(h, 24) - f(h, 12))],
    ];
    corners.sort((a, b) => Math.abs(b[1] - mid) - Math.abs(a[1] - mid));
    out.push({ luma: mid, corner: corners[0]![0], width: w, height: h });
  }
  return out;
}

/**
 * The frame number whose grey level matches `luma` best, near `around`; null when none is
 * within `tolerance`. The pattern repeats every 220 frames, frames 63 apart differ by one
 * level (7 × 63 = 441 ≡ 1 mod 220) and frames 31 apart by three (7 × 31 ≡ −3): a penalty per
 * frame of distance from `around` tells them apart. The default (31 frames ≈ 3.1 levels)
 * trusts `around` within the tolerance, since a JPEG or GIF of a 10-bit or 640-wide source
 * is measured up to about 3 levels off (the corpus saw frame 43 read for 12); a frame whose
 * level is more than `tolerance` from the expected one still reads as itself. A small
 * penalty lets the level decide where `around` is only a guess (a keyframe clip's first frame).
 */
export function frameNumber(luma: number, around: number, tolerance = 2.5, penalty = 0.1): number | null {
  let best: number | null = null;
  let bestScore = Infinity;
  for (let n = Math.max(0, around - 150); n <= around + 150; n++) {
    const diff = Math.abs(frameLuma(n) - luma);
    const score = diff + Math.abs(n - around) * penalty;
    if (diff <= tolerance && score < bestScore) [best, bestScore] = [n, score];
  }
  return best;
}

export interface DecodedFrame extends FrameMark {
  /** Presentation time in seconds as ffprobe reports it (best effort timestamp). */
  pts: number;
}

/** Display rotation of the first video stream in degrees (the display matrix), 0 when none. */
export async function displayRotation(file: string): Promise<number> {
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream_side_data=rotation:stream=width,height', '-of', 'json', file], { timeoutMs: TIMEOUT_MS });
  const j = JSON.parse(stdout.toString('utf8')) as { streams?: { side_data_list?: { rotation?: number }[] }[] };
  const r = j.streams?.[0]?.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? 0;
  return ((Math.round(r) % 360) + 360) % 360;
}

/**
 * Every frame of the first video stream as ffmpeg shows it (display matrix applied), with its
 * timestamp. Timestamps come from ffprobe, pixels from ffmpeg (autorotate on); the two lists
 * must be the same length.
 */
export async function decodeFrames(file: string): Promise<DecodedFrame[]> {
  const probe = await runProcess('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=best_effort_timestamp_time,width,height', '-of', 'json', file], { timeoutMs: TIMEOUT_MS, maxStdoutBytes: 16 << 20 });
  const listed = (JSON.parse(probe.stdout.toString('utf8')) as { frames?: Record<string, unknown>[] }).frames ?? [];
  const rows = listed.map((f) => [Number(f.width), Number(f.height), Number(f.best_effort_timestamp_time)]);
  if (!rows.length) throw new Error(`${file}: ffprobe lists no video frames`);
  const rot = await displayRotation(file);
  const [w0, h0] = [rows[0]![0]!, rows[0]![1]!];
  const [w, h] = rot === 90 || rot === 270 ? [h0, w0] : [w0, h0];
  const { stdout } = await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v:0', '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'], { timeoutMs: TIMEOUT_MS, maxStdoutBytes: 1 << 30 });
  const marks = readMarks(stdout, w, h);
  if (marks.length !== rows.length) throw new Error(`${file}: ffmpeg decoded ${marks.length} frames, ffprobe listed ${rows.length}`);
  return marks.map((m, i) => ({ ...m, pts: rows[i]![2] ?? NaN }));
}

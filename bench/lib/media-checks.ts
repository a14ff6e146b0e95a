// Measurements on media files, outside the timed runs: SSIM of GIF frames against reference
// frames, frame counts, and whether a clip starts and ends on exactly the requested frames.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '@framesmith/core/media/run-process';

const T = { timeoutMs: 20 * 60_000 };

/** Seconds one command takes (the baselines). */
export async function timeCommand(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await runProcess(cmd, args, T);
  return (performance.now() - t0) / 1000;
}

/** Decodes every frame of `input` (a GIF) to numbered RGB PNGs in `dir`; returns the count. */
export async function decodeToPngs(input: string, dir: string): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // passthrough: one PNG per stored frame, whatever its delay.
  await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-i', input, '-fps_mode', 'passthrough', '-pix_fmt', 'rgb24', path.join(dir, 'f%05d.png')], T);
  return (await readdir(dir)).filter((f) => f.endsWith('.png')).length;
}

export interface SsimResult {
  /** Mean over frames of the all-planes SSIM, and the worst frame. */
  mean: number;
  min: number;
  /** Mean of the first plane (Y for yuv444p, G for gbrp). */
  firstPlane: number;
  frames: number;
}

/**
 * SSIM of two folders of frames, pairwise by number. Both are plain image sequences decoded
 * beforehand, so ffmpeg pairs frame k with frame k (docs/media.md: comparing a GIF with
 * the source inside one graph misaligns frames). `yuv444p` scores as video tools usually do
 * (Y, U and V planes, full chroma; the media notes' figures); `gbrp` scores the RGB planes.
 */
export async function ssimOfSequences(refDir: string, testDir: string, frames: number, statsFile: string, space: 'yuv444p' | 'gbrp' = 'yuv444p'): Promise<SsimResult> {
  await runProcess(
    'ffmpeg',
    [
      '-nostdin', '-v', 'error',
      '-framerate', '10', '-i', path.join(refDir, 'f%05d.png'),
      '-framerate', '10', '-i', path.join(testDir, 'f%05d.png'),
      '-frames:v', String(frames),
      '-lavfi', `[0:v]format=${space}[a];[1:v]format=${space}[b];[a][b]ssim=stats_file=${statsFile}`,
      '-f', 'null', '-',
    ],
    T,
  );
  const rows = (await readFile(statsFile, 'utf8'))
    .split('\n')
    .map((l) => ({ all: /All:([\d.]+)/.exec(l)?.[1], first: /^n:\d+ \w:([\d.]+)/.exec(l)?.[1] }))
    .filter((r): r is { all: string; first: string } => r.all !== undefined && r.first !== undefined);
  if (rows.length === 0) throw new Error('the ssim filter wrote no values');
  const all = rows.map((r) => Number(r.all));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: mean(all), min: Math.min(...all), firstPlane: mean(rows.map((r) => Number(r.first))), frames: rows.length };
}

/** Video packets in a file (no decoding). */
export async function videoFrameCount(file: string): Promise<number> {
  const { stdout } = await runProcess(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file],
    T,
  );
  return Number(stdout.toString().trim().split(/[\s,]+/)[0]);
}

/** Timestamp of the first video frame (0 for our MP4s; ~1.4 s for MPEG-TS). */
export async function videoStartSeconds(file: string): Promise<number> {
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=start_time', '-of', 'csv=p=0', file], T);
  const v = Number(stdout.toString().trim());
  return Number.isFinite(v) ? v : 0;
}

/**
 * Luma planes of the frames decoded from `seekSeconds` (on the video's own clock, counted from
 * its first frame) on, at most `count`. passthrough: a frame half a frame after the seek
 * point is not doubled to fill the gap.
 */
async function grayFrames(input: string, seekSeconds: number, count: number | null, size: { width: number; height: number }): Promise<Buffer[]> {
  const start = await videoStartSeconds(input);
  const { stdout } = await runProcess(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-seek_timestamp', '1', '-ss', (start + Math.max(0, seekSeconds)).toFixed(6), '-i', input, '-map', '0:v:0', ...(count ? ['-frames:v', String(count)] : []), '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
    T,
  );
  const n = size.width * size.height;
  const out: Buffer[] = [];
  for (let i = 0; i + n <= stdout.length; i += n) out.push(stdout.subarray(i, i + n));
  return out;
}

export function psnr(a: Buffer, b: Buffer): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    se += d * d;
  }
  const mse = se / a.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

export interface EdgeCheck {
  frames: number;
  expectedFrames: number;
  /** Source frame each edge matched best among its neighbours, and the PSNRs (dB). */
  firstMatch: number;
  lastMatch: number;
  firstPsnr: Record<number, number>;
  lastPsnr: Record<number, number>;
  exact: boolean;
}

/**
 * Does `clip` hold exactly source frames first..last? Its frame count, and its first and last
 * frames compared (PSNR of the luma) with the source frames around the expected ones: the
 * expected frame must be the best match.
 */
export async function checkClipEdges(clip: string, source: string, o: { fps: number; first: number; last: number; width: number; height: number }): Promise<EdgeCheck> {
  const frames = await videoFrameCount(clip);
  const expectedFrames = o.last - o.first + 1;
  const size = { width: o.width, height: o.height };
  const [clipFirst] = await grayFrames(clip, 0, 1, size);
  // Seek a few frames before the end and keep the last decoded frame: robust to a clip that
  // does not start at exactly zero.
  const tail = await grayFrames(clip, (frames - 4) / o.fps, null, size);
  const clipLast = tail[tail.length - 1];
  if (!clipFirst || !clipLast) throw new Error(`could not decode the edges of ${clip}`);
  const around = async (n: number) => {
    // Input seeking returns the first frame at or after the time: aim half a frame early.
    const got = await grayFrames(source, (n - 1 - 0.5) / o.fps, 3, size);
    return new Map(got.map((buf, i) => [n - 1 + i, buf]));
  };
  const best = (target: Buffer, candidates: Map<number, Buffer>) => {
    const scores = Object.fromEntries([...candidates].map(([n, buf]) => [n, Number(psnr(target, buf).toFixed(2))]));
    const match = Number(Object.entries(scores).sort((a, b) => b[1] - a[1])[0]![0]);
    return { scores, match };
  };
  const f = best(clipFirst, await around(o.first));
  const l = best(clipLast, await around(o.last));
  return {
    frames,
    expectedFrames,
    firstMatch: f.match,
    lastMatch: l.match,
    firstPsnr: f.scores,
    lastPsnr: l.scores,
    exact: frames === expectedFrames && f.match === o.first && l.match === o.last,
  };
}

export async function toolVersion(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await runProcess(cmd, args, { timeoutMs: 10_000 });
    return stdout.toString().split('\n')[0]!.trim();
  } catch (err) {
    return `unavailable (${(err as Error).message})`;
  }
}

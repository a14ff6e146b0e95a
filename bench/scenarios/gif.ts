// B1: a GIF through the pipeline vs the same ffmpeg + gifski commands run by hand.
// B1q: its quality and size vs ffmpeg's own palettegen/paletteuse GIF of the same frames.
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gifskiArgs } from '../../workers/cpu/src/gif-encode-args.js';
import { gifFramePlan, gifFramesArgs } from '@framesmith/core/media/gif-frames-args';
import { gifOutputSize } from '@framesmith/core/media/gif-output-size';
import { runProcess } from '@framesmith/core/media/run-process';
import { parseClipTime } from '@framesmith/core/time';
import { decodeToPngs, ssimOfSequences, timeCommand, videoStartSeconds } from '../lib/media-checks.js';
import { ratioOutcome, timedAsset, tryProfile } from '../lib/pipeline-run.js';
import { profileGif } from '../lib/worker-profile.js';
import { type BenchContext, type BenchParams, interleaved, ratioText, type Scenario, type ScenarioOutcome } from '../lib/scenario.js';
import { judge } from '../lib/targets.js';

/** A GIF request's range and look (B1's, or one of B10's). */
export type GifSpec = BenchParams['gif'];

export function bundledGifski(): string {
  const pkg = createRequire(import.meta.url).resolve('gifski/package.json');
  const dir = process.platform === 'darwin' ? 'macos' : 'debian';
  return path.join(path.dirname(pkg), 'bin', dir, 'gifski');
}

const offset = (t: string) => {
  const c = parseClipTime(t);
  if (c?.kind !== 'offset') throw new Error(`not an offset: ${t}`);
  return c.seconds;
};

const clipSeconds = (p: BenchParams) => offset(p.gif.end) - offset(p.gif.start);

export function gifRequest(ctx: BenchContext, name: string, g: GifSpec = ctx.params.gif) {
  return { name, clip: { eventId: ctx.eventId, start: g.start, end: g.end }, fps: g.fps, width: g.width, playbackRepeats: 0, reverse: false, playbackSpeed: 1 };
}

const originCache = new Map<string, number>();

/**
 * The frames the pipeline extracts, written as the worker writes them (same builder, PNGs in
 * tmpfs). Returns the folder and the sorted frame paths.
 */
async function extractFrames(ctx: BenchContext, parent: string, g: GifSpec = ctx.params.gif): Promise<{ dir: string; frames: string[]; size: { width: number; height: number } }> {
  const { spec } = ctx.media;
  const size = gifOutputSize({ width: spec.width, height: spec.height }, { width: g.width, height: null }, 480);
  const plan = gifFramePlan({ startSeconds: offset(g.start), endSeconds: offset(g.end), fps: g.fps, playbackSpeed: 1, sourceFps: spec.fps });
  const dir = await mkdtemp(path.join(parent, 'bench-gif-'));
  const src = path.join(ctx.storageRoot, ctx.mp4Rel);
  // Probed once (the warm-up), outside the timed runs: the person running it knows the file.
  const originSeconds = originCache.get(src) ?? (await videoStartSeconds(src));
  originCache.set(src, originSeconds);
  // The worker's path for an indexed constant-rate source (make-gif.ts gifStart).
  const seek = originSeconds + plan.seekSeconds;
  await runProcess('ffmpeg', gifFramesArgs({ input: src, inputOptions: [], start: { seek, zero: seek }, firstFrameAt: seek, leadSeconds: plan.leadSeconds, plan, width: size.width, height: size.height, outputPattern: path.join(dir, 'f%05d.png') }).flat(), { timeoutMs: 600_000 });
  const frames = (await readdir(dir)).filter((f) => /^f\d+\.png$/.test(f)).sort().map((f) => path.join(dir, f));
  return { dir, frames, size };
}

/** tmpfs, as the worker uses, when there is one. */
const frameParent = async () => ((await access('/dev/shm', constants.W_OK).then(() => true, () => false)) ? '/dev/shm' : tmpdir());

/** The same two commands the worker runs, run by hand: ffmpeg → PNGs in tmpfs, gifski → GIF. */
export async function gifByHand(ctx: BenchContext, out: string, g: GifSpec = ctx.params.gif): Promise<number> {
  const t0 = performance.now();
  const { dir, frames, size } = await extractFrames(ctx, await frameParent(), g);
  try {
    await runProcess(ctx.gifski, gifskiArgs({ frames, output: out, fps: g.fps, width: size.width, playbackRepeats: 0, reverse: false }).flat(), { timeoutMs: 600_000 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return (performance.now() - t0) / 1000;
}

export const gifSpeed: Scenario = {
  id: 'B1',
  title: (p) => `GIF, ${clipSeconds(p)} s clip at ${p.gif.fps} fps, ${p.gif.width} px wide`,
  async run(ctx): Promise<ScenarioOutcome> {
    const out = path.join(ctx.workDir, 'b1-by-hand.gif');
    // Warm-up (not counted): the worker's first job, the page cache.
    await timedAsset(ctx, 'gif', gifRequest(ctx, 'b1 warm-up'));
    await gifByHand(ctx, out);
    const r = await interleaved(
      ctx.params.runs,
      (i) => timedAsset(ctx, 'gif', gifRequest(ctx, `b1 run ${i}`)),
      () => gifByHand(ctx, out),
    );
    return ratioOutcome({
      id: 'B1',
      samples: r,
      profile: await tryProfile(() => profileGif(ctx, ctx.params.gif)),
      notes: [`baseline: the worker's own ffmpeg (PNG frames in tmpfs) + gifski commands, run directly`],
    });
  },
};

export const gifQuality: Scenario = {
  id: 'B1q',
  title: () => 'GIF quality and size (SSIM vs the source frames)',
  async run(ctx): Promise<ScenarioOutcome> {
    const dir = path.join(ctx.workDir, 'b1q');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const made = await timedAsset(ctx, 'gif', gifRequest(ctx, 'b1q'));
    const pipelineGif = path.join(ctx.storageRoot, made.finished.done.path);
    // Reference: the exact frames the pipeline samples (same builder), full quality PNG.
    const ref = await extractFrames(ctx, dir);
    const ffmpegGif = path.join(dir, 'palettegen.gif');
    // The usual one-pass ffmpeg GIF of those same frames, with the filters' defaults.
    const paletteSeconds = await timeCommand('ffmpeg', [
      '-nostdin', '-v', 'error', '-y', '-framerate', String(ctx.params.gif.fps), '-i', path.join(ref.dir, 'f%05d.png'),
      '-filter_complex', '[0:v]split[a][b];[a]palettegen[p];[b][p]paletteuse', '-loop', '0', ffmpegGif,
    ]);
    const score = async (gif: string, name: string) => {
      const frames = await decodeToPngs(gif, path.join(dir, name));
      const n = Math.min(frames, ref.frames.length);
      const ssim = await ssimOfSequences(ref.dir, path.join(dir, name), n, path.join(dir, `${name}.ssim.log`), 'yuv444p');
      const rgb = await ssimOfSequences(ref.dir, path.join(dir, name), n, path.join(dir, `${name}.rgb.log`), 'gbrp');
      return { frames, ssim, rgb, bytes: (await stat(gif)).size };
    };
    const pipe = await score(pipelineGif, 'pipeline-frames');
    const base = await score(ffmpegGif, 'palettegen-frames');
    const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
    const notes: string[] = [];
    if (pipe.frames !== ref.frames.length) notes.push(`the pipeline GIF has ${pipe.frames} frames, the reference ${ref.frames.length} (gifski merges identical neighbours); compared the first ${Math.min(pipe.frames, ref.frames.length)}`);
    const dssim = (1 - pipe.ssim.mean) / Math.max(1e-9, 1 - base.ssim.mean);
    await rm(dir, { recursive: true, force: true });
    return {
      row: {
        pipeline: `SSIM ${pipe.ssim.mean.toFixed(4)} (min ${pipe.ssim.min.toFixed(4)}), ${mb(pipe.bytes)}`,
        baseline: `SSIM ${base.ssim.mean.toFixed(4)} (min ${base.ssim.min.toFixed(4)}), ${mb(base.bytes)}`,
        ratio: `size ${ratioText(pipe.bytes / base.bytes)}`,
      },
      ...judge('B1q', { dssimRatio: dssim }),
      headline: `SSIM ${pipe.ssim.mean.toFixed(4)} vs ${base.ssim.mean.toFixed(4)}`,
      breakdown: [
        `SSIM on YUV 4:4:4 (all planes; Y alone: pipeline ${pipe.ssim.firstPlane.toFixed(4)}, palettegen ${base.ssim.firstPlane.toFixed(4)}); on RGB planes: pipeline ${pipe.rgb.mean.toFixed(4)}, palettegen ${base.rgb.mean.toFixed(4)}`,
        `${ref.frames.length} reference frames ${ref.size.width}x${ref.size.height} (the frames the worker samples, before colour quantisation); palettegen GIF took ${paletteSeconds.toFixed(2)} s from them`,
        ...notes,
      ],
      data: { pipeline: pipe, baseline: base, dssimRatio: dssim, referenceFrames: ref.frames.length, paletteSeconds },
    };
  },
};

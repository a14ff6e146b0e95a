// GIF: ffmpeg input-seeks and writes the clip's frames as PNGs into a private folder in tmpfs,
// gifski encodes them (docs/media.md: better and smaller than ffmpeg's palettegen), and the
// result is moved into storage. Reverse and speed are decided by which frames are extracted
// and the order gifski gets them in, never by buffering the clip in ffmpeg.
import { readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Config } from '@framesmith/core/config';
import { clipSpanProblem, gifLimitProblem } from '@framesmith/core/domain/media-limits';
import type { GifJob, MediaResult } from '@framesmith/core/domain/job';
import { createProgressParser } from '@framesmith/core/media/ffmpeg-progress';
import { phaseProgress } from '@framesmith/core/temporal/activity-policy';
import { gifskiArgs } from './gif-encode-args.js';
import { createGifskiProgressParser } from './gif-encode-progress.js';
import { type GifFramePlan, gifFramePlan, gifFramesArgs, type GifFramesOptions } from '@framesmith/core/media/gif-frames-args';
import { gifOutputSize } from '@framesmith/core/media/gif-output-size';
import { type OpenedSource, openJobSource } from '@framesmith/core/media/open-source';
import { runProcess } from '@framesmith/core/media/run-process';
import { containerLabel, seeksByIndex, sourceTime, withSeekFallback } from '@framesmith/core/media/source-clock';
import { frameLocate } from '@framesmith/core/ops/metrics';
import type { Storage } from '@framesmith/core/storage';
import { BadInputError, type JobContext } from '@framesmith/worker-kit/activity-kit';
import { makeFrameFolder } from './frame-folder.js';
import { frameGrabTimeoutMs, locateInSource } from './locate-frame.js';

/** Share of the progress bar for frame extraction; gifski has the rest (measured ~40%). */
const EXTRACT_SHARE = 0.6;

export interface MakeGifDeps {
  config: Config;
  storage: Storage;
  /** gifski binary; defaults to the one shipped by the `gifski` npm package. */
  gifskiPath?: string;
  /** Parent of the per-job frame folders; defaults to /dev/shm when usable, else the temp folder. */
  frameRoot?: string;
}

/** The binary of the `gifski` npm package, which ships executables only (no JS API). */
export function bundledGifskiPath(): string {
  const pkg = createRequire(import.meta.url).resolve('gifski/package.json');
  const dir = process.platform === 'darwin' ? 'macos' : process.platform === 'win32' ? 'windows' : 'debian';
  return path.join(path.dirname(pkg), 'bin', dir, process.platform === 'win32' ? 'gifski.exe' : 'gifski');
}

let defaultGifski: string | null = null;

export async function makeGif(deps: MakeGifDeps, job: GifJob, ctx: JobContext): Promise<MediaResult> {
  const { config, storage } = deps;
  const { limits } = config;
  const gifski = deps.gifskiPath ?? (defaultGifski ??= bundledGifskiPath());
  const src = await openJobSource(config, storage, job.source, ctx);
  const start = src.toSeconds(job.start);
  const end = src.toSeconds(job.end);
  if (start === null || end === null) throw new BadInputError('the clip start or end cannot be mapped onto the source');
  const span = clipSpanProblem(end - start, limits.maxGifSeconds);
  if (span) throw new BadInputError(`${span.message} (start ${start.toFixed(3)} s, end ${end.toFixed(3)} s on the source)`);
  if (src.durationSeconds !== null && start >= src.durationSeconds) {
    throw new BadInputError(`the clip starts at ${start.toFixed(3)} s, at or beyond the end of the source (${src.durationSeconds.toFixed(3)} s)`);
  }
  // The frames come out of ffmpeg upright (autorotate), so they are sized as displayed.
  const source = { width: src.probe.displayWidth!, height: src.probe.displayHeight! };
  const requested = { width: job.width, height: job.height };
  const planInput = { startSeconds: start, endSeconds: end, fps: job.fps, playbackSpeed: job.playbackSpeed, sourceFps: src.probe.fps };
  const problem = gifLimitProblem(limits, planInput, source, requested);
  if (problem) throw new BadInputError(problem.message);
  const size = gifOutputSize(source, requested, limits.defaultGifMaxWidth);
  const plan = gifFramePlan(planInput);

  // Named after this process, so a worker starting after it was killed removes the frames.
  const frameDir = await makeFrameFolder('gif', plan.frameCount * size.width * size.height * 3, deps.frameRoot);
  let scratch: string | null = null;
  try {
    ctx.progress(0.05, { phase: 'extract', frames: plan.frameCount });
    const progress = createProgressParser((p) => {
      if (p.frame !== null) ctx.progress(phaseProgress({ from: 0.05, to: EXTRACT_SHARE }, p.frame, plan.frameCount), { phase: 'extract', speed: p.speed });
    });
    const from = await gifStart(config, src, start, plan, ctx);
    const extract = async (s: GifStart) => {
      await runProcess(
        config.ffmpegPath,
        gifFramesArgs({ input: src.input, inputOptions: src.inputOptions, ...s, plan, width: size.width, height: size.height, outputPattern: path.join(frameDir, 'f%05d.png') }).flat(),
        { timeoutMs: limits.processTimeoutMs, signal: ctx.signal, onStdout: (chunk) => progress.push(chunk.toString('utf8')) },
      );
      // Fewer frames than planned when the clip runs past the last frame of the source.
      // Numeric order: %05d grows a sixth digit past 99999 frames (limits are configurable).
      return (await readdir(frameDir))
        .filter((f) => /^f\d+\.png$/.test(f))
        .sort((a, b) => Number(a.slice(1, -4)) - Number(b.slice(1, -4)))
        .map((f) => path.join(frameDir, f));
    };
    // No frames: the demuxer's failed seek; read from the beginning.
    const frames = await withSeekFallback(from.start, src.probe.startSeconds, (start) => extract({ ...from, start }), (made) => made.length === 0);
    if (frames.length === 0) throw new BadInputError(`the source has no video frames between ${start.toFixed(3)} s and ${end.toFixed(3)} s`);

    ctx.progress(EXTRACT_SHARE, { phase: 'encode', frames: frames.length });
    scratch = await storage.scratchDir();
    const out = path.join(scratch, 'out.gif');
    const encoded = createGifskiProgressParser((p) => {
      ctx.progress(phaseProgress({ from: EXTRACT_SHARE, to: 1 }, p.frame, p.total), { phase: 'encode' });
    });
    await runProcess(
      gifski,
      gifskiArgs({ frames, output: out, fps: job.fps, width: size.width, playbackRepeats: job.playbackRepeats, reverse: job.reverse }).flat(),
      { timeoutMs: limits.processTimeoutMs, signal: ctx.signal, onStdout: (chunk) => encoded.push(chunk.toString('utf8')) },
    );
    ctx.checkGuards?.();
    const stored = await storage.putFile(job.outputPath, out, { signal: ctx.signal });
    return { path: stored.path, size: stored.size, strategy: 'cpu' };
  } finally {
    await rm(frameDir, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

type GifStart = Pick<GifFramesOptions, 'start' | 'firstFrameAt' | 'leadSeconds'>;

/**
 * Where the GIF's extraction starts reading and which frame comes first: the frame on screen
 * at the clip start. An indexed container with a known rate seeks there itself (the plan's
 * half-frame-early seek); MPEG-TS, HLS and unknown rates need the listed frame times.
 */
async function gifStart(config: Config, src: OpenedSource, startOffset: number, plan: GifFramePlan, ctx: JobContext): Promise<GifStart> {
  const { probe } = src;
  if (seeksByIndex(probe.formatName) && probe.fps) {
    frameLocate.labels('gif', 'window', containerLabel(probe.formatName)).inc();
    const seek = sourceTime(probe.videoStartSeconds, plan.seekSeconds);
    return { start: { seek, zero: seek }, firstFrameAt: seek, leadSeconds: plan.leadSeconds };
  }
  frameLocate.labels('gif', 'listing', containerLabel(probe.formatName)).inc();
  const t = sourceTime(probe.videoStartSeconds, startOffset);
  const located = await locateInSource(config, src, t, frameGrabTimeoutMs(config), ctx.signal);
  if (located === null) throw new BadInputError(`the source has no frame at ${startOffset.toFixed(3)} s`);
  const lead = t - located.pts;
  return { start: located.start, firstFrameAt: located.pickAt, leadSeconds: lead > 1e-6 ? lead : 0 };
}

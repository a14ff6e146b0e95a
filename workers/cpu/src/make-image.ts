// IMAGE: the exact frame at the requested time, grabbed with input seeking into an uncompressed
// TIFF in tmpfs (grab-frame-args.ts says why not a pipe), which sharp encodes as the JPEG (no
// per-job process start for sharp).
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Config } from '@framesmith/core/config';
import type { ImageJob, MediaResult } from '@framesmith/core/domain/job';
import { type FramePick, grabFrameArgs, grabWindowSeconds } from '@framesmith/core/media/grab-frame-args';
import { type OpenedSource, openJobSource } from '@framesmith/core/media/open-source';
import { runProcess } from '@framesmith/core/media/run-process';
import type { MediaProbe } from '@framesmith/core/media/probe-media';
import { containerLabel, type InputStart, seekStartsAtOrBefore, sourceTime, windowStart, withSeekFallback } from '@framesmith/core/media/source-clock';
import { frameLocate } from '@framesmith/core/ops/metrics';
import type { Storage } from '@framesmith/core/storage';
import { BadInputError, type JobContext } from '@framesmith/worker-kit/activity-kit';
import { makeFrameFolder } from './frame-folder.js';
import { frameGrabTimeoutMs, locateInSource } from './locate-frame.js';

export const JPEG_QUALITY = 90;

// HLS packagers differ in where a seek lands (seekStartsAtOrBefore): a playlist whose window
// grab came back empty once is listed from then on, so its grabs do not pay for a wasted
// decode each time. Keyed by the probe, which every job on a cached (finished) source shares.
const hlsWindowMisses = new WeakSet<MediaProbe>();

export interface MakeImageDeps {
  config: Config;
  storage: Storage;
  /** Parent of the per-job frame folder; defaults to /dev/shm when usable, else the temp folder. */
  frameRoot?: string;
}

export async function makeImage(deps: MakeImageDeps, job: ImageJob, ctx: JobContext): Promise<MediaResult> {
  const { config, storage } = deps;
  const src = await openJobSource(config, storage, job.source, ctx);
  const seconds = src.toSeconds(job.time);
  if (seconds === null) throw new BadInputError('the requested time cannot be mapped onto the source');
  // ffmpeg applies the display matrix (autorotate): the frame comes out as displayed.
  const width = src.probe.displayWidth!;
  const height = src.probe.displayHeight!;
  ctx.progress(0.2, { phase: 'grab' });
  const timeoutMs = frameGrabTimeoutMs(config);
  // The TIFF is the frame uncompressed, a small header more than its RGB bytes.
  const frameDir = await makeFrameFolder('image', width * height * 3, deps.frameRoot);
  let scratch: string | null = null;
  try {
    const frame = path.join(frameDir, 'frame.tif');
    const grab = async (start: InputStart, pick: FramePick): Promise<boolean> => {
      await runProcess(config.ffmpegPath, grabFrameArgs({ input: src.input, inputOptions: src.inputOptions, start, pick, output: frame }).flat(), { timeoutMs, signal: ctx.signal });
      return frameWritten(frame);
    };
    const t = sourceTime(src.probe.videoStartSeconds, seconds);
    const fps = src.probe.fps;
    let found = false;
    // Where a seek starts decoding at a keyframe before its target (an indexed container, HLS
    // with MPEG-TS segments), decode a short window before t and keep its last frame, the one on
    // screen at t whatever the frame rate. An empty window (a frame longer than the window, a
    // rate we do not know, a segment that does not open on a keyframe) and other containers
    // need the real frame times.
    if (seekStartsAtOrBefore(src.probe.formatName, src.playlist) && fps && !hlsWindowMisses.has(src.probe)) {
      // Not before the first frame: a seek before it leaves ffmpeg's trim nothing to keep (measured).
      const from = Math.max(src.probe.videoStartSeconds, t - grabWindowSeconds(fps));
      found = await grab(windowStart(from, src.probe.startSeconds, src.playlist?.segments[0]?.duration ?? null), { kind: 'window', until: t, timescale: src.probe.videoTimescale });
      if (!found && src.playlist) hlsWindowMisses.add(src.probe);
    }
    const windowed = found;
    if (!windowed) found = await grabListed(config, src, t, ctx, grab, timeoutMs);
    frameLocate.labels('image', windowed ? 'window' : 'listing', containerLabel(src.probe.formatName)).inc();
    if (!found) throw new BadInputError(`the source has no frame at ${seconds.toFixed(3)} s`);
    ctx.progress(0.6, { phase: 'encode' });
    scratch = await storage.scratchDir();
    const tmp = path.join(scratch, 'frame.jpg');
    // A stream whose size changed after the part the probe read (a mid-stream switch), told from
    // the TIFF's header before any pixel is read. The frame is then the probed size, which
    // openJobSource held to the pixel limit, so sharp gets no limit of its own: it applies one
    // to the header too, with a plain error that would be retried.
    const image = sharp(frame, { limitInputPixels: false });
    const decoded = await image.metadata();
    if (decoded.width !== width || decoded.height !== height) {
      throw new BadInputError(`the decoded frame is ${decoded.width}x${decoded.height}, expected ${width}x${height} (the probed size)`);
    }
    await image
      // libjpeg-turbo, not mozjpeg: measured 12 ms against 120 ms for a 1080p frame here
      // (bench B2); mozjpeg's ~10% smaller files do not pay for a grab's latency.
      // Without optimised Huffman tables: 7 ms against 16 ms for a 1080p frame here, for a
      // file ~12% larger (126 KB against 113 KB; ffmpeg's own -q:v 2 grab is 123 KB).
      .jpeg({ quality: JPEG_QUALITY, optimiseCoding: false })
      .toFile(tmp);
    ctx.checkGuards?.();
    const stored = await storage.putFile(job.outputPath, tmp, { signal: ctx.signal });
    return { path: stored.path, size: stored.size, strategy: 'cpu' };
  } finally {
    await rm(frameDir, { recursive: true, force: true });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** Whether ffmpeg wrote the frame: an empty window writes no file. */
async function frameWritten(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** The frame on screen at source time t, found in the listed frame times and read from the keyframe before it. */
async function grabListed(
  config: Config,
  src: OpenedSource,
  t: number,
  ctx: JobContext,
  grab: (start: InputStart, pick: FramePick) => Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const { probe } = src;
  const located = await locateInSource(config, src, t, timeoutMs, ctx.signal);
  if (located === null) return false;
  // Nothing where the listing shows a frame: the demuxer's failed seek; read from the beginning.
  return withSeekFallback(located.start, probe.startSeconds, (from) => grab(from, { kind: 'from', at: located.pickAt }), (found) => !found);
}

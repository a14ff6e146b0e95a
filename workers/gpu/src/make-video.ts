// VIDEO: an MP4 clip of the event's source. frameAccurate false copies from the keyframe at
// or before the start (keyframe-clip.ts); true gives exactly the frames start <= t < end
// (exact-clip.ts: smart cut when joining is safe, a full re-encode otherwise). This file reads
// the job's facts once (times, limits, tracks, the frame listing), runs one of the two, checks
// the clip (verify-clip.ts) and stores it. The strategy (CPU, or NVDEC/NVENC where the
// capability probe found them working) only changes the decoder and encoder options; the smart
// cut's edges are always libx264 / libx265, since they must reproduce the source's x264 / x265
// parameter sets (smart-cut.ts).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '@framesmith/core/config';
import type { MediaResult, VideoJob } from '@framesmith/core/domain/job';
import { clipSpanProblem } from '@framesmith/core/domain/media-limits';
import { firstListingFrom, LISTING_MARGIN_S, listFramesAround } from '@framesmith/core/media/frame-listing';
import { openJobSource } from '@framesmith/core/media/open-source';
import { type SeekableSource, sourceTime } from '@framesmith/core/media/source-clock';
import type { Storage } from '@framesmith/core/storage';
import { BadInputError, type JobContext } from '@framesmith/worker-kit/activity-kit';
import { type ClipTracks, selectClipTracks, TrackSelectionError } from './clip/clip-tracks.js';
import { streamFacts } from './clip/stream-facts.js';
import { CPU_STRATEGY, type VideoStrategy } from './clip/video-strategy.js';
import type { ClipJob, MadeClip } from './clip-job.js';
import { Runner } from './clip-runner.js';
import { exactClip } from './exact-clip.js';
import { keyframeClip } from './keyframe-clip.js';
import { EarlyPublish } from './early-publish.js';
import { verifyClip } from './verify-clip.js';

export type { ClipPath } from './clip-job.js';

export interface MakeVideoDeps {
  config: Config;
  storage: Storage;
  /** Picks NVDEC/NVENC or the CPU per job (gpu-capabilities); the CPU when absent. */
  chooseStrategy?: () => VideoStrategy;
  /**
   * Smart-cut only when the copied GOPs hold at least this many pixels (frames x width x
   * height); below it a full re-encode is quicker. 0 (the default) always tries.
   */
  smartCutMinCopiedPixels?: number;
}

export async function makeVideo(deps: MakeVideoDeps, job: VideoJob, ctx: JobContext): Promise<MediaResult> {
  const { config, storage } = deps;
  const strategy = (deps.chooseStrategy ?? (() => CPU_STRATEGY))();
  const src = await openJobSource(config, storage, job.source, ctx, config.timeouts.clipProbeMs);
  ctx.progress(0.02, { phase: 'probe' });

  // --- times and limits ------------------------------------------------------------------
  const start = src.toSeconds(job.start);
  const end = src.toSeconds(job.end);
  if (start === null) throw new BadInputError('clip.start cannot be mapped onto the source');
  if (end === null) throw new BadInputError('clip.end cannot be mapped onto the source');
  const span = clipSpanProblem(end - start, config.limits.maxClipSeconds);
  if (span) throw new BadInputError(span.message);
  if (src.durationSeconds !== null && start >= src.durationSeconds) {
    throw new BadInputError(`clip.start is beyond the end of the media (${src.durationSeconds.toFixed(3)} s)`);
  }

  // --- tracks ------------------------------------------------------------------------------
  let tracks: ClipTracks;
  try {
    tracks = selectClipTracks(
      src.tracks.filter((t) => !streamFacts(src.probe.raw, t.index).attachedPic),
      { filter: job.filter, mezzanine: job.mezzanine },
    );
  } catch (err) {
    if (err instanceof TrackSelectionError) throw new BadInputError(err.message);
    throw err;
  }
  for (const v of tracks.video) {
    if ((v.width ?? 0) * (v.height ?? 0) > config.limits.maxSourcePixels) {
      throw new BadInputError(`video track ${v.index} is ${v.width}x${v.height}, above the ${config.limits.maxSourcePixels}-pixel limit`);
    }
  }
  const primary = tracks.video[0]!;
  const facts = streamFacts(src.probe.raw, primary.index);
  // Offsets count from the kept video track's first frame, not the container's start_time,
  // which for MPEG-TS/HLS is the audio's lead-in packet.
  const origin = facts.startTime ?? src.probe.startSeconds;
  const fps = primary.fps ?? src.probe.fps;
  const seekable: SeekableSource = { formatName: src.probe.formatName, containerStart: src.probe.startSeconds };

  // --- the frame timeline around the clip ----------------------------------------------------
  // From the start (MPEG-TS/HLS: a look-back earlier, since they land after the seek point),
  // then earlier, then from the beginning without a seek (frame-listing.ts): a seek to 0 on a
  // clock that starts at 3600 s failed the whole clip.
  const from = sourceTime(origin, start);
  const timeline = await listFramesAround({
    ffprobePath: config.ffprobePath,
    input: src.input,
    inputOptions: src.inputOptions,
    streamIndex: primary.index,
    grid: { origin, fps },
    from,
    to: sourceTime(origin, end) + LISTING_MARGIN_S,
    firstFrom: firstListingFrom(seekable, from),
    timeoutMs: config.timeouts.clipProbeMs,
    signal: ctx.signal,
  });
  if (timeline.frames.length === 0) throw new BadInputError('the source has no video frames in the requested range');
  ctx.progress(0.05, { phase: 'keyframes' });

  const scratch = await storage.scratchDir();
  const output = path.join(scratch, 'clip.mp4');
  const publish = new EarlyPublish(storage, job.outputPath, output, ctx.signal);
  try {
    const c: ClipJob = {
      config, job, ctx, src, seekable, strategy, tracks, primary, timeline, origin, fps, start, end,
      run: new Runner(deps, ctx, scratch),
      pixFmt: facts.pixFmt,
      timescale: facts.timescale ?? 90_000,
      output,
      publish,
    };
    const made: MadeClip = job.frameAccurate ? await exactClip(c, deps.smartCutMinCopiedPixels ?? 0) : await keyframeClip(c);
    ctx.progress(0.95, { phase: 'verify', path: made.used });
    // The bytes are final (a smart cut began uploading them before its own check).
    publish.begin();
    await verifyClip(config, ctx.signal, made.check);
    ctx.progress(0.97, { phase: 'store', path: made.used });
    ctx.checkGuards?.();
    const stored = await publish.commit();
    // Smart-cut edges are always libx264/libx265 (they must match the source's own parameter
    // sets to join), so the label names the CPU encoder that really ran.
    const ran = made.used === 'smart-cut' && strategy.encode === 'nvenc' ? 'nvdec-x264' : strategy.name;
    return { path: stored.path, size: stored.size, strategy: `${ran}/${made.used}` };
  } finally {
    // Nothing after a commit; an upload begun for a clip that failed or was cancelled.
    await publish.discard();
    await rm(scratch, { recursive: true, force: true });
  }
}

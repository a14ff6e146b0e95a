// VIDEO: an MP4 clip of the event's source. frameAccurate false copies from the keyframe at
// or before the start; true gives exactly the frames start <= t < end, by smart cut (edges
// re-encoded, whole GOPs copied) when joining is safe and by a full re-encode otherwise. The
// strategy (CPU, or NVDEC/NVENC where the capability probe found them working) only changes
// the decoder and encoder options; the smart cut's edges are always libx264 / libx265, since
// they must reproduce the source's x264 / x265 parameter sets (smart-cut.ts).
import { clipSpanProblem } from '@framesmith/core/domain/media-limits';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '@framesmith/core/config';
import type { MediaResult, VideoJob } from '@framesmith/core/domain/job';
import { clipCopyArgs, clipReencodeArgs } from './clip/clip-args.js';
import { smartCutBlocker, smartCutPaysOff } from './clip/clip-smart-cut.js';
import { type ClipTracks, mapArgs, selectClipTracks, TrackSelectionError } from './clip/clip-tracks.js';
import { LISTING_MARGIN_S, listFramesAround } from '@framesmith/core/media/frame-listing';
import type { FrameTimeline } from '@framesmith/core/media/keyframes';
import { type OpenedSource, openJobSource } from '@framesmith/core/media/open-source';
import { frameOnScreen, fromBeginning, type InputStart, inputStartArgs, justBefore, keyframeAtOrBefore, planInputStart, seeksByIndex, sourceTime } from '@framesmith/core/media/source-clock';
import { CPU_STRATEGY, decodeArgs, encodeArgs, type VideoStrategy } from './clip/video-strategy.js';
import { log } from '@framesmith/core/ops/lifecycle';
import type { Storage } from '@framesmith/core/storage';
import { BadInputError, type JobContext } from '@framesmith/worker-kit/activity-kit';
import { firstCopiedSliceArgs, isIdrPicture } from './clip/clip-x264.js';
import { onExitFailure } from '@framesmith/core/media/run-process';
import { Runner } from './clip-runner.js';
import { planClipSmartCut, smartCut } from './smart-cut.js';
import { verifyClip, type VerifyClipInput } from './verify-clip.js';

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

export type ClipPath = 'stream-copy' | 'smart-cut' | 'full-reencode';

const PROBE_TIMEOUT_MS = 60_000;

/** Facts about one stream that TrackInfo leaves out, from the probe's raw JSON. */
interface StreamFacts {
  startTime: number | null;
  timescale: number | null;
  pixFmt: string | null;
  attachedPic: boolean;
}

function streamFacts(raw: unknown, index: number): StreamFacts {
  const streams = (raw as { streams?: Record<string, unknown>[] } | null)?.streams ?? [];
  const s = streams.find((x) => x.index === index) ?? {};
  const start = typeof s.start_time === 'string' ? Number(s.start_time) : NaN;
  const tb = typeof s.time_base === 'string' ? /^1\/(\d+)$/.exec(s.time_base) : null;
  const den = tb ? Number(tb[1]) : NaN;
  return {
    startTime: Number.isFinite(start) ? start : null,
    timescale: Number.isInteger(den) && den >= 1 && den <= 10_000_000 ? den : null,
    pixFmt: typeof s.pix_fmt === 'string' && /^[a-z0-9_]+$/.test(s.pix_fmt) ? s.pix_fmt : null,
    attachedPic: (s.disposition as { attached_pic?: number } | undefined)?.attached_pic === 1,
  };
}

export async function makeVideo(deps: MakeVideoDeps, job: VideoJob, ctx: JobContext): Promise<MediaResult> {
  const { config, storage } = deps;
  const strategy = (deps.chooseStrategy ?? (() => CPU_STRATEGY))();
  const src = await openJobSource(config, storage, job.source, ctx, PROBE_TIMEOUT_MS);
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
  const timescale = facts.timescale ?? 90_000;

  // --- the frame timeline around the clip ---------------------------------------------------------
  const timeline = await listFrames(deps, src, primary.index, { origin, fps }, { from: sourceTime(origin, start), to: sourceTime(origin, end) + LISTING_MARGIN_S }, ctx);
  ctx.progress(0.05, { phase: 'keyframes' });

  const scratch = await storage.scratchDir();
  const run = new Runner(deps, ctx, scratch);
  try {
    const tmp = path.join(scratch, 'clip.mp4');
    let used: ClipPath;
    let check: VerifyClipInput;
    // A variable-rate source's nominal rate is not its frame length: the check takes the clip's own.
    const frameSeconds = fps && timeline.onGrid ? 1 / fps : null;
    // Exactly the frames of `span`, re-encoded, read from `from` (source-clock.ts) and trimmed from `pickAt` on.
    const reencodeSpan = (from: InputStart, span: ExactSpan, pickAt: number) =>
      run.ffmpeg(
        clipReencodeArgs({
          input: src.input,
          inputOptions: src.inputOptions,
          decodeOptions: decodeArgs(strategy),
          start: from,
          first: span.first,
          pickAt,
          frameCount: span.count,
          duration: span.duration,
          maps: mapArgs(tracks),
          videoEncode: encodeArgs(strategy),
          audio: tracks.audio,
          copyTs: job.copyTs,
          timescale,
          output: tmp,
        }),
        { phase: 'full-reencode', frames: span.count, from: run.at, to: 0.95 },
      );
    const nothingWritten = async () => (await run.packetTimes(tmp).catch(onExitFailure([]))).length === 0;
    if (!job.frameAccurate) {
      used = 'stream-copy';
      const t0 = sourceTime(origin, start);
      const key = keyframeAtOrBefore(timeline.keyframePackets, t0) ?? timeline.keyframePackets[0];
      if (key === undefined) throw new BadInputError('the source has no keyframe to start a copy at');
      const keyframe = key.pts;
      // An indexed container seeks back to the keyframe from its own time, rounded up; MPEG-TS
      // and HLS land on it from its DTS (source-clock.ts).
      const ceil = Math.ceil(keyframe * 1e6 - 1e-4) / 1e6;
      const copyStart: InputStart = seeksByIndex(src.probe.formatName)
        ? { seek: ceil, zero: ceil }
        : planInputStart({ formatName: src.probe.formatName, containerStart: src.probe.startSeconds, target: keyframe, keyframe: key });
      // An H.264 keyframe that is not IDR (x264 --open-gop's recovery-point I pictures, which
      // mkvmerge flags as keyframes): a copy from it does not decode cleanly (its memory
      // management commands name frames from before it: "mmco: unref short failure", the
      // corpus's x264-open-gop), so such clips are re-encoded from the keyframe instead.
      const nonIdr =
        primary.codec === 'h264' &&
        isIdrPicture(await run.bytes(firstCopiedSliceArgs({ input: src.input, inputOptions: src.inputOptions, startArgs: inputStartArgs(copyStart), streamIndex: primary.index })).catch(onExitFailure(Buffer.alloc(0)))) === false;
      if (!nonIdr) await run.ffmpeg(
        clipCopyArgs({
          input: src.input,
          inputOptions: src.inputOptions,
          start: copyStart,
          end: sourceTime(origin, end),
          maps: mapArgs(tracks),
          audio: tracks.audio,
          copyTs: job.copyTs,
          timescale,
          output: tmp,
        }),
        { phase: 'copy', frames: Math.max(1, Math.round((origin + end - keyframe) * (fps ?? 25))), from: 0.05, to: 0.95 },
      );
      check = { file: tmp, copied: true, expect: { frameSeconds, start, end, firstFrame: keyframe - origin, clockStart: job.copyTs ? keyframe : 0, exactCount: null } };
      if (nonIdr || (copyStart.seek !== null && (await nothingWritten()))) {
        // ffmpeg 5.1 cannot seek in HLS with fMP4 segments, and a copy read from the beginning
        // cannot be cut at the keyframe (output -ss with -t copied no video, measured): the same
        // keyframe-aligned frames are re-encoded from the beginning, and the strategy says so.
        const span = exactSpan(timeline, origin, fps, keyframe - origin, end);
        used = 'full-reencode';
        log('worker-gpu', nonIdr ? 'keyframe clip re-encoded: the H.264 keyframe is not IDR' : 'keyframe clip re-encoded: the source cannot be seeked for a copy', { assetId: job.assetId });
        await rm(tmp, { force: true });
        await reencodeSpan(nonIdr ? copyStart : fromBeginning(src.probe.startSeconds), span, justBefore(frameOnScreen(timeline.frames, span.first)!, fps ? 1 / fps : 0));
        check = { file: tmp, copied: false, expect: { frameSeconds, start: keyframe - origin, end, firstFrame: span.first - origin, clockStart: job.copyTs ? span.first : 0, exactCount: span.count } };
      }
    } else {
      const span = exactSpan(timeline, origin, fps, start, end);
      if (span.count === 0) throw new BadInputError('the clip holds no frame of the source');
      const shown = frameOnScreen(timeline.frames, span.first)!;
      check = {
        file: tmp,
        copied: false,
        expect: { frameSeconds, start, end, firstFrame: span.first - origin, clockStart: job.copyTs ? span.first : 0, exactCount: span.count, startGap: shown.previous === null ? null : span.first - shown.previous },
      };
      const blocker = smartCutBlocker({
        codec: primary.codec,
        videoTracks: tracks.video.length,
        onGrid: timeline.onGrid && fps !== null,
        openGop: timeline.openGopKeyframes.length > 0,
      });
      let fallback = blocker;
      if (blocker === null) {
        // On the grid: the end is clamped to the last listed frame, so the plan cannot ask
        // for frames past the end of the stream.
        const lastOffset = timeline.frames[timeline.frames.length - 1]! - origin;
        const plan = await planClipSmartCut(run, { src, videoIndex: primary.index, timeline, origin, fps: fps!, start, end: Math.min(end, lastOffset + 1 / fps! - 1e-6) });
        if (plan.kind === 'full-reencode') fallback = plan.reason;
        else if (plan.clip.count !== span.count) fallback = `the frame grid gives ${plan.clip.count} frames but ${span.count} are listed`;
        else if (!smartCutPaysOff(plan, (primary.width ?? 0) * (primary.height ?? 0), deps.smartCutMinCopiedPixels ?? 0)) {
          fallback = 'the copied part is too small for a smart cut to pay off';
        } else {
          fallback = await smartCut(run, { src, strategy, job, tracks, plan, timeline, origin, fps: fps!, timescale, pixFmt: facts.pixFmt, output: tmp });
        }
      }
      if (fallback === null) used = 'smart-cut';
      else {
        used = 'full-reencode';
        log('worker-gpu', 'clip re-encoded in full', { assetId: job.assetId, reason: fallback });
        ctx.progress(run.at, { phase: 'full-reencode', fallbackReason: fallback });
        await rm(tmp, { force: true });
        // An indexed container seeks to the first frame itself (ffmpeg's accurate seek drops what
        // precedes it); MPEG-TS and HLS start at the GOP's keyframe and trim (source-clock.ts).
        const pickAt = justBefore(shown, fps ? 1 / fps : 0);
        const floor = Math.floor(span.first * 1e6 + 1e-4) / 1e6;
        const reencodeStart: InputStart = seeksByIndex(src.probe.formatName)
          ? { seek: floor, zero: floor }
          : planInputStart({ formatName: src.probe.formatName, containerStart: src.probe.startSeconds, target: pickAt, keyframe: keyframeAtOrBefore(timeline.keyframePackets, span.first) });
        await reencodeSpan(reencodeStart, span, pickAt);
        // A seek that gave no pictures is the demuxer's failure (ffmpeg 5.1 cannot seek in HLS
        // with fMP4 segments, measured): decode from the beginning instead, trimmed the same way.
        if (reencodeStart.seek !== null && (await nothingWritten())) await reencodeSpan(fromBeginning(src.probe.startSeconds), span, pickAt);
      }
    }
    ctx.progress(0.95, { phase: 'verify', path: used });
    await verifyClip(config, ctx.signal, check);
    ctx.progress(0.97, { phase: 'store', path: used });
    ctx.checkGuards?.();
    const stored = await storage.putFile(job.outputPath, tmp, { signal: ctx.signal });
    // Smart-cut edges are always libx264/libx265 (they must match the source's own parameter
    // sets to join), so the label names the CPU encoder that really ran.
    const ran = used === 'smart-cut' && strategy.encode === 'nvenc' ? 'nvdec-x264' : strategy.name;
    return { path: stored.path, size: stored.size, strategy: `${ran}/${used}` };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function listFrames(
  deps: MakeVideoDeps,
  src: OpenedSource,
  streamIndex: number,
  grid: { origin: number; fps: number | null },
  interval: { from: number; to: number },
  ctx: JobContext,
): Promise<FrameTimeline> {
  // From the start, then earlier, then from the beginning without a seek (frame-listing.ts):
  // a seek to 0 on a clock that starts at 3600 s failed the whole clip.
  const t = await listFramesAround({ ffprobePath: deps.config.ffprobePath, input: src.input, inputOptions: src.inputOptions, streamIndex, grid, ...interval, timeoutMs: PROBE_TIMEOUT_MS, signal: ctx.signal });
  if (t.frames.length === 0) throw new BadInputError('the source has no video frames in the requested range');
  return t;
}

interface ExactSpan {
  /** Source time of the first frame. */
  first: number;
  count: number;
  duration: number;
}

/** The listed frames with start <= t < end (offsets); on the grid this is clipFrameSpan's answer. */
function exactSpan(t: FrameTimeline, origin: number, fps: number | null, start: number, end: number): ExactSpan {
  const eps = 1e-6;
  const inside = t.frames.filter((f) => f - origin >= start - eps && f - origin < end - eps);
  if (inside.length === 0) return { first: origin + start, count: 0, duration: 0 };
  const first = inside[0]!;
  // Off the grid the audio runs to the requested end (the last picture stays until then).
  const duration = t.onGrid && fps ? inside.length / fps : origin + end - first;
  return { first, count: inside.length, duration };
}

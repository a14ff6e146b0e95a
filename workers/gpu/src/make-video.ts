// VIDEO: an MP4 clip of the event's source. frameAccurate false copies from the keyframe at
// or before the start; true gives exactly the frames start <= t < end, by smart cut (edges
// re-encoded, whole GOPs copied) when joining is safe and by a full re-encode otherwise. The
// strategy (CPU, or NVDEC/NVENC where the capability probe found them working) only changes
// the decoder and encoder options; the smart cut's edges are always libx264, since they must
// reproduce the source's x264 parameter sets.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '@framesmith/core/config';
import type { MediaResult, VideoJob } from '@framesmith/core/domain/job';
import { clipCopyArgs, clipReencodeArgs, seekCeil } from '@framesmith/core/media/clip-args';
import {
  type FrameSpan,
  PIECE_NAMES,
  planSmartCut,
  type SmartCutPlan,
  smartCutBlocker,
  smartCutEdgeArgs,
  smartCutJoinArgs,
  smartCutList,
  smartCutMiddleArgs,
  smartCutPaysOff,
} from '@framesmith/core/media/clip-smart-cut';
import { type ClipTracks, mapArgs, selectClipTracks, TrackSelectionError } from '@framesmith/core/media/clip-tracks';
import { checkJoinedClip, framecrcArgs, JOIN_PROBE_FRAMES, joinWindows, parseFramecrc } from '@framesmith/core/media/clip-verify';
import { mirrorX264Options, parameterSetArgs, parseH264Headers, sameParameterSets } from '@framesmith/core/media/clip-x264';
import { createProgressParser } from '@framesmith/core/media/ffmpeg-progress';
import { type FrameTimeline, frameIndexAt, frameTimeline, keyframeListArgs, parseKeyframeList } from '@framesmith/core/media/keyframes';
import { type OpenedSource, openJobSource } from '@framesmith/core/media/open-source';
import { ProcessCancelledError, ProcessError, ProcessTimeoutError, runProcess } from '@framesmith/core/media/run-process';
import { CPU_STRATEGY, decodeArgs, encodeArgs, type VideoStrategy } from '@framesmith/core/media/video-strategy';
import { log } from '@framesmith/core/ops/lifecycle';
import type { Storage } from '@framesmith/core/storage';
import { BadInputError, type JobContext } from '@framesmith/core/temporal/activity-kit';
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
/** Our own scratch files: nothing but the file protocol. */
const FILE_ONLY = ['-protocol_whitelist', 'file'];
// ffprobe stops listing at the first packet past the interval's end in decode order; with
// B-frames the frames just before the end come later, so read well past it.
const LISTING_MARGIN_S = 2;

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
  if (end <= start) throw new BadInputError('clip.end must be after clip.start');
  if (end - start > config.limits.maxClipSeconds) throw new BadInputError(`a clip may be at most ${config.limits.maxClipSeconds} seconds long`);
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
  const timeline = await listFrames(deps, src, primary.index, { origin, fps }, { from: origin + start, to: origin + end + LISTING_MARGIN_S }, ctx);
  ctx.progress(0.05, { phase: 'keyframes' });

  const scratch = await storage.scratchDir();
  const run = new Runner(deps, ctx, scratch);
  try {
    const tmp = path.join(scratch, 'clip.mp4');
    let used: ClipPath;
    let check: VerifyClipInput;
    const frameSeconds = fps ? 1 / fps : null;
    if (!job.frameAccurate) {
      used = 'stream-copy';
      const t0 = origin + start;
      const keyframe = [...timeline.keyframes].reverse().find((k) => k <= t0 + 1e-6) ?? timeline.keyframes[0];
      if (keyframe === undefined) throw new BadInputError('the source has no keyframe to start a copy at');
      await run.ffmpeg(
        clipCopyArgs({
          input: src.input,
          inputOptions: src.inputOptions,
          keyframe,
          end: origin + end,
          maps: mapArgs(tracks),
          audio: tracks.audio,
          copyTs: job.copyTs,
          timescale,
          output: tmp,
        }),
        { phase: 'copy', frames: Math.max(1, Math.round((origin + end - keyframe) * (fps ?? 25))), from: 0.05, to: 0.95 },
      );
      check = { file: tmp, copied: true, expect: { frameSeconds, start, end, firstFrame: keyframe - origin, clockStart: job.copyTs ? keyframe : 0, exactCount: null } };
    } else {
      const span = exactSpan(timeline, origin, fps, start, end);
      if (span.count === 0) throw new BadInputError('the clip holds no frame of the source');
      check = { file: tmp, copied: false, expect: { frameSeconds, start, end, firstFrame: span.first - origin, clockStart: job.copyTs ? span.first : 0, exactCount: span.count } };
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
        const plan = planSmartCut(timeline.keyframes.map((k) => k - origin), fps!, start, Math.min(end, lastOffset + 1 / fps! - 1e-6));
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
        await run.ffmpeg(
          clipReencodeArgs({
            input: src.input,
            inputOptions: src.inputOptions,
            decodeOptions: decodeArgs(strategy),
            first: span.first,
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
      }
    }
    ctx.progress(0.95, { phase: 'verify', path: used });
    await verifyClip(config, ctx.signal, check);
    ctx.progress(0.97, { phase: 'store', path: used });
    ctx.checkGuards?.();
    const stored = await storage.putFile(job.outputPath, tmp, { signal: ctx.signal });
    // Smart-cut edges are always libx264 (they must match the source's own x264 parameter
    // sets to join), so the label names the encoder that really ran.
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
  const list = async (iv: { from: number; to: number } | null) => {
    const { stdout } = await runProcess(deps.config.ffprobePath, keyframeListArgs({ input: src.input, inputOptions: src.inputOptions, streamIndex, interval: iv }).flat(), {
      timeoutMs: PROBE_TIMEOUT_MS,
      signal: ctx.signal,
      maxStdoutBytes: 64 << 20,
    });
    return frameTimeline(parseKeyframeList(stdout.toString('utf8')), grid);
  };
  const t = await list(interval);
  // A seek that landed after the start (no keyframe listed at or before it) or found nothing:
  // list the stream from its beginning instead.
  if (t.frames.length > 0 && t.keyframes.length > 0 && t.keyframes[0]! <= interval.from + 1e-6) return t;
  const whole = await list({ from: 0, to: interval.to });
  if (whole.frames.length === 0) throw new BadInputError('the source has no video frames in the requested range');
  return whole;
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

interface SmartCutInput {
  src: OpenedSource;
  strategy: VideoStrategy;
  job: VideoJob;
  tracks: ClipTracks;
  plan: Extract<SmartCutPlan, { kind: 'smart-cut' }>;
  timeline: FrameTimeline;
  origin: number;
  fps: number;
  timescale: number;
  pixFmt: string | null;
  output: string;
}

/** Makes the clip by smart cut; returns null when done, or why it fell back. */
async function smartCut(run: Runner, s: SmartCutInput): Promise<string | null> {
  const { src, plan, timeline, origin, fps } = s;
  const videoIndex = s.tracks.video[0]!.index;
  // Frame n's time as ffprobe printed it, so seeks match ffmpeg's own rounding exactly.
  const frameTimes = new Map(timeline.frames.map((f) => [frameIndexAt(f, origin, fps), f]));
  const at = (n: number) => frameTimes.get(n) ?? origin + n / fps;
  const editFrames = (plan.head?.count ?? 0) + (plan.tail?.count ?? 0);
  // Rough relative costs per frame: encode 1, decode for the check 0.25 (the edges and about
  // two GOPs, twice), copy and mux 0.02.
  const total = editFrames + 0.25 * 2 * (editFrames + Math.min(plan.middle.count, 2 * gopFrames(timeline, origin, fps))) + 0.02 * plan.clip.count + 1;
  const share = (frames: number) => (0.9 * frames) / total;
  try {
    const source = parseH264Headers(await run.bytes(parameterSetArgs({ input: src.input, inputOptions: src.inputOptions, streamIndex: videoIndex })));
    if (source.x264 === null) return 'the source was not encoded by x264, so the edges cannot reproduce its parameter sets';
    const atMiddle = parseH264Headers(
      await run.bytes(parameterSetArgs({ input: src.input, inputOptions: [...src.inputOptions, '-seek_timestamp', '1', '-ss', seekCeil(at(plan.middle.first))], streamIndex: videoIndex })),
    );
    if (atMiddle.sps.length === 0) return 'the source parameter sets could not be read';
    const mirror = mirrorX264Options(source.x264, atMiddle.sps[0]!);
    if (!mirror.ok) return mirror.reason;

    const piece = (name: string) => path.join(run.scratch, name);
    const edge = async (span: FrameSpan, name: string): Promise<string | null> => {
      await run.ffmpeg(
        smartCutEdgeArgs({
          input: src.input,
          inputOptions: src.inputOptions,
          decodeOptions: decodeArgs(s.strategy),
          streamIndex: videoIndex,
          first: at(span.first),
          frameCount: span.count,
          x264Params: mirror.params,
          pixFmt: s.pixFmt,
          timescale: s.timescale,
          output: piece(name),
        }),
        { phase: `smart-cut ${name}`, frames: span.count, from: run.at, to: run.at + share(span.count) },
      );
      const made = parseH264Headers(await run.bytes(parameterSetArgs({ input: piece(name), inputOptions: FILE_ONLY, streamIndex: 0 })));
      return sameParameterSets(made, atMiddle) ? null : `the re-encoded ${name} has SPS/PPS different from the source's`;
    };
    if (plan.head) {
      const problem = await edge(plan.head, PIECE_NAMES.head);
      if (problem) return problem;
    }
    await run.ffmpeg(
      smartCutMiddleArgs({
        input: src.input,
        inputOptions: src.inputOptions,
        streamIndex: videoIndex,
        keyframe: at(plan.middle.first),
        frameCount: plan.middle.count,
        timescale: s.timescale,
        output: piece(PIECE_NAMES.middle),
      }),
      { phase: 'smart-cut middle', frames: plan.middle.count, from: run.at, to: run.at + 0.01 * share(plan.middle.count) },
    );
    if (plan.tail) {
      const problem = await edge(plan.tail, PIECE_NAMES.tail);
      if (problem) return problem;
    }
    const listFile = piece(PIECE_NAMES.list);
    await writeFile(listFile, smartCutList(plan));
    const first = at(plan.clip.first);
    await run.ffmpeg(
      smartCutJoinArgs({
        listFile,
        audio: { input: src.input, inputOptions: src.inputOptions, first, duration: plan.clip.count / fps, tracks: s.tracks.audio },
        copyTsOffset: s.job.copyTs ? first : null,
        timescale: s.timescale,
        output: s.output,
      }),
      { phase: 'smart-cut join', frames: plan.clip.count, from: run.at, to: run.at + 0.02 * share(plan.clip.count) },
    );

    // --- check the joins by decoding them -----------------------------------------------------
    const times = (await run.packetTimes(s.output)).sort((a, b) => a - b);
    const n = plan.clip.count;
    if (times.length !== n) return `the joined clip failed its check: it has ${times.length} frames, expected ${n}`;
    const middleEnd = plan.middle.first + plan.middle.count;
    const keys = timeline.keyframes.map((k) => frameIndexAt(k, origin, fps)).filter((k) => k >= plan.middle.first && k < middleEnd);
    const firstGopEnd = keys.find((k) => k > plan.middle.first) ?? middleEnd;
    const lastKey = keys[keys.length - 1] ?? plan.middle.first;
    const windows = joinWindows({
      frameCount: n,
      firstCopied: plan.middle.first - plan.clip.first,
      firstCopiedGopEnd: firstGopEnd - plan.clip.first,
      lastCopiedKeyframe: lastKey - plan.clip.first,
      tailStart: middleEnd - plan.clip.first,
    });
    // The source's decode of the copied frames those windows cover.
    const sourceGops =
      windows.length === 1
        ? [...new Map([[plan.middle.first, firstGopEnd], [lastKey, middleEnd]]).entries()]
        : [
            [plan.middle.first, Math.min(firstGopEnd, plan.middle.first + JOIN_PROBE_FRAMES)] as const,
            [lastKey, Math.min(middleEnd, lastKey + JOIN_PROBE_FRAMES)] as const,
          ];
    const crcs = async (input: string, inputOptions: string[], stream: string, from: number | null, frames: number) =>
      parseFramecrc((await run.bytes(framecrcArgs({ input, inputOptions, stream, from, frames }))).toString('utf8')).map((f) => f.crc);
    const [decoded, copied] = await Promise.all([
      Promise.all(windows.map(async (w) => ({ at: w.at, expected: w.count, crcs: await crcs(s.output, FILE_ONLY, 'v:0', w.at === 0 ? null : times[w.at]!, w.count) }))),
      Promise.all(sourceGops.map(async ([from, to]) => ({ at: from - plan.clip.first, expected: to - from, crcs: await crcs(src.input, src.inputOptions, String(videoIndex), at(from), to - from) }))),
    ]);
    run.advance(share(0.25 * (windows.reduce((sum, w) => sum + w.count, 0) + plan.middle.count)));
    const problem = checkJoinedClip({ times, frameCount: n, fps, decoded, copied });
    return problem === null ? null : `the joined clip failed its check: ${problem}`;
  } catch (err) {
    if (err instanceof ProcessCancelledError || err instanceof ProcessTimeoutError || !(err instanceof ProcessError)) throw err;
    return `a smart-cut step failed: ${err.message}`;
  }
}

/** The longest GOP listed, in frames. */
function gopFrames(t: FrameTimeline, origin: number, fps: number): number {
  const keys = t.keyframes.map((k) => frameIndexAt(k, origin, fps));
  let longest = 1;
  for (let i = 1; i < keys.length; i++) longest = Math.max(longest, keys[i]! - keys[i - 1]!);
  return longest;
}

/** Runs the clip's ffmpeg/ffprobe steps with the job's deadline, cancellation and progress. */
class Runner {
  /** Progress reached so far, 0..1. */
  at = 0.05;

  constructor(
    private readonly deps: MakeVideoDeps,
    private readonly ctx: JobContext,
    readonly scratch: string,
  ) {}

  private get timeoutMs(): number {
    return this.deps.config.limits.processTimeoutMs;
  }

  advance(by: number): void {
    this.at = Math.min(0.95, this.at + by);
    this.ctx.progress(this.at);
  }

  async ffmpeg(args: string[][], p: { phase: string; frames: number; from: number; to: number }): Promise<void> {
    const from = Math.max(this.at, p.from);
    const to = Math.min(0.95, Math.max(from, p.to));
    this.ctx.progress(from, { phase: p.phase });
    const parser = createProgressParser((u) => {
      if (u.frame !== null && p.frames > 0) this.ctx.progress(from + (to - from) * Math.min(1, u.frame / p.frames), { phase: p.phase, speed: u.speed });
    });
    await runProcess(this.deps.config.ffmpegPath, args.flat(), {
      timeoutMs: this.timeoutMs,
      signal: this.ctx.signal,
      onStdout: (chunk) => parser.push(chunk.toString('utf8')),
    });
    this.at = to;
  }

  /** An ffmpeg run whose stdout is the result (headers, checksums). */
  async bytes(args: string[]): Promise<Buffer> {
    const { stdout } = await runProcess(this.deps.config.ffmpegPath, args, { timeoutMs: this.timeoutMs, signal: this.ctx.signal, maxStdoutBytes: 64 << 20 });
    return stdout;
  }

  /** Presentation times of the video packets of a finished clip, in decode order (no decoding). */
  async packetTimes(file: string): Promise<number[]> {
    const { stdout } = await runProcess(
      this.deps.config.ffprobePath,
      keyframeListArgs({ input: file, inputOptions: FILE_ONLY, streamIndex: 0, interval: null }).flat(),
      { timeoutMs: PROBE_TIMEOUT_MS, signal: this.ctx.signal, maxStdoutBytes: 64 << 20 },
    );
    return parseKeyframeList(stdout.toString('utf8')).map((p) => p.pts ?? Number.NaN);
  }
}

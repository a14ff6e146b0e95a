// The smart cut of a frame-accurate clip (clip-smart-cut.ts plans it and builds the
// arguments): the partial GOPs at the edges re-encoded with the source's own encoder settings
// (libx264 mirroring x264's SEI for H.264, libx265 mirroring x265's for HEVC), the whole GOPs
// between copied, joined, and the joins decoded and compared with the source before the clip
// is accepted. Anything unsafe returns why, and make-video.ts re-encodes in full instead.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VideoJob } from '@framesmith/core/domain/job';
import { seekCeil } from './clip/clip-args.js';
import {
  type EdgeEncoder,
  type FrameSpan,
  hevcMiddleBsf,
  leadingPictures,
  PIECE_NAMES,
  planSmartCut,
  type SmartCutPlan,
  smartCutEdgeArgs,
  smartCutJoinArgs,
  smartCutList,
  smartCutMiddleArgs,
} from './clip/clip-smart-cut.js';
import type { ClipTracks } from './clip/clip-tracks.js';
import { checkJoinedClip, framecrcArgs, JOIN_PROBE_FRAMES, joinWindows, parseFramecrc } from './clip/clip-verify.js';
import { mirrorX264Options, parameterSetArgs, parseH264Headers, sameParameterSets, withFixedFrameRate } from './clip/clip-x264.js';
import { hevcParameterSetArgs, mirrorX265Options, normaliseHevcBsf, parseHevcHeaders, sameHevcParameterSets } from './clip/clip-x265.js';
import { type FrameTimeline, frameIndexAt } from '@framesmith/core/media/keyframes';
import type { OpenedSource } from '@framesmith/core/media/open-source';
import { isExitFailure } from '@framesmith/core/media/run-process';
import { type InputStart, keyframeAtOrBefore, planInputStart, seeksByIndex } from '@framesmith/core/media/source-clock';
import { decodeArgs, type VideoStrategy } from './clip/video-strategy.js';
import { FILE_ONLY, type Runner } from './clip-runner.js';

// ffprobe stops listing at the first packet past the interval's end in decode order; the
// leading pictures of the keyframe that ends the copy come just after it.
const LEADING_MARGIN_S = 2;

export interface SmartCutPlanInput {
  src: OpenedSource;
  videoIndex: number;
  timeline: FrameTimeline;
  origin: number;
  fps: number;
  /** Offsets from the track's first frame. */
  start: number;
  end: number;
}

/**
 * The plan, with each keyframe's leading pictures listed first where the source has open GOPs
 * (only HEVC gets this far with them: smartCutBlocker).
 */
export async function planClipSmartCut(run: Runner, p: SmartCutPlanInput): Promise<SmartCutPlan> {
  const keyframes = p.timeline.keyframes.map((k) => k - p.origin);
  if (p.timeline.openGopKeyframes.length === 0) return planSmartCut(keyframes, p.fps, p.start, p.end);
  const packets = await run.packets({ input: p.src.input, inputOptions: p.src.inputOptions, streamIndex: p.videoIndex, from: p.origin + p.start, to: p.origin + p.end + LEADING_MARGIN_S });
  const leading = new Map([...leadingPictures(packets)].map(([pts, n]) => [frameIndexAt(pts, p.origin, p.fps), n]));
  // Every listed open-GOP keyframe counts as open even when this listing missed its packets.
  for (const k of p.timeline.openGopKeyframes) {
    const n = frameIndexAt(k, p.origin, p.fps);
    if (!leading.get(n)) leading.set(n, Math.max(1, leading.get(n) ?? 0));
  }
  return planSmartCut(keyframes, p.fps, p.start, p.end, leading);
}

export interface SmartCutInput {
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

/** How the edges are encoded and checked against the copied GOPs, per codec. */
interface EdgeRecipe {
  encoder: EdgeEncoder;
  /** A second encoder to try when the first edge does not match (then kept for the other edge). */
  alternative: EdgeEncoder | null;
  /** Filter for the copied GOPs (HEVC's VUI normalisation and leading-picture drop). */
  middleBsf: string | null;
  /** Why an encoded piece cannot join the copied GOPs, or null. Runs after the middle is made. */
  mismatch: (piece: string, name: string) => Promise<string | null>;
}

/** Makes the clip by smart cut; returns null when done, or why it fell back. */
export async function smartCut(run: Runner, s: SmartCutInput): Promise<string | null> {
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
  const piece = (name: string) => path.join(run.scratch, name);
  // Where reading starts for a piece beginning at t. An indexed container lands on the keyframe
  // from a seek to t, except before an open GOP's leading pictures (its seek goes by decode
  // time): the edges then decode from the keyframe before them. MPEG-TS and HLS land on a
  // keyframe only from its DTS (source-clock.ts), for the copied middle too.
  const open = timeline.openGopKeyframes.length > 0;
  const indexed = seeksByIndex(src.probe.formatName);
  const startFor = (t: number): InputStart | null => {
    const key = keyframeAtOrBefore(timeline.keyframePackets, t);
    if (indexed) return open && key ? { seek: key.pts, zero: key.pts } : null;
    return planInputStart({ formatName: src.probe.formatName, containerStart: src.probe.startSeconds, target: t, keyframe: key });
  };
  try {
    const codec = s.tracks.video[0]!.codec;
    const recipe = codec === 'hevc' ? await hevcRecipe(run, s, piece(PIECE_NAMES.middle)) : await h264Recipe(run, s, at(plan.middle.first));
    if (typeof recipe === 'string') return recipe;

    await run.ffmpeg(
      smartCutMiddleArgs({
        input: src.input,
        inputOptions: src.inputOptions,
        streamIndex: videoIndex,
        keyframe: at(plan.middle.first),
        frameCount: plan.middle.count,
        timescale: s.timescale,
        output: piece(PIECE_NAMES.middle),
        bsf: recipe.middleBsf,
        start: indexed ? null : startFor(at(plan.middle.first)),
      }),
      { phase: 'smart-cut middle', frames: plan.middle.count, from: run.at, to: run.at + 0.01 * share(plan.middle.count) },
    );
    const edge = async (span: FrameSpan, name: string): Promise<string | null> => {
      const problem = await encodeEdge(span, name);
      if (problem === null || recipe.alternative === null) return problem;
      recipe.encoder = recipe.alternative;
      recipe.alternative = null;
      return encodeEdge(span, name);
    };
    const encodeEdge = async (span: FrameSpan, name: string): Promise<string | null> => {
      await run.ffmpeg(
        smartCutEdgeArgs({
          input: src.input,
          inputOptions: src.inputOptions,
          decodeOptions: decodeArgs(s.strategy),
          streamIndex: videoIndex,
          first: at(span.first),
          seekFrom: startFor(at(span.first)),
          frameCount: span.count,
          encoder: recipe.encoder,
          pixFmt: s.pixFmt,
          timescale: s.timescale,
          output: piece(name),
        }),
        { phase: `smart-cut ${name}`, frames: span.count, from: run.at, to: run.at + share(span.count) },
      );
      return recipe.mismatch(piece(name), name);
    };
    for (const [span, name] of [[plan.head, PIECE_NAMES.head], [plan.tail, PIECE_NAMES.tail]] as const) {
      const problem = span ? await edge(span, name) : null;
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
        rotation: src.probe.rotation,
      }),
      { phase: 'smart-cut join', frames: plan.clip.count, from: run.at, to: run.at + 0.02 * share(plan.clip.count) },
    );
    const problem = await checkJoins(run, s, at);
    run.advance(share(0.25 * (editFrames + plan.middle.count)));
    return problem === null ? null : `the joined clip failed its check: ${problem}`;
  } catch (err) {
    if (!isExitFailure(err)) throw err;
    return `a smart-cut step failed: ${err.message}`;
  }
}

/** H.264: x264's options from the SEI; the edges' SPS/PPS must equal the source's at the copy. */
async function h264Recipe(run: Runner, s: SmartCutInput, middleTime: number): Promise<EdgeRecipe | string> {
  const { src } = s;
  const videoIndex = s.tracks.video[0]!.index;
  const source = parseH264Headers(await run.bytes(parameterSetArgs({ input: src.input, inputOptions: src.inputOptions, streamIndex: videoIndex })));
  if (source.x264 === null) return 'the source was not encoded by x264, so the edges cannot reproduce its parameter sets';
  const atMiddle = parseH264Headers(
    await run.bytes(parameterSetArgs({ input: src.input, inputOptions: [...src.inputOptions, '-seek_timestamp', '1', '-ss', seekCeil(middleTime)], streamIndex: videoIndex })),
  );
  if (atMiddle.sps.length === 0) return 'the source parameter sets could not be read';
  const mirror = mirrorX264Options(source.x264, atMiddle.sps[0]!);
  if (!mirror.ok) return mirror.reason;
  return {
    encoder: { codec: 'libx264', params: mirror.params },
    alternative: { codec: 'libx264', params: withFixedFrameRate(mirror.params) },
    middleBsf: null,
    mismatch: async (file, name) => {
      const made = parseH264Headers(await run.bytes(parameterSetArgs({ input: file, inputOptions: FILE_ONLY, streamIndex: 0 })));
      return sameParameterSets(made, atMiddle) ? null : `the re-encoded ${name} has SPS/PPS different from the source's`;
    },
  };
}

/**
 * HEVC: x265's options from the SEI; the copied GOPs pass through the VUI normalisation (and
 * lose an open GOP's leading pictures), and the edges' VPS/SPS/PPS must equal the copy's.
 */
async function hevcRecipe(run: Runner, s: SmartCutInput, middleFile: string): Promise<EdgeRecipe | string> {
  const { src } = s;
  const videoIndex = s.tracks.video[0]!.index;
  const source = parseHevcHeaders(await run.bytes(hevcParameterSetArgs({ input: src.input, inputOptions: src.inputOptions, streamIndex: videoIndex })));
  if (source.x265 === null) return 'the source was not encoded by x265, so the edges cannot reproduce its parameter sets';
  const mirror = mirrorX265Options(source.x265);
  if (!mirror.ok) return mirror.reason;
  const raw = (src.probe.raw as { streams?: Record<string, unknown>[] } | null)?.streams?.find((x) => x.index === videoIndex) ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const bsf = normaliseHevcBsf({ colorRange: text(raw.color_range), chromaLocation: text(raw.chroma_location) });
  let copied: Buffer[] | null = null;
  return {
    encoder: { codec: 'libx265', params: mirror.params, bsf },
    alternative: null,
    middleBsf: hevcMiddleBsf(bsf, s.timeline.openGopKeyframes.length > 0),
    mismatch: async (file, name) => {
      const sets = async (input: string) => parseHevcHeaders(await run.bytes(hevcParameterSetArgs({ input, inputOptions: FILE_ONLY, streamIndex: 0 }))).parameterSets;
      copied ??= await sets(middleFile);
      return sameHevcParameterSets(await sets(file), copied) ? null : `the re-encoded ${name} has VPS/SPS/PPS different from the source's`;
    },
  };
}

/** Decodes the joins of the finished clip and compares the copied frames with the source's. */
async function checkJoins(run: Runner, s: SmartCutInput, at: (n: number) => number): Promise<string | null> {
  const { src, plan, timeline, origin, fps } = s;
  const videoIndex = s.tracks.video[0]!.index;
  const times = (await run.packetTimes(s.output)).sort((a, b) => a - b);
  const n = plan.clip.count;
  if (times.length !== n) return `it has ${times.length} frames, expected ${n}`;
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
  return checkJoinedClip({ times, frameCount: n, fps, decoded, copied });
}

/** The longest GOP listed, in frames. */
function gopFrames(t: FrameTimeline, origin: number, fps: number): number {
  const keys = t.keyframes.map((k) => frameIndexAt(k, origin, fps));
  let longest = 1;
  for (let i = 1; i < keys.length; i++) longest = Math.max(longest, keys[i]! - keys[i - 1]!);
  return longest;
}

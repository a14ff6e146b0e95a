// The smart cut of a frame-accurate clip (clip-smart-cut.ts plans it, smart-cut-args.ts
// builds the arguments): the partial GOPs at the edges re-encoded with the source's own
// encoder settings (smart-cut-recipe.ts), the whole GOPs between copied and the audio encoded,
// all side by side, then joined, and the joins decoded and compared with the source
// (smart-cut-check.ts) before the clip is accepted. Anything unsafe returns why, and
// make-video.ts re-encodes in full instead.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VideoJob } from '@framesmith/core/domain/job';
import { type FrameSpan, planSmartCut, type SmartCutPlan } from './clip/clip-smart-cut.js';
import type { ClipTracks } from './clip/clip-tracks.js';
import { type EdgeEncoder, PIECE_NAMES, smartCutAudioArgs, smartCutEdgeArgs, smartCutJoinArgs, smartCutList, smartCutMiddleArgs } from './clip/smart-cut-args.js';
import { type FrameTimeline, frameIndexAt, type VideoPacket } from '@framesmith/core/media/keyframes';
import type { OpenedSource } from '@framesmith/core/media/open-source';
import { isExitFailure } from '@framesmith/core/media/run-process';
import { copyStart, decodeStart, type InputStart, keyframeAtOrBefore, seeksByIndex } from '@framesmith/core/media/source-clock';
import { decodeArgs, type VideoStrategy } from './clip/video-strategy.js';
import type { Runner } from './clip-runner.js';
import { checkJoins } from './smart-cut-check.js';
import { h264Recipe, hevcRecipe } from './smart-cut-recipe.js';

export interface SmartCutPlanInput {
  timeline: FrameTimeline;
  origin: number;
  fps: number;
  /** Offsets from the track's first frame. */
  start: number;
  end: number;
}

/**
 * The plan, with each open-GOP keyframe's leading pictures counted (only HEVC gets this far with
 * them: smartCutBlocker). The timeline's listing runs past the end by LISTING_MARGIN_S, so the
 * leading pictures of the keyframe that ends the copy, which come after it, are in it.
 */
export function planClipSmartCut(p: SmartCutPlanInput): SmartCutPlan {
  const keyframes = p.timeline.keyframes.map((k) => k - p.origin);
  const leading = new Map([...p.timeline.leadingPictures].map(([pts, n]) => [frameIndexAt(pts, p.origin, p.fps), n]));
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
  /** Called once the joined clip is written, before its check: its upload may start (early-publish.ts). */
  outputFinal?: () => void;
}

/** Makes the clip by smart cut; returns its packets (as its check listed them) when done, or why it fell back. */
export async function smartCut(run: Runner, s: SmartCutInput): Promise<string | { packets: VideoPacket[] }> {
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
  const open = timeline.leadingPictures.size > 0;
  const indexed = seeksByIndex(src.probe.formatName);
  const source = { formatName: src.probe.formatName, containerStart: src.probe.startSeconds };
  const keyAt = (t: number) => keyframeAtOrBefore(timeline.keyframePackets, t);
  const edgeStart = (t: number): InputStart | null => (indexed && !open ? null : decodeStart(source, t, keyAt(t), { fromKeyframe: open }));
  const middleKey = keyAt(at(plan.middle.first));
  try {
    const codec = s.tracks.video[0]!.codec;
    const recipe =
      codec === 'hevc'
        ? await hevcRecipe(run, { src, videoIndex, openGop: open, middleFile: piece(PIECE_NAMES.middle) })
        : await h264Recipe(run, { src, videoIndex }, at(plan.middle.first));
    if (typeof recipe === 'string') return recipe;

    // The pieces run side by side; their progress is reported once all are made.
    const quiet = (phase: string) => ({ phase, frames: 0, from: run.at, to: run.at });
    const middle = run.ffmpeg(
      smartCutMiddleArgs({
        input: src.input,
        inputOptions: src.inputOptions,
        streamIndex: videoIndex,
        keyframe: at(plan.middle.first),
        frameCount: plan.middle.count,
        timescale: s.timescale,
        output: piece(PIECE_NAMES.middle),
        bsf: recipe.middleBsf,
        start: indexed ? null : middleKey ? copyStart(source, middleKey) : decodeStart(source, at(plan.middle.first), null),
      }),
      quiet('smart-cut middle'),
    );
    const encodeEdge = (span: FrameSpan, name: string, encoder: EdgeEncoder) =>
      run.ffmpeg(
        smartCutEdgeArgs({
          input: src.input,
          inputOptions: src.inputOptions,
          decodeOptions: decodeArgs(s.strategy),
          streamIndex: videoIndex,
          first: at(span.first),
          seekFrom: edgeStart(at(span.first)),
          frameCount: span.count,
          encoder,
          pixFmt: s.pixFmt,
          timescale: s.timescale,
          output: piece(name),
        }),
        quiet(`smart-cut ${name}`),
      );
    const edge = async (span: FrameSpan, name: string): Promise<string | null> => {
      await encodeEdge(span, name, recipe.encoder);
      await middle;
      const problem = await recipe.mismatch(piece(name), name);
      if (problem === null || recipe.alternative === null) return problem;
      await encodeEdge(span, name, recipe.alternative);
      return recipe.mismatch(piece(name), name);
    };
    const first = at(plan.clip.first);
    const audio = s.tracks.audio.length > 0 ? piece(PIECE_NAMES.audio) : null;
    const made = await allSettled([
      middle.then(() => null),
      audio ? run.ffmpeg(smartCutAudioArgs({ input: src.input, inputOptions: src.inputOptions, first, duration: plan.clip.count / fps, tracks: s.tracks.audio, output: audio }), quiet('smart-cut audio')).then(() => null) : null,
      plan.head ? edge(plan.head, PIECE_NAMES.head) : null,
      plan.tail ? edge(plan.tail, PIECE_NAMES.tail) : null,
    ]);
    const problem = made.find((p) => p !== null);
    if (problem) return problem;
    run.advance(share(editFrames + 0.01 * plan.middle.count));

    const listFile = piece(PIECE_NAMES.list);
    await writeFile(listFile, smartCutList(plan));
    await run.ffmpeg(
      smartCutJoinArgs({ listFile, audioFile: audio, copyTsOffset: s.job.copyTs ? first : null, timescale: s.timescale, output: s.output, rotation: src.probe.rotation }),
      { phase: 'smart-cut join', frames: plan.clip.count, from: run.at, to: run.at + 0.02 * share(plan.clip.count) },
    );
    s.outputFinal?.();
    const joined = await checkJoins(run, { src, videoIndex, plan, timeline, origin, fps, output: s.output, at });
    run.advance(share(0.25 * (editFrames + plan.middle.count)));
    return typeof joined === 'string' ? `the joined clip failed its check: ${joined}` : joined;
  } catch (err) {
    if (!isExitFailure(err)) throw err;
    return `a smart-cut step failed: ${err.message}`;
  }
}

/**
 * Waits for every piece, so that no ffmpeg run is left writing into the scratch folder when
 * the smart cut gives up; then throws the first failure, or gives each piece's result.
 */
async function allSettled<T>(runs: readonly (Promise<T> | T)[]): Promise<T[]> {
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** The longest GOP listed, in frames. */
function gopFrames(t: FrameTimeline, origin: number, fps: number): number {
  const keys = t.keyframes.map((k) => frameIndexAt(k, origin, fps));
  let longest = 1;
  for (let i = 1; i < keys.length; i++) longest = Math.max(longest, keys[i]! - keys[i - 1]!);
  return longest;
}

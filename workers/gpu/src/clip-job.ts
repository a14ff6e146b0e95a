// What both ways of making a VIDEO clip share (keyframe-clip.ts, exact-clip.ts): the job's
// facts about its source, read once by make-video.ts, and the exact re-encode of a span of
// listed frames, which the frame-accurate clip falls back to and the keyframe clip uses where
// a copy cannot be made.
import type { Config } from '@framesmith/core/config';
import type { VideoJob } from '@framesmith/core/domain/job';
import type { FrameTimeline, VideoPacket } from '@framesmith/core/media/keyframes';
import type { OpenedSource } from '@framesmith/core/media/open-source';
import { onExitFailure } from '@framesmith/core/media/run-process';
import { type InputStart, type SeekableSource, withSeekFallback } from '@framesmith/core/media/source-clock';
import type { TrackInfo } from '@framesmith/core/media/track-info';
import type { JobContext } from '@framesmith/worker-kit/activity-kit';
import { clipReencodeArgs } from './clip/clip-args.js';
import { type ClipTracks, mapArgs } from './clip/clip-tracks.js';
import { decodeArgs, encodeArgs, type VideoStrategy } from './clip/video-strategy.js';
import type { Runner } from './clip-runner.js';
import type { EarlyPublish } from './early-publish.js';
import type { VerifyClipInput } from './verify-clip.js';

export type ClipPath = 'stream-copy' | 'smart-cut' | 'full-reencode';

export interface ClipJob {
  config: Config;
  job: VideoJob;
  ctx: JobContext;
  run: Runner;
  src: OpenedSource;
  /** The source's demuxer and clock start, for where reading starts (source-clock.ts). */
  seekable: SeekableSource;
  strategy: VideoStrategy;
  tracks: ClipTracks;
  /** The first kept video track, whose frames the clip counts. */
  primary: TrackInfo;
  pixFmt: string | null;
  /** Source time of the primary track's first frame: request offsets count from it. */
  origin: number;
  fps: number | null;
  timescale: number;
  /** The primary track's frames around the clip. */
  timeline: FrameTimeline;
  /** Request offsets. */
  start: number;
  end: number;
  /** Where the clip is written, in scratch. */
  output: string;
  /** Its upload to storage, begun once its bytes are final (early-publish.ts). */
  publish: EarlyPublish;
}

/** A made clip: how, what the verification must find in it, and its packets when already listed. */
export interface MadeClip {
  used: ClipPath;
  /** Why the planned path was not taken, when it was not. */
  fallbackReason?: string;
  check: VerifyClipInput;
}

export interface ExactSpan {
  /** Source time of the first frame. */
  first: number;
  count: number;
  duration: number;
}

/** The listed frames with start <= t < end (offsets); on the grid this is clipFrameSpan's answer. */
export function exactSpan(t: FrameTimeline, origin: number, fps: number | null, start: number, end: number): ExactSpan {
  const eps = 1e-6;
  const inside = t.frames.filter((f) => f - origin >= start - eps && f - origin < end - eps);
  if (inside.length === 0) return { first: origin + start, count: 0, duration: 0 };
  const first = inside[0]!;
  // Off the grid the audio runs to the requested end (the last picture stays until then).
  const duration = t.onGrid && fps ? inside.length / fps : origin + end - first;
  return { first, count: inside.length, duration };
}

/** Exactly the frames of `span`, re-encoded, read from `from` (source-clock.ts) and trimmed from `pickAt` on. */
export async function reencodeSpan(c: ClipJob, from: InputStart, span: ExactSpan, pickAt: number): Promise<void> {
  await c.run.ffmpeg(
    clipReencodeArgs({
      input: c.src.input,
      inputOptions: c.src.inputOptions,
      decodeOptions: decodeArgs(c.strategy),
      start: from,
      first: span.first,
      pickAt,
      frameCount: span.count,
      duration: span.duration,
      maps: mapArgs(c.tracks),
      videoEncode: encodeArgs(c.strategy),
      audio: c.tracks.audio,
      copyTs: c.job.copyTs,
      timescale: c.timescale,
      output: c.output,
    }),
    { phase: 'full-reencode', frames: span.count, from: c.run.at, to: 0.95 },
  );
}

/**
 * Makes the clip from `start` and lists its packets (once: the verification reuses them); when
 * a seek gave no pictures (ffmpeg 5.1 and HLS with fMP4 segments), `make` runs again from the
 * beginning. Null packets: the clip could not be read back, which the verification reports.
 */
export function makeListed(c: ClipJob, start: InputStart, make: (from: InputStart, fallback: boolean) => Promise<void>): Promise<VideoPacket[] | null> {
  return withSeekFallback(
    start,
    c.seekable.containerStart,
    async (from, fallback) => {
      await make(from, fallback);
      return c.run.clipPackets(c.output).catch(onExitFailure(null));
    },
    (packets) => packets === null || packets.length === 0,
  );
}

/** A variable-rate source's nominal rate is not its frame length: the check then takes the clip's own. */
export function frameSeconds(c: ClipJob): number | null {
  return c.fps && c.timeline.onGrid ? 1 / c.fps : null;
}

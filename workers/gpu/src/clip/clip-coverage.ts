// Checks that a finished VIDEO clip holds what was asked for, from the presentation times of
// its video packets alone (ffprobe, no decoding): it starts where the plan said, its pictures
// run to the requested end, and it has no more frames than the request covers. Every way of
// making a clip passes through here before the asset is COMPLETED, because ffmpeg stops
// quietly where its input stops: a truncated file, or a still image with a video extension,
// gives a short clip and exit code 0 (measured: 0.92 s of a 2 s request, one PNG frame).

/**
 * H.264's limit on reordered frames (max_num_reorder_frames): a stream copy may start its clock
 * that many frames late (B-frame decode delay) and run that many past the end (the references
 * of the last B-frames).
 */
export const MAX_REORDER_FRAMES = 16;
/** Slack at the end beyond one frame: an audio track may make the source a little longer than its video. */
export const END_SLACK_SECONDS = 0.05;

export interface ClipCoverage {
  /** Presentation times of every video packet of the clip, seconds on the clip's clock, any order. */
  times: readonly number[];
  /** One frame (1/fps); null when the source has no steady rate (taken from the clip's own times). */
  frameSeconds: number | null;
  /** Requested start and end, offsets on the source's video clock. */
  start: number;
  end: number;
  /** Offset of the source frame the clip begins with: the keyframe (copy) or the first frame at or after start (exact). */
  firstFrame: number;
  /** Where the clip's clock should begin: 0, or the first frame's source time with copyTs. */
  clockStart: number;
  /** Frames an exact clip must hold (start <= t < end, as listed in the source); null for a stream copy. */
  exactCount: number | null;
  /**
   * Exact clips: how long the source frame before the first one lasted (listed times), i.e. how
   * far before the first frame the start may lie. A variable-rate source's frames are not
   * 1/fps long (x264-vfr: a 40 ms frame under a 50 fps nominal rate). Null or absent: one frame.
   */
  startGap?: number | null;
}

const s3 = (t: number) => t.toFixed(3);

/** What is wrong with the clip, in words for the asset's failureReason, or null when it covers the request. */
export function checkClipCoverage(c: ClipCoverage): string | null {
  if (c.times.length === 0) return 'the clip has no video frames';
  if (c.times.some((t) => !Number.isFinite(t))) return 'the clip has video frames without timestamps';
  const times = [...c.times].sort((a, b) => a - b);
  const frame = c.frameSeconds ?? medianStep(times);
  const eps = 1e-3;
  const exact = c.exactCount !== null;

  const lead = times[0]! - c.clockStart;
  if (lead < -frame / 2 - eps || lead > MAX_REORDER_FRAMES * frame + eps) {
    return `the clip's first frame is at ${s3(times[0]!)} s on its clock, expected ${s3(c.clockStart)} s`;
  }
  const late = c.firstFrame - c.start;
  if (exact ? late < -eps || late > (c.startGap ?? frame) + eps : late > eps) {
    return `the source has no ${exact ? 'frame' : 'keyframe'} at ${s3(c.start)} s: the clip would start at ${s3(c.firstFrame)} s`;
  }
  // Where the clip's pictures stop, on the source's clock: the last one is shown for a frame.
  const covered = c.firstFrame + (times[times.length - 1]! - times[0]!) + frame;
  if (covered < c.end - frame - END_SLACK_SECONDS - eps) {
    if (times.length === 1) return `the source holds a single picture (a still image?), not video up to the requested end ${s3(c.end)} s`;
    return `the source's video ends at ${s3(covered)} s, before the requested end ${s3(c.end)} s`;
  }
  if (exact) {
    if (times.length !== c.exactCount) return `the clip has ${times.length} video frames, expected ${c.exactCount}`;
  } else if (frame > 0) {
    const most = Math.ceil((c.end - c.firstFrame) / frame - eps) + MAX_REORDER_FRAMES;
    if (times.length > most) return `the clip has ${times.length} video frames, more than the ${most} from ${s3(c.firstFrame)} s to the requested end ${s3(c.end)} s`;
  }
  return null;
}

/** The typical gap between frames (0 for a single frame): a rate for sources that state none. */
function medianStep(sorted: readonly number[]): number {
  const steps = sorted.slice(1).map((t, i) => t - sorted[i]!).sort((a, b) => a - b);
  return steps.length === 0 ? 0 : steps[Math.floor(steps.length / 2)]!;
}

// The request limits that depend on the source, checked twice on purpose: by the gateway so the
// request fails with a 400 before any work, and by the worker on the source it actually opened
// (a live or remote source may have changed since). One definition, so the two cannot drift.
// Each returns the problem, or null; the caller wraps it in its own error type.
import type { Limits } from '../config.js';
import { type GifFramePlanInput, gifFramePlan } from '../media/gif-frames-args.js';
import { type GifSize, type GifSizeRequest, gifOutputSize } from '../media/gif-output-size.js';

export interface LimitProblem {
  message: string;
  /** The request field to blame. */
  field: string;
  details?: Record<string, unknown>;
}

/** A clip's span: positive and no longer than `maxSeconds`. */
export function clipSpanProblem(spanSeconds: number, maxSeconds: number): LimitProblem | null {
  if (!(spanSeconds > 0)) return { message: 'clip.end must be after clip.start', field: 'clip.end' };
  if (spanSeconds > maxSeconds) return { message: `a clip may be at most ${maxSeconds} seconds long`, field: 'clip.end', details: { maxSeconds } };
  return null;
}

/**
 * The GIF's frame count and pixel size. The frame cap is the longest clip at the highest rate at
 * normal speed; slow motion beyond that is refused rather than filling tmpfs with frames.
 * `source` is null when the size is not known yet (the worker checks it again).
 */
export function gifLimitProblem(
  limits: Limits,
  plan: GifFramePlanInput,
  source: GifSize | null,
  requested: GifSizeRequest,
): LimitProblem | null {
  const { frameCount } = gifFramePlan(plan);
  const maxFrames = limits.maxGifSeconds * limits.maxFps;
  if (frameCount > maxFrames) {
    return {
      message: `the GIF would have ${frameCount} frames (${(plan.endSeconds - plan.startSeconds).toFixed(3)} s at ${plan.fps} fps and speed ${plan.playbackSpeed}); at most ${maxFrames} are allowed (shorten the clip, lower fps or raise playbackSpeed)`,
      field: 'playbackSpeed',
      details: { maxFrames },
    };
  }
  if (source === null) return null;
  const size = gifOutputSize(source, requested, limits.defaultGifMaxWidth);
  if (size.width > limits.maxOutputDimension || size.height > limits.maxOutputDimension) {
    return {
      message: `keeping the source's aspect makes the GIF ${size.width}x${size.height}, above the ${limits.maxOutputDimension}-pixel limit per side; give a smaller width or height`,
      field: requested.width !== null ? 'width' : 'height',
    };
  }
  return null;
}

// The frame on screen at a source time, for the IMAGE and GIF jobs: both list frames around
// the time with the same probe facts (stream, grid, container clock) when the demuxer cannot
// seek by an index (docs/media.md, "Time origin and seeking").
import type { Config } from '@framesmith/core/config';
import { type FrameOnScreenAt, locateFrameOnScreen } from '@framesmith/core/media/frame-listing';
import type { OpenedSource } from '@framesmith/core/media/open-source';

/** The deadline of one frame grab or listing: timeouts.frameGrabMs, never above the process limit. */
export function frameGrabTimeoutMs(config: Pick<Config, 'limits' | 'timeouts'>): number {
  return Math.min(config.limits.processTimeoutMs, config.timeouts.frameGrabMs);
}

export function locateInSource(config: Config, src: OpenedSource, t: number, timeoutMs: number, signal: AbortSignal): Promise<FrameOnScreenAt | null> {
  const { probe } = src;
  return locateFrameOnScreen({
    ffprobePath: config.ffprobePath,
    input: src.input,
    inputOptions: src.inputOptions,
    streamIndex: probe.videoStreamIndex ?? 0,
    grid: { origin: probe.videoStartSeconds, fps: probe.fps },
    t,
    formatName: probe.formatName,
    containerStart: probe.startSeconds,
    timeoutMs,
    signal,
  });
}

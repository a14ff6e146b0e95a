// Media jobs as the workflow carries them: request options normalised once at the edge,
// every field present (null where unset), so workers never see optional input.
import type { ClipTime } from '../time.js';
import type { LiveWait } from '../media/live-window.js';

export type SourceRef = { kind: 'file'; path: string } | { kind: 'url'; url: string };

interface JobBase {
  assetId: string;
  eventId: string;
  source: SourceRef;
  /** Where the finished file goes, relative to the storage root. */
  outputPath: string;
}

export interface ImageJob extends JobBase {
  kind: 'image';
  time: ClipTime;
}

export interface ClipRange {
  start: ClipTime;
  end: ClipTime;
}

/** GIF options after normalisation (the request and the job carry the same ones). */
export interface GifOptions extends ClipRange {
  fps: number;
  width: number | null;
  height: number | null;
  /** -1 play once, 0 loop forever, n repeat n times. */
  playbackRepeats: number;
  reverse: boolean;
  playbackSpeed: number;
}

/** VIDEO options after normalisation. */
export interface VideoOptions extends ClipRange {
  filter: string | null;
  mezzanine: boolean;
  frameAccurate: boolean;
  copyTs: boolean;
}

export interface GifJob extends JobBase, GifOptions {
  kind: 'gif';
}

export interface VideoJob extends JobBase, VideoOptions {
  kind: 'video';
}

export type MediaJob = ImageJob | GifJob | VideoJob;

export interface MediaResult {
  path: string;
  size: number;
  /** Which strategy made it (e.g. `cpu`, `nvdec-x264`, `smart-cut`), for logs and metrics. */
  strategy: string;
}

export interface AssetWorkflowInput {
  job: MediaJob;
  /** 1 (highest) .. 10 (lowest); the Temporal priority key of the workflow and its activities. */
  priority: number;
  /** The worker pool that does the media work (CPU for image/GIF, GPU for video). */
  mediaTaskQueue: string;
  /**
   * Where the asset JSON is POSTed, signed, once it is COMPLETED or FAILED (checked against the
   * egress policy at request time). Absent in inputs stored before webhooks existed.
   */
  callbackUrl?: string | null;
  /** Set when the request reaches past a live window's edge: the workflow waits for it first. */
  liveWait?: LiveWait | null;
}

export interface AssetWorkflowResult {
  assetId: string;
  state: 'COMPLETED' | 'FAILED';
  path: string | null;
  strategy: string | null;
  failureReason: string | null;
}

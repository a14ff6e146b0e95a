// ffmpeg arguments for one exact frame grab, emitted as raw RGB on stdout so the worker can
// hand the pixels straight to sharp without an intermediate PNG (docs/media.md).
export interface GrabFrameOptions {
  input: string;
  /** Offset from the start of the stream, seconds. */
  seconds: number;
  /** Source frame rate when constant; used to pick the frame displayed at `seconds`. */
  fps: number | null;
  /** Timestamp of the first video frame (MediaProbe.videoStartSeconds); offsets count from it. */
  originSeconds: number;
  /** Extra input options (protocol whitelist) chosen by the caller for the source kind. */
  inputOptions: string[];
}

/**
 * Where to input-seek so ffmpeg returns the frame on screen at `seconds`.
 * Input seeking returns the first frame at or after the position (it rounds up), so for
 * a constant-rate source we aim half a frame before the displayed frame's timestamp:
 * robust against float error on either side of the exact frame time.
 */
export function grabSeekSeconds(seconds: number, fps: number | null): number {
  if (!fps || !Number.isFinite(fps) || fps <= 0) return seconds;
  const frame = Math.floor(seconds * fps + 1e-6);
  return Math.max(0, (frame - 0.5) / fps);
}

export function grabFrameArgs(o: GrabFrameOptions): string[][] {
  return [
    ['-nostdin', '-hide_banner', '-v', 'error'],
    // -seek_timestamp 1: -ss is a timestamp on the video clock, not an offset from the file's
    // start_time (which an HLS audio lead-in puts one frame before the first picture).
    [...o.inputOptions, '-seek_timestamp', '1', '-ss', (o.originSeconds + grabSeekSeconds(o.seconds, o.fps)).toFixed(6), '-i', o.input],
    ['-map', '0:v:0', '-frames:v', '1', '-an', '-sn', '-dn'],
    ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
}

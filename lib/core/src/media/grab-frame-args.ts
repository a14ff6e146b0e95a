// ffmpeg arguments for one exact frame grab, emitted as raw RGB on stdout so the worker can
// hand the pixels straight to sharp without an intermediate PNG (docs/media.md). The picture
// comes out upright: ffmpeg's autorotate applies the display matrix, so its size is the
// probe's displayed size.
import { type InputStart, inputStartArgs, onInputClock, signedMicros } from './source-clock.js';

/**
 * Which frame to keep after the input start, on the source clock:
 * - `window`: the last frame whose time is <= `until` among those decoded from the input
 *   start on (an indexed container's seek to shortly before `until`). The frame on screen at
 *   `until` without knowing frame times, so it is right for variable frame rates too; no
 *   frame in the window gives no output, and the caller lists the frames instead.
 * - `from`: the first frame at or after `at` (`at` lies just before a listed frame's time).
 */
export type FramePick = { kind: 'window'; until: number; timescale: number | null } | { kind: 'from'; at: number };

export interface GrabFrameOptions {
  input: string;
  /** Extra input options (protocol whitelist) chosen by the caller for the source kind. */
  inputOptions: string[];
  /** Where reading starts (source-clock.ts decodeStart). */
  start: InputStart;
  pick: FramePick;
}

/**
 * How far before the requested time a window grab starts: one and a half nominal frames, so a
 * constant-rate source has one or two frames in it (reverse buffers no more than that).
 */
export function grabWindowSeconds(fps: number): number {
  return 1.5 / fps;
}

/**
 * Where to input-seek so ffmpeg returns the frame on screen at `seconds` of a constant-rate
 * source: input seeking returns the first frame at or after the position (it rounds up), so
 * it aims half a frame before the displayed frame's timestamp, robust against float error on
 * either side of the exact frame time. Used for GIF starts on indexed containers.
 */
export function grabSeekSeconds(seconds: number, fps: number | null): number {
  if (!fps || !Number.isFinite(fps) || fps <= 0) return seconds;
  const frame = Math.floor(seconds * fps + 1e-6);
  return Math.max(0, (frame - 0.5) / fps);
}

/** The video filter that keeps the picked frame first. */
export function pickFilter(start: InputStart, pick: FramePick): string | null {
  if (pick.kind === 'window') {
    // trim drops frames at or after `end`, rounded to the nearest tick of the stream's time
    // base: just under a tick past `until` keeps a frame exactly on it and no later one (a
    // microsecond, or half a tick, rounded to 0 and dropped frame 0, measured). reverse then
    // puts the last one first (it holds only the window's frames).
    const slack = pick.timescale ? Math.max(1e-6, 0.99 / pick.timescale) : 1e-6;
    return `trim=end=${signedMicros(onInputClock(start, pick.until) + slack)},reverse`;
  }
  const at = onInputClock(start, pick.at);
  // The input seek itself drops frames before the seek point; trim only what lies after it.
  return at > 0 ? `trim=start=${signedMicros(at)}` : null;
}

export function grabFrameArgs(o: GrabFrameOptions): string[][] {
  const filter = pickFilter(o.start, o.pick);
  return [
    ['-nostdin', '-hide_banner', '-v', 'error'],
    // -seek_timestamp 1: -ss is a timestamp on the video clock, not an offset from the file's
    // start_time (which an HLS audio lead-in puts one frame before the first picture).
    [...o.inputOptions, ...inputStartArgs(o.start), '-i', o.input],
    // passthrough: rawvideo's default constant-rate sync could repeat or drop frames to fit a rate.
    ['-map', '0:v:0', ...(filter ? ['-vf', filter] : []), '-fps_mode', 'passthrough', '-frames:v', '1', '-an', '-sn', '-dn'],
    ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ];
}

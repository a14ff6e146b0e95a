// ffmpeg arguments for one exact frame grab, written as an uncompressed RGB TIFF into the job's
// private frame folder, which sharp reads for the JPEG (docs/media.md). Why a file and not raw
// RGB on stdout: the pixels then never pass through the worker's JavaScript heap. A 6 MB Buffer
// per 1080p grab (plus the pipe's 64 KB chunks) made V8 run a full mark-compact in nearly every
// IMAGE job, 10-30 ms on the job's path (measured with --trace-gc); the TIFF costs ~3 ms more in
// ffmpeg and sharp together. The picture comes out upright: ffmpeg's autorotate applies the
// display matrix, so its size is the probe's displayed size.
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
  /** The TIFF to write, in a folder of the worker's own (never a name from a request). */
  output: string;
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
    // passthrough: a constant-rate output sync could repeat or drop frames to fit a rate.
    ['-map', '0:v:0', ...(filter ? ['-vf', filter] : []), '-fps_mode', 'passthrough', '-frames:v', '1', '-an', '-sn', '-dn'],
    // Uncompressed (raw strips): sharp's read is a copy. `-update 1` takes the name as it is, not
    // as a numbered pattern; no frame (an empty window) leaves no file.
    ['-pix_fmt', 'rgb24', '-c:v', 'tiff', '-compression_algo', 'raw', '-f', 'image2', '-update', '1', '-y', o.output],
  ];
}

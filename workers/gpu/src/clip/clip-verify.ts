// Checks a joined smart-cut clip: every frame is there on a steady clock across the joins
// (packet times, no decoding), and the joins decode: the re-encoded edges and the first frames
// of the first and last copied GOPs are decoded, and the copied frames' pictures are compared
// with the source's own decode of the same frames (a checksum per decoded frame,
// `-f framecrc`). The GOPs between are bit copies of closed source GOPs that
// share the checked parameter sets, so decoding them again would prove nothing new; decoding
// only the joins keeps the check at a few GOPs whatever the clip's length. A join whose
// parameter sets or timestamps do not fit shows up as a wrong count, a jump, a window that
// decodes short, or different pixels, and the worker falls back to a full re-encode.
import { seekFloor } from './clip-args.js';

export interface FramecrcOptions {
  input: string;
  inputOptions: string[];
  /** ffmpeg stream specifier after `0:` (an index, or `v:0`). */
  stream: string;
  /** Absolute source time to start at (input seek, exact); null decodes from the start. */
  from: number | null;
  /** Frames to decode; null decodes to the end. */
  frames: number | null;
}

/**
 * Several windows of one stream decoded by one ffmpeg run (a process start costs more than a
 * few frames' decode): each window is its own input of the same file, with its own seek, and
 * its own output stream, cut to its frame count by trim (not -frames:v, which in ffmpeg 5.1
 * ends every stream of the output once one reaches it). Decodes on the CPU whatever the
 * strategy, so checksums compare like with like.
 */
export function framecrcWindowsArgs(o: Omit<FramecrcOptions, 'from' | 'frames'> & { windows: readonly { from: number | null; frames: number | null }[] }): string[] {
  return [
    '-nostdin', '-hide_banner', '-v', 'error',
    ...o.windows.flatMap((w) => [...o.inputOptions, ...(w.from !== null ? ['-seek_timestamp', '1', '-ss', seekFloor(w.from)] : []), '-i', o.input]),
    ...o.windows.flatMap((_, i) => ['-map', `${i}:${o.stream}`]),
    ...o.windows.flatMap((w, i) => (w.frames !== null ? [`-filter:${i}`, `trim=end_frame=${w.frames}`] : [])),
    '-fps_mode', 'passthrough',
    '-f', 'framecrc', 'pipe:1',
  ];
}

export interface DecodedFrame {
  /** Presentation time in seconds, as the decoded output numbers it. */
  pts: number;
  /** Adler-32 of the decoded picture. */
  crc: string;
}

/**
 * Reads `#tb 0: 1/12800` and `0, dts, pts, duration, size, 0x1234abcd` lines: every output
 * stream's frames, by stream number (framecrcWindowsArgs: one per window).
 */
export function parseFramecrcStreams(text: string): DecodedFrame[][] {
  const tb = new Map<number, number>();
  const streams: DecodedFrame[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^#tb (\d+): (\d+)\/(\d+)$/.exec(line);
    if (header) {
      tb.set(Number(header[1]), Number(header[2]) / Number(header[3]));
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 6 || !/^\d+$/.test(cols[0]!) || !/^0x[0-9a-f]+$/i.test(cols[5]!)) continue;
    const stream = Number(cols[0]);
    while (streams.length <= stream) streams.push([]);
    streams[stream]!.push({ pts: Number(cols[2]) * (tb.get(stream) ?? 1), crc: cols[5]!.toLowerCase() });
  }
  return streams;
}

/** Decoded frames of a clip or source, from output (or plan) frame index `at` on. */
export interface DecodedWindow {
  at: number;
  crcs: readonly string[];
  /** Frames asked for; fewer decoded means the decode failed part way. */
  expected: number;
}

export interface JoinedClipCheck {
  /** Presentation times of every video packet of the joined clip, as ffprobe lists them. */
  times: readonly number[];
  frameCount: number;
  fps: number;
  /** Windows of the joined clip, decoded. */
  decoded: readonly DecodedWindow[];
  /** The source's decode of copied frames, placed at their index in the clip. */
  copied: readonly DecodedWindow[];
}

/** What is wrong with the joined clip, or null when it is what the plan promised. */
export function checkJoinedClip(c: JoinedClipCheck): string | null {
  if (c.times.length !== c.frameCount) return `the joined clip has ${c.times.length} frames, expected ${c.frameCount}`;
  const times = [...c.times].sort((a, b) => a - b);
  const step = 1 / c.fps;
  for (let i = 0; i < times.length; i++) {
    const drift = (times[i]! - times[0]!) / step - i;
    if (Math.abs(drift) > 0.25) return `frame ${i} of the joined clip is shown at ${times[i]!.toFixed(6)} s, off the frame clock by ${drift.toFixed(2)} frames`;
  }
  const short = shortWindow(c.decoded, 'the joined clip');
  if (short) return short;
  const decoded = new Map<number, string>();
  for (const w of c.decoded) w.crcs.forEach((crc, i) => decoded.set(w.at + i, crc));
  for (const w of c.copied) {
    if (w.crcs.length !== w.expected) return `the source's frames for clip frames ${w.at}..${w.at + w.expected - 1} decode to ${w.crcs.length} frames`;
    for (let i = 0; i < w.crcs.length; i++) {
      const got = decoded.get(w.at + i);
      if (got === undefined) return `copied frame ${w.at + i} of the joined clip was not decoded for the check`;
      if (got !== w.crcs[i]) return `copied frame ${w.at + i} of the joined clip decodes differently from the source`;
    }
  }
  return null;
}

/** The first window that decoded to fewer (or more) frames than asked for, as a reason. */
export function shortWindow(windows: readonly DecodedWindow[], what: string): string | null {
  const w = windows.find((x) => x.crcs.length !== x.expected);
  return w ? `frames ${w.at}..${w.at + w.expected - 1} of ${what} decode to ${w.crcs.length} frames` : null;
}

/** Copied frames decoded at each join: enough for the IDR and its first dependants. */
export const JOIN_PROBE_FRAMES = 4;

/**
 * The windows to decode (clip frame indexes): from the clip's start (the re-encoded head)
 * into the first copied GOP, the first frames of the last copied GOP, and the re-encoded
 * tail. The copied GOPs are closed and their packets are the source's own, so a join that
 * decodes right for its IDR and first dependants decodes right for the rest of the GOP; one
 * window when the copied part is a single GOP.
 */
export function joinWindows(o: {
  frameCount: number;
  firstCopied: number;
  firstCopiedGopEnd: number;
  lastCopiedKeyframe: number;
  tailStart: number;
}): { at: number; count: number }[] {
  if (o.lastCopiedKeyframe <= o.firstCopiedGopEnd) return [{ at: 0, count: o.frameCount }];
  const k = JOIN_PROBE_FRAMES;
  const windows = [
    { at: 0, count: Math.min(o.firstCopied + k, o.firstCopiedGopEnd) },
    { at: o.lastCopiedKeyframe, count: Math.min(k, o.tailStart - o.lastCopiedKeyframe) },
  ];
  if (o.tailStart < o.frameCount) windows.push({ at: o.tailStart, count: o.frameCount - o.tailStart });
  return windows;
}

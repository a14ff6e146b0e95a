// Checks a joined smart-cut clip by decoding it: the frame count, a steady frame clock across
// the joins, and the copied frames' pixels against the source's own decode of the same
// frames (a checksum per decoded frame, `-f framecrc`). A join whose parameter sets or
// timestamps do not fit shows up here as a wrong count, a jump, or different pixels, and the
// worker falls back to a full re-encode. Pure, apart from the arguments for the decodes.
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

/** Decodes on the CPU whatever the strategy, so checksums compare like with like. */
export function framecrcArgs(o: FramecrcOptions): string[] {
  return [
    '-nostdin', '-hide_banner', '-v', 'error',
    ...o.inputOptions,
    ...(o.from !== null ? ['-seek_timestamp', '1', '-ss', seekFloor(o.from)] : []),
    '-i', o.input,
    '-map', `0:${o.stream}`,
    ...(o.frames !== null ? ['-frames:v', String(o.frames)] : []),
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

/** Reads `#tb 0: 1/12800` and `0, dts, pts, duration, size, 0x1234abcd` lines. */
export function parseFramecrc(text: string): DecodedFrame[] {
  let tb = 1;
  const frames: DecodedFrame[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^#tb 0: (\d+)\/(\d+)$/.exec(line);
    if (header) {
      tb = Number(header[1]) / Number(header[2]);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 6 || cols[0] !== '0' || !/^0x[0-9a-f]+$/i.test(cols[5]!)) continue;
    frames.push({ pts: Number(cols[2]) * tb, crc: cols[5]!.toLowerCase() });
  }
  return frames;
}

export interface JoinedClipExpectation {
  frameCount: number;
  fps: number;
  /** Source decodes of copied frames, and where they sit in the clip (output frame index). */
  copied: { at: number; crcs: readonly string[] }[];
}

/** What is wrong with the decoded clip, or null when it is what the plan promised. */
export function checkJoinedClip(frames: readonly DecodedFrame[], e: JoinedClipExpectation): string | null {
  if (frames.length !== e.frameCount) return `the joined clip decodes to ${frames.length} frames, expected ${e.frameCount}`;
  const step = 1 / e.fps;
  const origin = frames[0]!.pts;
  for (let i = 0; i < frames.length; i++) {
    const drift = (frames[i]!.pts - origin) / step - i;
    if (Math.abs(drift) > 0.25) return `frame ${i} of the joined clip is shown at ${frames[i]!.pts.toFixed(6)} s, off the frame clock by ${drift.toFixed(2)} frames`;
  }
  for (const c of e.copied) {
    for (let i = 0; i < c.crcs.length; i++) {
      const got = frames[c.at + i]?.crc;
      if (got !== c.crcs[i]) return `copied frame ${c.at + i} of the joined clip decodes differently from the source`;
    }
  }
  return null;
}

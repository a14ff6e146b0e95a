// The frame timeline of one video track, read from packet flags (`ffprobe -show_entries
// packet=pts_time,dts_time,flags`, ~0.1 s for ten minutes of 1080p, no decoding): where the
// keyframes are, whether the frames sit on a constant-rate grid, and whether a GOP shows
// frames from before its keyframe (open GOP). Clip planning and the smart cut work on this.
// Pure, except that the caller runs ffprobe with the arguments built here.

import { type ListedKeyframe, signedMicros } from './source-clock.js';

export interface VideoPacket {
  /** Presentation time in seconds on the source's own clock; null when the container has none. */
  pts: number | null;
  dts: number | null;
  key: boolean;
}

export interface KeyframeListOptions {
  input: string;
  /** Protocol whitelist etc. for the source kind (openSource's inputOptions). */
  inputOptions: string[];
  /** Absolute stream index of the video track (ffmpeg's `0:<index>`). */
  streamIndex: number;
  /**
   * Absolute source times to read between; null reads the whole stream. ffprobe seeks to the
   * keyframe at or before `from` in an indexed container (MP4, Matroska), so the keyframe that
   * opens the GOP holding `from` is listed too; MPEG-TS and HLS land after it (source-clock.ts),
   * and `from: null` reads from the beginning without seeking. Times are on the source's clock,
   * which may be negative (MPEG-TS wrap correction, MP4 edit lists), so they are not clamped.
   */
  interval: { from: number | null; to: number } | null;
}

export function keyframeListArgs(o: KeyframeListOptions): string[][] {
  return [
    ['-v', 'error'],
    o.inputOptions,
    ['-select_streams', String(o.streamIndex)],
    o.interval ? ['-read_intervals', `${o.interval.from === null ? '' : signedMicros(o.interval.from)}%${signedMicros(o.interval.to)}`] : [],
    // `compact` prints key=value pairs, so the parser does not depend on ffprobe's column order.
    ['-show_entries', 'packet=pts_time,dts_time,flags', '-of', 'compact=p=0', o.input],
  ];
}

export class KeyframeListError extends Error {
  override readonly name = 'KeyframeListError';
}

/** Packets in decode order, as ffprobe printed them. */
export function parseKeyframeList(text: string): VideoPacket[] {
  const packets: VideoPacket[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const fields = new Map<string, string>();
    for (const part of line.split('|')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
    }
    const flags = fields.get('flags');
    if (flags === undefined || !fields.has('pts_time')) {
      throw new KeyframeListError(`unexpected ffprobe packet line ${JSON.stringify(line.slice(0, 120))}`);
    }
    packets.push({ pts: seconds(fields.get('pts_time')), dts: seconds(fields.get('dts_time')), key: flags.startsWith('K') });
  }
  return packets;
}

function seconds(value: string | undefined): number | null {
  if (value === undefined || value === 'N/A' || !/^-?\d+(?:\.\d+)?$/.test(value)) return null;
  return Number(value);
}

export interface FrameTimeline {
  /** Presentation times of the frames, ascending, seconds on the source's clock. */
  frames: number[];
  /** Presentation times of the keyframes, ascending. */
  keyframes: number[];
  /** The keyframes with their decode times, ascending: where a seek on a non-indexed demuxer lands (source-clock.ts). */
  keyframePackets: ListedKeyframe[];
  /**
   * Open-GOP keyframes, in decode order: keyframes after which (before the next keyframe) a
   * frame is shown that comes before the keyframe, a leading picture, which needs the previous
   * GOP. Each with how many leading pictures follow it (what a smart cut must not copy past).
   */
  leadingPictures: Map<number, number>;
  /** Every frame lies within a quarter frame of `origin + n / fps`, with no gap or duplicate. */
  onGrid: boolean;
}

/**
 * Builds the timeline; `origin` is the time of frame 0 (the track's first frame) and `fps`
 * the nominal rate, used only for the grid check. Packets without a pts are left out, and
 * make the timeline off-grid, since their frames cannot be placed.
 */
export function frameTimeline(packets: readonly VideoPacket[], grid: { origin: number; fps: number | null }): FrameTimeline {
  const frames: number[] = [];
  const keyframes: number[] = [];
  const keyframePackets: ListedKeyframe[] = [];
  const leadingPictures = new Map<number, number>();
  let missingPts = false;
  let currentKey: number | null = null;
  for (const p of packets) {
    if (p.pts === null) {
      missingPts = true;
      continue;
    }
    frames.push(p.pts);
    if (p.key) {
      keyframes.push(p.pts);
      keyframePackets.push({ pts: p.pts, dts: p.dts });
      currentKey = p.pts;
    } else if (currentKey !== null && p.pts < currentKey - 1e-6) {
      leadingPictures.set(currentKey, (leadingPictures.get(currentKey) ?? 0) + 1);
    }
  }
  frames.sort((a, b) => a - b);
  keyframes.sort((a, b) => a - b);
  keyframePackets.sort((a, b) => a.pts - b.pts);
  return { frames, keyframes, keyframePackets, leadingPictures, onGrid: !missingPts && isOnGrid(frames, grid.origin, grid.fps) };
}

function isOnGrid(frames: readonly number[], origin: number, fps: number | null): boolean {
  if (!fps || !Number.isFinite(fps) || fps <= 0 || frames.length === 0) return false;
  let previous: number | null = null;
  for (const t of frames) {
    const position = (t - origin) * fps;
    const n = Math.round(position);
    if (Math.abs(position - n) > 0.25) return false;
    if (previous !== null && n !== previous + 1) return false;
    previous = n;
  }
  return true;
}

/** Index of the frame at time t on the grid (nearest), for times known to be on it. */
export function frameIndexAt(t: number, origin: number, fps: number): number {
  return Math.round((t - origin) * fps);
}

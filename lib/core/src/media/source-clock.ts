// Time origin and input seeking, decided once for every operation (docs/media.md, "Time
// origin"). Requests count seconds from the first displayed frame ("from the start of the
// stream"), whatever the container's clock says: MPEG-TS and HLS start wherever the packager's
// clock was (3600 s, near the 33-bit wrap, where ffmpeg's wrap correction makes the start
// negative), an MP4 edit list may hide frames before 0. Every args builder turns a request
// time into a source time with sourceTime(), and starts reading with an InputStart from
// decodeStart() or copyStart(), so no builder has its own idea of where the clock starts.
//
// How an input seek lands depends on the demuxer (measured, ffmpeg 5.1):
// - MP4/MOV and Matroska have a sample index: `-seek_timestamp 1 -ss T` lands on the keyframe
//   at or before T and decoding starts there. Nothing else needs to be known.
// - MPEG-TS has none: ffmpeg searches the file for the first packet whose DTS is >= T, which
//   is mid-GOP for any T after a keyframe; the decoder then waits for the next keyframe, and
//   the grab is a whole GOP late (gst-ts-3600: frame 50 for frame 12).
// - HLS seeks to the segment and then drops packets until a keyframe whose DTS is >= T (again
//   the next GOP), and refuses a T before the first packet it read (a video keyframe whose
//   DTS lies before the first audio packet).
// So for anything but an indexed container the seek goes to the DTS of a keyframe we listed
// (the demuxer lands exactly on it), and to no seek at all for the first GOP.

/** The source time of a request time: seconds from the first displayed frame. */
export function sourceTime(origin: number, seconds: number): number {
  return origin + seconds;
}

/** The request time of a source time (inverse of sourceTime). */
export function requestTime(origin: number, t: number): number {
  return t - origin;
}

/** A probe format_name as one short word for a metric label: `mov`, `matroska`, `mpegts`, `hls`. */
export function containerLabel(formatName: string): string {
  return formatName.split(',')[0] || 'unknown';
}

/** ffmpeg's demuxer names (probe format_name) whose input seek uses a sample index. */
export function seeksByIndex(formatName: string): boolean {
  return /^(mov|matroska)\b/.test(formatName);
}

/**
 * Whether an input seek to T starts decoding at a keyframe at or before T, so that a window
 * grab (decode from just before t, keep the last frame at or before t) needs no frame listing:
 * - an indexed container (seeksByIndex);
 * - HLS with MPEG-TS segments: ffmpeg's CLI seeks backward, and the HLS demuxer then starts
 *   at the first packet of the segment whose playlist interval holds T (ffmpeg 5.1 hls.c
 *   moves a backward video seek to the segment's start), a keyframe in any playlist made for
 *   playback. Not fMP4 segments (`EXT-X-MAP`): ffmpeg 5.1 seeks in them to no picture.
 * The demuxer then drops packets until a keyframe whose DTS is at or after that start (the
 * first packet's time plus the playlist's durations): where the durations are rounded, or the
 * first packet read is later than the first keyframe's DTS (GStreamer's hlssink2: audio 80 ms
 * after the B-frame-delayed video DTS), it skips the segment's first GOP and the window comes
 * back empty (the caller lists the frames), or it starts a segment early (slower, same frame).
 * Never a wrong frame: frames decoded from a keyframe on are contiguous, so the last one at or
 * before t is the frame on screen at t.
 */
export function seekStartsAtOrBefore(formatName: string, playlist: { resources: readonly { source: string }[] } | null): boolean {
  if (seeksByIndex(formatName)) return true;
  return playlist !== null && /^hls\b/.test(formatName) && !playlist.resources.some((r) => r.source === 'EXT-X-MAP');
}

/**
 * Where a window grab starting at source time `from` reads from: a seek there, except inside an
 * HLS playlist's first segment (`firstSegmentSeconds` from the container's start), where the
 * demuxer refuses a seek before the first packet it read (the window came back empty on both
 * corpus playlists) and reading from the beginning costs at most that segment.
 */
export function windowStart(from: number, containerStart: number, firstSegmentSeconds: number | null): InputStart {
  if (firstSegmentSeconds !== null && from < containerStart + firstSegmentSeconds) return fromBeginning(containerStart);
  return { seek: from, zero: from };
}

/** A keyframe as listed (keyframes.ts): where a non-indexed demuxer can land. */
export interface ListedKeyframe {
  pts: number;
  dts: number | null;
}

/**
 * Where ffmpeg starts reading. `seek` is the `-ss` input value on the source clock (null: read
 * from the beginning, no seek); `zero` is the source time that ffmpeg's clock then calls 0:
 * the seek point (ffmpeg shifts by it), or the container's start time when not seeking.
 */
export interface InputStart {
  seek: number | null;
  zero: number;
}

/** What a start plan needs to know about the source (from its probe). */
export interface SeekableSource {
  /** Probe format_name. */
  formatName: string;
  /** Container start time (probe startSeconds): ffmpeg's zero when it does not seek. */
  containerStart: number;
}

/** Read from the beginning: ffmpeg's clock is then the container's, shifted by its start. */
export function fromBeginning(containerStart: number): InputStart {
  return { seek: null, zero: containerStart };
}

/** t rounded down to ffmpeg's microseconds, so a seek there is at or before t. */
export function microsFloor(t: number): number {
  return Math.floor(t * 1e6 + 1e-4) / 1e6;
}

/** t rounded up to ffmpeg's microseconds, so a seek there is at or after t. */
export function microsCeil(t: number): number {
  return Math.ceil(t * 1e6 - 1e-4) / 1e6;
}

/**
 * Where to start reading so that decoding reaches source time `target` (the first frame
 * wanted, or a point just before it); `key` is the listed keyframe at or before the frame
 * wanted (keyframeAtOrBefore; null when none is listed). An indexed container seeks to the
 * target itself, rounded down (ffmpeg's accurate seek decodes from the keyframe before it and
 * drops what precedes it), or with `fromKeyframe` to the keyframe (its seek goes by decode
 * time, which would skip an open GOP's leading pictures); MPEG-TS and HLS land on the keyframe
 * from its DTS, or read from the beginning in the first GOP or when none is listed.
 */
export function decodeStart(src: SeekableSource, target: number, key: ListedKeyframe | null, o: { fromKeyframe?: boolean } = {}): InputStart {
  if (seeksByIndex(src.formatName)) {
    const seek = microsFloor(o.fromKeyframe && key ? key.pts : target);
    return { seek, zero: seek };
  }
  return landOn(src, key);
}

/**
 * Where to start reading so that a stream copy's first packet is `key`: an indexed container
 * seeks to the keyframe's own time rounded up (its backward keyframe seek then lands on it,
 * not on the one before); MPEG-TS and HLS land on it from its DTS.
 */
export function copyStart(src: SeekableSource, key: ListedKeyframe): InputStart {
  if (seeksByIndex(src.formatName)) {
    const seek = microsCeil(key.pts);
    return { seek, zero: seek };
  }
  return landOn(src, key);
}

/** A non-indexed demuxer's start at a listed keyframe (null: none listed before the target). */
function landOn(src: SeekableSource, key: ListedKeyframe | null): InputStart {
  // No keyframe listed before the target: only reading from the beginning is sure to pass it.
  if (key === null) return fromBeginning(src.containerStart);
  const landing = key.dts ?? key.pts;
  // The first GOP: reading from the start costs nothing, and HLS refuses a seek before its
  // first packet, which the keyframe's DTS (B-frame delay) usually is.
  if (landing <= src.containerStart + 1e-6) return fromBeginning(src.containerStart);
  // Rounded down to ffmpeg's microseconds: the DTS itself must satisfy DTS >= seek.
  const seek = microsFloor(landing);
  return { seek, zero: seek };
}

/** `-seek_timestamp 1 -ss <seek>` (the seek as a source timestamp, not an offset from start_time), or nothing. */
export function inputStartArgs(s: InputStart): string[] {
  return s.seek === null ? [] : ['-seek_timestamp', '1', '-ss', signedMicros(s.seek)];
}

/** A time on ffmpeg's clock after `s` (what filters such as trim compare with), to the microsecond. */
export function onInputClock(s: InputStart, t: number): number {
  return Math.round((t - s.zero) * 1e6) / 1e6;
}

/** Seconds with six decimals and a sign: ffmpeg parses `-0.817689` as a negative time. */
export function signedMicros(t: number): string {
  const us = Math.round(t * 1e6);
  const sign = us < 0 ? '-' : '';
  const abs = Math.abs(us);
  return `${sign}${Math.floor(abs / 1e6)}.${String(abs % 1e6).padStart(6, '0')}`;
}

/**
 * The frame on screen at source time t among listed frame times (ascending): the last one
 * at or before t (a microsecond of slack for printed times), and the one before it; null
 * when t is before the first frame.
 */
export function frameOnScreen(frames: readonly number[], t: number): { pts: number; previous: number | null } | null {
  let at = -1;
  for (let i = 0; i < frames.length && frames[i]! <= t + 1e-6; i++) at = i;
  if (at < 0) return null;
  return { pts: frames[at]!, previous: at > 0 ? frames[at - 1]! : null };
}

/** The keyframe at or before t, with its DTS when listed; null when none is listed. */
export function keyframeAtOrBefore(keyframes: readonly ListedKeyframe[], t: number): ListedKeyframe | null {
  let found: ListedKeyframe | null = null;
  for (const k of keyframes) if (k.pts <= t + 1e-6 && (found === null || k.pts > found.pts)) found = k;
  return found;
}

/**
 * A point between a frame and the one before it, to select that frame with a filter that
 * keeps frames at or after a time (trim=start): robust against the rounding of printed times.
 */
export function justBefore(frame: { pts: number; previous: number | null }, nominalFrame: number): number {
  const gap = frame.previous === null ? nominalFrame : frame.pts - frame.previous;
  return frame.pts - Math.max(1e-4, Math.min(gap, nominalFrame > 0 ? nominalFrame : gap) / 2);
}

/**
 * Makes an output from `start`, and again from the beginning when the seek gave nothing:
 * ffmpeg 5.1 cannot seek in HLS with fMP4 segments (the seek succeeds and no picture comes
 * out, measured). `make` is told when it runs as that fall-back; a start that does not seek
 * has nothing to fall back to.
 */
export async function withSeekFallback<T>(
  start: InputStart,
  containerStart: number,
  make: (from: InputStart, fallback: boolean) => Promise<T>,
  empty: (made: T) => boolean,
): Promise<T> {
  const made = await make(start, false);
  if (start.seek === null || !empty(made)) return made;
  return make(fromBeginning(containerStart), true);
}

/** A stream's time base `1/N` as its timescale N (what an MP4 track's timescale may be), or null. */
export function parseTimeBase(tb: unknown): number | null {
  const m = typeof tb === 'string' ? /^1\/(\d+)$/.exec(tb) : null;
  const den = m ? Number(m[1]) : NaN;
  return Number.isInteger(den) && den >= 1 && den <= MAX_TIMESCALE ? den : null;
}

/** Above this a time base is not a plausible track timescale (MP4's is 32-bit; ffmpeg's own are at most 90 kHz-ish). */
const MAX_TIMESCALE = 10_000_000;

// ffmpeg arguments for VIDEO clips that are made in one run: the keyframe-aligned stream
// copy (frameAccurate false) and the exact full re-encode (frameAccurate true, and the smart
// cut's fall-back). Pure; the worker runs them through runProcess.
//
// Times here are absolute, on the source's own clock (what ffprobe reports as pts_time), and
// `-seek_timestamp 1` makes ffmpeg take `-ss` as such a timestamp instead of an offset from
// the file's start_time. That matters for HLS/MPEG-TS sources, whose clock starts at ~1.4 s
// and whose start_time is the audio's lead-in packet, one AAC frame before the first picture:
// a start_time-relative `-ss` would land one frame early (docs/media.md).
//
// Frames: a clip holds the frames whose timestamps t satisfy start <= t < end. The start is
// rounded up to the next frame time and the count fixed; the obvious `-ss start -t length`
// repeats the first frame and drops the last (docs/media.md). `-fps_mode passthrough` keeps
// ffmpeg from duplicating or dropping frames to fit a rate. The count is fixed with
// `trim=end_frame` on each video stream rather than -frames:v: in ffmpeg 5.1, once one video
// stream reaches -frames:v every stream of the output is closed (need_output), which cut the
// last frame of a second video track and the last AAC frame of the audio (measured). `-t`
// then ends the audio with the pictures.
//
// copyTs: the clip keeps the source's timestamps, i.e. each output frame carries the pts it
// had in the source (ffprobe's start_time of the clip is its first frame's source time: the
// requested start rounded up to a frame for exact clips, the keyframe at or before it for
// copies). For an MP4 source starting at 0 that is the requested offset; for MPEG-TS/HLS it
// is the raw transport clock. It is done with -output_ts_offset rather than -copyts: with
// -copyts, `-t` counts from zero on the source clock and HLS input seeking stopped matching
// frames (measured on ffmpeg 5.1), while the offset shifts a clip made the normal way.
import { type InputStart, inputStartArgs, microsCeil, microsFloor, onInputClock, signedMicros } from '@framesmith/core/media/source-clock';
import type { TrackInfo } from '@framesmith/core/media/track-info';

/**
 * `-ss` value that is at or before t (microseconds, what ffmpeg parses): for accurate seeks.
 * Source times may be negative (MPEG-TS wrap correction, frames an MP4 edit list hides), and
 * ffmpeg takes a negative `-ss` as such: clamping them to 0 seeked past the keyframe.
 */
export function seekFloor(t: number): string {
  return signedMicros(microsFloor(t));
}

/** `-ss` value at or after t: for stream copies, so the backward keyframe seek lands on t itself. */
export function seekCeil(t: number): string {
  return signedMicros(microsCeil(t));
}

export function seconds6(t: number): string {
  return (Math.round(t * 1e6) / 1e6).toFixed(6);
}

/** A duration rounded up to the microsecond, so a limit at it never cuts what lies within it. */
export function secondsCeil(t: number): string {
  return signedMicros(microsCeil(Math.max(0, t)));
}

const HEAD = ['-nostdin', '-hide_banner', '-v', 'error', '-y'];
const PROGRESS = ['-progress', 'pipe:1', '-nostats'];

/** Audio codecs an MP4 carries as they are; anything else is re-encoded to AAC even in a copy. */
const MP4_AUDIO = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'flac', 'opus']);

export const AAC_DEFAULT_BITRATE = 128_000;

/** AAC at the source track's rate, within 64..320 kb/s (128 kb/s when unknown). */
export function aacBitrate(track: TrackInfo): string {
  const bps = track.bitrate === null ? AAC_DEFAULT_BITRATE : Math.min(320_000, Math.max(64_000, track.bitrate));
  return `${Math.round(bps / 1000)}k`;
}

/** Encoder options for the output audio streams, numbered in output order. */
export function audioEncodeArgs(audio: readonly TrackInfo[], mode: 'encode' | 'copy'): string[] {
  if (audio.length === 0) return [];
  if (mode === 'encode') return ['-c:a', 'aac', ...audio.flatMap((t, i) => [`-b:a:${i}`, aacBitrate(t)])];
  return audio.flatMap((t, i) => (MP4_AUDIO.has(t.codec) ? [`-c:a:${i}`, 'copy'] : [`-c:a:${i}`, 'aac', `-b:a:${i}`, aacBitrate(t)]));
}

function mp4Output(output: string, timescale: number | null): string[] {
  return [
    ...(timescale ? ['-video_track_timescale', String(timescale)] : []),
    // Chapters of the whole programme mean nothing in a clip.
    '-map_chapters', '-1',
    '-movflags', '+faststart', '-f', 'mp4', output,
  ];
}

export interface ClipCopyOptions {
  input: string;
  inputOptions: string[];
  /**
   * Where reading starts, so that the first packet is the keyframe at or before the requested
   * start (source-clock.ts): an indexed container's seek to the keyframe's own time (rounded up),
   * or the keyframe's DTS in MPEG-TS/HLS; `zero` is the source time the copy's clock counts from.
   */
  start: InputStart;
  /** Requested end, source time. */
  end: number;
  /** `-map 0:<index>` list (trackMapArgs). */
  maps: string[];
  audio: readonly TrackInfo[];
  copyTs: boolean;
  /** MP4 video timescale; the source's, so copied timestamps stay exact. */
  timescale: number | null;
  output: string;
}

/**
 * Keyframe-aligned stream copy. `-ss` is the keyframe's own time (rounded up), so the input
 * seek lands on it, and `-copypriorss 0` drops whatever the demuxer read before it: an HLS
 * reader seeks to the start of the segment, which may hold earlier GOPs that would otherwise
 * be copied in front (measured: 6 s segments of 2 s GOPs gave two extra GOPs). The clip starts
 * with the keyframe at zero, with no hidden lead-in that only edit-list-aware players skip;
 * audio starts at its first packet from the keyframe on. It may run a frame past `end`.
 */
export function clipCopyArgs(o: ClipCopyOptions): string[][] {
  return [
    HEAD,
    PROGRESS,
    [...o.inputOptions, ...inputStartArgs(o.start), '-i', o.input],
    o.maps,
    ['-c:v', 'copy', ...audioEncodeArgs(o.audio, 'copy'), '-copypriorss', '0'],
    ['-t', secondsCeil(o.end - o.start.zero)],
    // Without copyTs the clip starts at zero (B-frame decode times below it are shifted too);
    // with it the source clock is restored instead.
    o.copyTs ? ['-output_ts_offset', seconds6(o.start.zero)] : ['-avoid_negative_ts', 'make_zero'],
    mp4Output(o.output, o.timescale),
  ];
}

export interface ClipReencodeOptions {
  input: string;
  inputOptions: string[];
  /** Decoder options of the strategy (decodeArgs), before -i. */
  decodeOptions: string[];
  /**
   * Where reading starts (source-clock.ts): an indexed container seeks to `first` itself and
   * ffmpeg's accurate seek drops what comes before; MPEG-TS/HLS start at the keyframe's DTS and
   * the frames up to `first` are trimmed by filters.
   */
  start: InputStart;
  /** Source time of the clip's first frame (the requested start rounded up to a frame). */
  first: number;
  /** A source time between the frame before `first` and `first`: video frames from here on are kept. */
  pickAt: number;
  frameCount: number;
  /** Length of the clip in seconds (frameCount / fps for constant-rate sources). */
  duration: number;
  maps: string[];
  /** Video encoder options of the strategy (encodeArgs). */
  videoEncode: string[];
  audio: readonly TrackInfo[];
  copyTs: boolean;
  timescale: number | null;
  output: string;
}

/** Exact-frame full re-encode of every kept track. */
export function clipReencodeArgs(o: ClipReencodeOptions): string[][] {
  const videoAt = onInputClock(o.start, o.pickAt);
  const audioAt = onInputClock(o.start, o.first);
  // Frames between the input start and the clip's first frame (a keyframe's GOP read from its
  // start): trimmed, and the clip's clock reset to its first frame, audio cut at the same time.
  const lead = videoAt > 0;
  const video = [...(lead ? [`trim=start=${signedMicros(videoAt)}`, 'setpts=PTS-STARTPTS'] : []), `trim=end_frame=${o.frameCount}`];
  const audio = lead && o.audio.length > 0 ? ['-filter:a', `atrim=start=${signedMicros(Math.max(0, audioAt))},asetpts=PTS-STARTPTS`] : [];
  return [
    HEAD,
    PROGRESS,
    [...o.inputOptions, ...o.decodeOptions, ...inputStartArgs(o.start), '-i', o.input],
    o.maps,
    ['-filter:v', video.join(','), ...audio, '-fps_mode', 'passthrough'],
    o.videoEncode,
    audioEncodeArgs(o.audio, 'encode'),
    ['-t', secondsCeil(o.duration)],
    o.copyTs ? ['-output_ts_offset', seconds6(o.first)] : [],
    mp4Output(o.output, o.timescale),
  ];
}

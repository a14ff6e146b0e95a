// Smart cut: an exact-frame clip that re-encodes only the partial GOP at each edge and
// stream-copies the whole GOPs between, joined with the concat demuxer (docs/media.md: 0.08
// to 0.11 of a full re-encode, copied frames bit-identical). Pure planning and arguments.
//
// When joining is unsafe the clip is re-encoded in full instead. Decided here, from facts
// known before any encoding:
//   - the clip holds no whole GOP (it lies inside one GOP, or spans a single keyframe):
//     nothing to copy, and a full re-encode of under two GOPs is cheap anyway;
//   - more than one video track is kept: each would need its own cut and join;
//   - the codec is neither H.264 nor HEVC: the edges are made with libx264 / libx265 and
//     must share the copied GOPs' parameter sets;
//   - the frames are not on a constant-rate grid (VFR, or missing timestamps): the pieces'
//     durations would not add up at the joins;
//   - open GOPs in H.264 (frames after a keyframe, in decode order, shown before it): those
//     leading frames reference the GOP before, and H.264 gives no way to drop them from a copy.
//     HEVC marks them (RASL/RADL NAL types), so an HEVC open GOP is cut: the leading pictures
//     of the first copied keyframe are dropped (they are in the re-encoded head), and the
//     copy ends before the next keyframe's leading pictures (re-encoded in the tail). One GOP
//     at most is copied then: the leading pictures of a keyframe inside the copy would have
//     to stay, and one filter cannot keep some and drop others;
// Decided by the worker, after measuring:
//   - x264 / x265 did not make the source, or its options cannot be mirrored (clip-x264.ts,
//     clip-x265.ts);
//   - an edge's parameter sets differ from the copied GOPs', byte for byte;
//   - the joined file, decoded, has the wrong frame count or timing, or its copied frames
//     differ from the source's (clip-verify.ts).
// HLS sources are not excluded: with absolute-time seeks, `-copypriorss 0` trimming what the
// segment-start seek reads before the first copied keyframe, and one MP4 timescale for all
// pieces, the join is exact (test/video-asset.test.ts); the checks above still apply.
import { concatListText } from './concat-list.js';
import { audioEncodeArgs, seconds6, secondsCeil, seekFloor } from './clip-args.js';
import { type InputStart, inputStartArgs, onInputClock, signedMicros } from '@framesmith/core/media/source-clock';
import type { TrackInfo } from '@framesmith/core/media/track-info';

/** A run of frames by index on the source's frame grid (frame 0 = the track's first frame). */
export interface FrameSpan {
  first: number;
  count: number;
}

// Requested times have millisecond resolution; frame times are exact multiples of 1/fps.
const EPSILON_FRAMES = 1e-6;

/** The frames t with start <= t < end, for offsets from the track's first frame. */
export function clipFrameSpan(fps: number, start: number, end: number): FrameSpan {
  const first = Math.max(0, Math.ceil(start * fps - EPSILON_FRAMES));
  const endExclusive = Math.ceil(end * fps - EPSILON_FRAMES);
  return { first, count: Math.max(0, endExclusive - first) };
}

export type SmartCutPlan =
  | { kind: 'smart-cut'; clip: FrameSpan; head: FrameSpan | null; middle: FrameSpan; tail: FrameSpan | null }
  | { kind: 'full-reencode'; clip: FrameSpan; reason: string };

/**
 * Splits the clip [start, end) at the first keyframe at or after its first frame and the last
 * keyframe at or before the frame after its last one. `keyframes` and the times are offsets
 * in seconds from the track's first frame, on a constant-rate grid of `fps`. `leading` gives,
 * by keyframe frame index, how many frames follow it in decode order but are shown before it
 * (an open GOP's leading pictures); with any, one GOP at most is copied and the copy stops
 * before the next keyframe's leading pictures.
 */
export function planSmartCut(keyframes: readonly number[], fps: number, start: number, end: number, leading: ReadonlyMap<number, number> = new Map()): SmartCutPlan {
  const clip = clipFrameSpan(fps, start, end);
  const endExclusive = clip.first + clip.count;
  const keys = [...new Set(keyframes.map((k) => Math.round(k * fps)))].sort((a, b) => a - b);
  const k1 = keys.find((k) => k >= clip.first);
  const k2 = [...keys].reverse().find((k) => k <= endExclusive);
  if (clip.count === 0) return { kind: 'full-reencode', clip, reason: 'the clip holds no frame' };
  if (k1 === undefined || k2 === undefined || k2 <= k1) {
    return { kind: 'full-reencode', clip, reason: 'the clip holds no whole GOP to copy' };
  }
  let copyEnd = k2;
  if ([...leading.values()].some((n) => n > 0)) {
    const next = keys.find((k) => k > k1)!;
    if (next < k2) return { kind: 'full-reencode', clip, reason: 'open GOPs: a smart cut copies one GOP at most, and the clip holds more' };
    copyEnd = k2 - (leading.get(k2) ?? 0);
    if (copyEnd <= k1) return { kind: 'full-reencode', clip, reason: 'open GOPs: no frame of the GOP can be copied' };
  }
  return {
    kind: 'smart-cut',
    clip,
    head: k1 > clip.first ? { first: clip.first, count: k1 - clip.first } : null,
    middle: { first: k1, count: copyEnd - k1 },
    tail: copyEnd < endExclusive ? { first: copyEnd, count: endExclusive - copyEnd } : null,
  };
}

/**
 * For each keyframe (by presentation time) of packets in decode order, how many of the packets
 * after it, before the next keyframe, are shown before it: an open GOP's leading pictures.
 */
export function leadingPictures(packets: readonly { pts: number | null; key: boolean }[]): Map<number, number> {
  const counts = new Map<number, number>();
  let key: number | null = null;
  for (const p of packets) {
    if (p.pts === null) continue;
    if (p.key) {
      key = p.pts;
      counts.set(key, 0);
    } else if (key !== null && p.pts < key - 1e-6) counts.set(key, counts.get(key)! + 1);
  }
  return counts;
}

/**
 * Whether copying pays for the smart cut's fixed cost (about ten more short ffmpeg runs, and
 * decoding the joins to check them): on small pictures a full re-encode is quicker (measured
 * on 2 cores: 107 frames of 320x180 re-encode in 0.2 s, smart-cut in 1.0 s; 1,215 frames of
 * 1080p in 15.5 s against 3.9 s). `minCopiedPixels` 0 always tries.
 */
export function smartCutPaysOff(plan: Extract<SmartCutPlan, { kind: 'smart-cut' }>, pixelsPerFrame: number, minCopiedPixels: number): boolean {
  return plan.middle.count * pixelsPerFrame >= minCopiedPixels;
}

export interface SmartCutFacts {
  codec: string;
  videoTracks: number;
  onGrid: boolean;
  openGop: boolean;
}

/** Why a smart cut cannot be tried on this source, or null when it can. */
export function smartCutBlocker(f: SmartCutFacts): string | null {
  if (f.videoTracks !== 1) return `${f.videoTracks} video tracks are kept; the smart cut joins one`;
  if (f.codec !== 'h264' && f.codec !== 'hevc') return `the source codec is ${f.codec || 'unknown'}; the smart cut joins H.264 (edges by libx264) and HEVC (libx265) only`;
  if (!f.onGrid) return 'the source frame rate is variable or unknown';
  if (f.openGop && f.codec === 'h264') return 'the source uses open GOPs, whose leading frames H.264 cannot mark for dropping from a copy';
  return null;
}

const HEAD = ['-nostdin', '-hide_banner', '-v', 'error', '-y'];
export const EDGE_PRESET = 'veryfast';
const PROGRESS = ['-progress', 'pipe:1', '-nostats'];

/**
 * The edges' encoder: libx264 with mirrorX264Options' params, or libx265 with
 * mirrorX265Options' params and normaliseHevcBsf's filter (clip-x265.ts).
 */
export type EdgeEncoder = { codec: 'libx264'; params: string } | { codec: 'libx265'; params: string; bsf: string };

export interface EdgeOptions {
  input: string;
  inputOptions: string[];
  /** Decoder options of the strategy (decodeArgs); the encoder is always libx264/libx265 here. */
  decodeOptions: string[];
  streamIndex: number;
  /** Source time of the edge's first frame. */
  first: number;
  /**
   * Source time of the keyframe to start decoding at, when seeking to `first` could skip
   * frames: an MP4 seeks by decode time, and an open GOP's keyframe is decoded before the
   * leading pictures shown ahead of it, which then are not decodable from there. The frames
   * between are decoded and dropped (output-side -ss). MPEG-TS and HLS sources always start
   * so (source-clock.ts: their seek lands on the keyframe only from its DTS).
   */
  seekFrom?: InputStart | null;
  frameCount: number;
  encoder: EdgeEncoder;
  /** The source's pixel format, so the edges' SPS has its chroma format and bit depth. */
  pixFmt: string | null;
  timescale: number;
  output: string;
}

/** One re-encoded edge (head or tail), video only. */
export function smartCutEdgeArgs(o: EdgeOptions): string[][] {
  return [
    HEAD,
    PROGRESS,
    // -noautorotate: the edges keep the stored orientation of the copied GOPs; the join puts
    // the source's display matrix back on the whole clip (JoinOptions.rotation).
    [...o.inputOptions, ...o.decodeOptions, '-noautorotate', ...(o.seekFrom ? inputStartArgs(o.seekFrom) : ['-seek_timestamp', '1', '-ss', seekFloor(o.first)]), '-i', o.input],
    ['-map', `0:${o.streamIndex}`, '-an', '-sn', '-dn', '-map_metadata', '-1'],
    o.seekFrom ? ['-ss', seekFloor(onInputClock(o.seekFrom, o.first))] : [],
    ['-frames:v', String(o.frameCount), '-fps_mode', 'passthrough'],
    // The preset sets the speed (the full re-encode's, video-strategy.ts); the mirrored
    // options after it fix everything that reaches the SPS/PPS.
    o.encoder.codec === 'libx264'
      ? ['-c:v', 'libx264', '-preset', EDGE_PRESET, '-x264-params', o.encoder.params]
      : ['-c:v', 'libx265', '-preset', EDGE_PRESET, '-x265-params', o.encoder.params, '-bsf:v', o.encoder.bsf],
    o.pixFmt ? ['-pix_fmt', o.pixFmt] : [],
    // The concat demuxer does not rescale between pieces: all must share one timescale.
    ['-video_track_timescale', String(o.timescale), '-f', 'mp4', o.output],
  ];
}

export interface MiddleOptions {
  input: string;
  inputOptions: string[];
  streamIndex: number;
  /** Source time of the first copied keyframe. */
  keyframe: number;
  frameCount: number;
  timescale: number;
  output: string;
  /** Applied to the copied packets: HEVC's VUI normalisation and leading-picture drop (hevcMiddleBsf). */
  bsf?: string | null;
  /**
   * Where to start reading when a seek to the keyframe's time would not land on it (MPEG-TS,
   * HLS: planInputStart seeks to its DTS); the keyframe is then moved to 0 on the output.
   */
  start?: InputStart | null;
}

/** HEVC's middle filter: the leading pictures (RADL/RASL, NAL types 6-9) of an open GOP dropped, then the VUI normalised. */
export function hevcMiddleBsf(normalise: string, openGop: boolean): string {
  return openGop ? `filter_units=remove_types=6-9,${normalise}` : normalise;
}

/**
 * The copied GOPs. The seek may land before the keyframe (one GOP early when the rounded-down
 * time is a hair before it; at the segment start for HLS), so `-copypriorss 0` drops every
 * packet shown before it; `-frames:v` counts packets, which for closed GOPs are exactly the
 * frames of the copied GOPs (ffmpeg counts after the filter, so the dropped leading pictures
 * of an HEVC open GOP do not count; the copy then ends just before the next keyframe).
 */
export function smartCutMiddleArgs(o: MiddleOptions): string[][] {
  return [
    HEAD,
    PROGRESS,
    [...o.inputOptions, ...(o.start ? inputStartArgs(o.start) : ['-seek_timestamp', '1', '-ss', seekFloor(o.keyframe)]), '-i', o.input],
    ['-map', `0:${o.streamIndex}`, '-an', '-sn', '-dn', '-map_metadata', '-1'],
    ['-c', 'copy', '-copypriorss', '0', '-frames:v', String(o.frameCount), ...(o.bsf ? ['-bsf:v', o.bsf] : [])],
    o.start ? ['-output_ts_offset', signedMicros(-onInputClock(o.start, o.keyframe))] : [],
    ['-video_track_timescale', String(o.timescale), '-f', 'mp4', o.output],
  ];
}

export interface JoinOptions {
  /** The concat list, in the folder of the pieces (concatListText). */
  listFile: string;
  /** The kept audio tracks, re-encoded from the source over exactly the clip's span. */
  audio: { input: string; inputOptions: string[]; first: number; duration: number; tracks: readonly TrackInfo[] } | null;
  /** copyTs: the source time of the clip's first frame; null starts the clip at zero. */
  copyTsOffset: number | null;
  timescale: number;
  output: string;
  /** The source's display rotation (probe-media.ts), written back as the clip's display matrix. */
  rotation?: number;
}

/** Joins the pieces (video copied) and adds the audio, encoded in the same run. */
export function smartCutJoinArgs(o: JoinOptions): string[][] {
  const audio = o.audio && o.audio.tracks.length > 0 ? o.audio : null;
  return [
    HEAD,
    PROGRESS,
    ['-f', 'concat', '-safe', '1', '-protocol_whitelist', 'file', '-i', o.listFile],
    audio ? [...audio.inputOptions, '-seek_timestamp', '1', '-ss', seekFloor(audio.first), '-t', secondsCeil(audio.duration), '-i', audio.input] : [],
    ['-map', '0:v:0', ...(audio ? [...audio.tracks].sort((a, b) => a.index - b.index).flatMap((t) => ['-map', `1:${t.index}`]) : [])],
    ['-c:v', 'copy', ...(audio ? audioEncodeArgs([...audio.tracks].sort((a, b) => a.index - b.index), 'encode') : [])],
    o.copyTsOffset !== null ? ['-output_ts_offset', seconds6(o.copyTsOffset)] : [],
    // ffmpeg 5.1's mov muxer writes the display matrix from the stream's `rotate` tag.
    o.rotation ? ['-metadata:s:v:0', `rotate=${o.rotation}`] : [],
    ['-video_track_timescale', String(o.timescale), '-map_chapters', '-1', '-movflags', '+faststart', '-f', 'mp4', o.output],
  ];
}

export const PIECE_NAMES = { head: 'head.mp4', middle: 'middle.mp4', tail: 'tail.mp4', list: 'pieces.ffconcat' } as const;

/** The concat list for the pieces a plan has. */
export function smartCutList(plan: Extract<SmartCutPlan, { kind: 'smart-cut' }>): string {
  return concatListText([
    ...(plan.head ? [PIECE_NAMES.head] : []),
    PIECE_NAMES.middle,
    ...(plan.tail ? [PIECE_NAMES.tail] : []),
  ]);
}

// The ffmpeg arguments of a smart cut's pieces (clip-smart-cut.ts plans them, smart-cut.ts
// runs them): the re-encoded edges, the copied GOPs between, the clip's audio, and the join
// that puts them in one MP4. Pure builders.
import { concatListText } from './concat-list.js';
import { audioEncodeArgs, seconds6, secondsCeil, seekFloor } from './clip-args.js';
import type { SmartCutPlan } from './clip-smart-cut.js';
import { type InputStart, inputStartArgs, onInputClock, signedMicros } from '@framesmith/core/media/source-clock';
import type { TrackInfo } from '@framesmith/core/media/track-info';

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
   * HLS: copyStart seeks to its DTS); the keyframe is then moved to 0 on the output.
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

export interface AudioPieceOptions {
  input: string;
  inputOptions: string[];
  /** Source time of the clip's first frame, and the clip's length in seconds. */
  first: number;
  duration: number;
  /** The kept audio tracks; the piece holds them in stream-index order. */
  tracks: readonly TrackInfo[];
  output: string;
}

/**
 * The kept audio tracks over exactly the clip's span, encoded to AAC on their own so that the
 * encode runs beside the edges'; the join copies them (the decoded samples are the same as
 * encoding in the join: the AAC priming is carried by the piece's edit list).
 */
export function smartCutAudioArgs(o: AudioPieceOptions): string[][] {
  const tracks = [...o.tracks].sort((a, b) => a.index - b.index);
  return [
    HEAD,
    [...o.inputOptions, '-seek_timestamp', '1', '-ss', seekFloor(o.first), '-t', secondsCeil(o.duration), '-i', o.input],
    [...tracks.flatMap((t) => ['-map', `0:${t.index}`]), '-vn', '-sn', '-dn'],
    audioEncodeArgs(tracks, 'encode'),
    ['-f', 'mp4', o.output],
  ];
}

export interface JoinOptions {
  /** The concat list, in the folder of the pieces (concatListText). */
  listFile: string;
  /** The audio piece (smartCutAudioArgs), copied; null when no audio track is kept. */
  audioFile: string | null;
  /** copyTs: the source time of the clip's first frame; null starts the clip at zero. */
  copyTsOffset: number | null;
  timescale: number;
  output: string;
  /** The source's display rotation (probe-media.ts), written back as the clip's display matrix. */
  rotation?: number;
}

/** Joins the pieces: video and audio copied. */
export function smartCutJoinArgs(o: JoinOptions): string[][] {
  return [
    HEAD,
    PROGRESS,
    ['-f', 'concat', '-safe', '1', '-protocol_whitelist', 'file', '-i', o.listFile],
    o.audioFile ? ['-protocol_whitelist', 'file', '-i', o.audioFile] : [],
    ['-map', '0:v:0', ...(o.audioFile ? ['-map', '1:a'] : []), '-c', 'copy'],
    o.copyTsOffset !== null ? ['-output_ts_offset', seconds6(o.copyTsOffset)] : [],
    // ffmpeg 5.1's mov muxer writes the display matrix from the stream's `rotate` tag.
    o.rotation ? ['-metadata:s:v:0', `rotate=${o.rotation}`] : [],
    ['-video_track_timescale', String(o.timescale), '-map_chapters', '-1', '-movflags', '+faststart', '-f', 'mp4', o.output],
  ];
}

export const PIECE_NAMES = { head: 'head.mp4', middle: 'middle.mp4', tail: 'tail.mp4', audio: 'audio.m4a', list: 'pieces.ffconcat' } as const;

/** The concat list for the pieces a plan has. */
export function smartCutList(plan: Extract<SmartCutPlan, { kind: 'smart-cut' }>): string {
  return concatListText([
    ...(plan.head ? [PIECE_NAMES.head] : []),
    PIECE_NAMES.middle,
    ...(plan.tail ? [PIECE_NAMES.tail] : []),
  ]);
}

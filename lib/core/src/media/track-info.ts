// The track view that track filters and mezzanine selection work on, read from
// `ffprobe -v error -show_streams -show_format -of json`. Pure: the caller runs ffprobe.

export type TrackType = 'video' | 'audio' | 'text' | 'data';

export interface TrackInfo {
  index: number;
  type: TrackType;
  codec: string;
  /** Upper case, as Unified Streaming filters spell it (`AVC1`, `MP4A`); '' when unknown. */
  fourCC: string;
  width: number | null;
  height: number | null;
  /** Bits per second. */
  bitrate: number | null;
  /** As tagged (usually ISO 639-2, e.g. `eng`); null for untagged or `und`. */
  language: string | null;
  fps: number | null;
}

export class FfprobeOutputError extends Error {
  override readonly name = 'FfprobeOutputError';
}

// Matroska, MPEG-TS and others carry no ISO-BMFF sample entry, so ffprobe prints the tag as
// `[0][0][0][0]` or `[27][0][0][0]`; use the sample entry an MP4 would have used instead.
const FOURCC_BY_CODEC: Readonly<Record<string, string>> = {
  h264: 'AVC1',
  hevc: 'HVC1',
  av1: 'AV01',
  vp9: 'VP09',
  vp8: 'VP08',
  mpeg4: 'MP4V',
  aac: 'MP4A',
  mp3: 'MP4A',
  ac3: 'AC-3',
  eac3: 'EC-3',
  opus: 'OPUS',
  flac: 'FLAC',
  alac: 'ALAC',
  mov_text: 'TX3G',
  webvtt: 'WVTT',
  ttml: 'STPP',
};

export function tracksFromFfprobe(json: unknown): TrackInfo[] {
  if (!isRecord(json) || !Array.isArray(json.streams)) {
    throw new FfprobeOutputError('ffprobe output has no "streams" array (was -show_streams -of json used?)');
  }
  return json.streams.map((stream, position) => {
    if (!isRecord(stream)) {
      throw new FfprobeOutputError(`ffprobe stream #${position} is not an object`);
    }
    return trackFromStream(stream, position);
  });
}

function trackFromStream(stream: Record<string, unknown>, position: number): TrackInfo {
  const index = typeof stream.index === 'number' && Number.isInteger(stream.index) ? stream.index : position;
  const type = trackType(stream.codec_type);
  const codec = typeof stream.codec_name === 'string' ? stream.codec_name : '';
  const tags = isRecord(stream.tags) ? stream.tags : {};
  const isVideo = type === 'video';
  return {
    index,
    type,
    codec,
    fourCC: fourCC(stream.codec_tag_string, codec),
    width: isVideo ? positiveInteger(stream.width) : null,
    height: isVideo ? positiveInteger(stream.height) : null,
    // Matroska keeps the rate only in the statistics tags that mkvmerge writes; older
    // mkvmerge versions suffixed the tag with the language.
    bitrate: positiveInteger(stream.bit_rate) ?? positiveInteger(tags.BPS) ?? positiveInteger(tags['BPS-eng']),
    language: language(tags.language),
    // A tmcd track reports the frame rate of its timecode; only pictures have a rate to select on.
    fps: isVideo ? (frameRate(stream.avg_frame_rate) ?? frameRate(stream.r_frame_rate)) : null,
  };
}

function trackType(codecType: unknown): TrackType {
  switch (codecType) {
    case 'video':
      return 'video';
    case 'audio':
      return 'audio';
    case 'subtitle':
      return 'text';
    default:
      return 'data';
  }
}

function fourCC(tagString: unknown, codec: string): string {
  // Bytes ffprobe cannot print come out as `[n]`, so exactly four characters means a real tag.
  if (typeof tagString === 'string' && /^[\x20-\x7e]{4}$/.test(tagString) && !tagString.includes('[')) {
    return tagString.toUpperCase();
  }
  return FOURCC_BY_CODEC[codec] ?? codec.toUpperCase();
}

function language(tag: unknown): string | null {
  if (typeof tag !== 'string') return null;
  const trimmed = tag.trim();
  return trimmed === '' || trimmed.toLowerCase() === 'und' ? null : trimmed;
}

function positiveInteger(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function frameRate(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!match) return null;
  const num = Number(match[1]);
  const den = Number(match[2]);
  // ffprobe prints 0/0 for streams without a rate.
  return num > 0 && den > 0 ? num / den : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

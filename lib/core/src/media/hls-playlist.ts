// HLS playlists (RFC 8216): the text read into a segment timeline (durations, offsets and
// program date time) or a variant list, with every URI it refers to recorded for the URI
// check (hls-uri-check.ts), and a live window written back as a VOD snapshot. Mapping an
// instant onto the timeline is hls-instant.ts.

export interface HlsSegment {
  uri: string;
  /** Seconds, from #EXTINF. */
  duration: number;
  /** Epoch milliseconds of the segment's first sample; null when the playlist does not say. */
  programDateTimeMs: number | null;
  /** Seconds from the start of the first segment in the playlist. */
  startOffset: number;
}

/** A URI the playlist refers to: a segment or variant line, or a tag's URI attribute. */
export interface HlsResource {
  uri: string;
  /** 1-based line in the playlist text. */
  line: number;
  /** `segment`, `variant`, or the tag carrying the URI attribute (`EXT-X-KEY`, `EXT-X-MAP`...). */
  source: string;
}

export interface HlsMediaPlaylist {
  kind: 'media';
  targetDuration: number;
  mediaSequence: number;
  endList: boolean;
  segments: HlsSegment[];
  resources: HlsResource[];
}

export interface HlsVariant {
  uri: string;
  bandwidth: number;
  resolution: { width: number; height: number } | null;
}

export interface HlsMasterPlaylist {
  kind: 'master';
  variants: HlsVariant[];
  resources: HlsResource[];
}

export type HlsPlaylist = HlsMediaPlaylist | HlsMasterPlaylist;

export class HlsPlaylistError extends Error {
  override readonly name = 'HlsPlaylistError';
  constructor(
    reason: string,
    readonly line: number,
  ) {
    super(`Invalid HLS playlist at line ${line}: ${reason}`);
  }
}
const DECIMAL = /^\d+(?:\.\d+)?$/;
const INTEGER = /^\d+$/;

export function parseHlsPlaylist(text: string): HlsPlaylist {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines[0]?.trim() !== '#EXTM3U') throw new HlsPlaylistError('the first line is not #EXTM3U', 1);

  let targetDuration: number | null = null;
  let mediaSequence = 0;
  let endList = false;
  let isMaster = false;
  const segments: HlsSegment[] = [];
  const variants: HlsVariant[] = [];
  const resources: HlsResource[] = [];

  // Tags before a URI line describe the segment or variant that line names.
  let pendingDuration: { value: number; line: number } | null = null;
  let pendingDateMs: number | null = null;
  let pendingDiscontinuity = false;
  let pendingVariant: { bandwidth: number; resolution: HlsVariant['resolution']; line: number } | null = null;
  let nextOffset = 0;

  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (line === '') continue;

    if (!line.startsWith('#')) {
      if (pendingVariant) {
        resources.push({ uri: line, line: lineNo, source: 'variant' });
        variants.push({ uri: line, bandwidth: pendingVariant.bandwidth, resolution: pendingVariant.resolution });
        pendingVariant = null;
        continue;
      }
      if (!pendingDuration) throw new HlsPlaylistError(`URI ${JSON.stringify(line)} has no #EXTINF or #EXT-X-STREAM-INF before it`, lineNo);
      resources.push({ uri: line, line: lineNo, source: 'segment' });
      const previous = segments.at(-1);
      // Without a date of its own a segment continues the previous one's clock, except after
      // a discontinuity, where the clock may have jumped.
      const inherited =
        previous && previous.programDateTimeMs !== null && !pendingDiscontinuity
          ? previous.programDateTimeMs + previous.duration * 1000
          : null;
      segments.push({ uri: line, duration: pendingDuration.value, programDateTimeMs: pendingDateMs ?? inherited, startOffset: nextOffset });
      nextOffset += pendingDuration.value;
      pendingDuration = null;
      pendingDateMs = null;
      pendingDiscontinuity = false;
      continue;
    }

    if (!line.startsWith('#EXT')) continue; // a comment
    const colon = line.indexOf(':');
    const tag = colon === -1 ? line.slice(1) : line.slice(1, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1);

    switch (tag) {
      case 'EXT-X-TARGETDURATION':
        if (!DECIMAL.test(value)) throw new HlsPlaylistError(`bad target duration ${JSON.stringify(value)}`, lineNo);
        targetDuration = Number(value);
        break;
      case 'EXT-X-MEDIA-SEQUENCE':
        if (!INTEGER.test(value)) throw new HlsPlaylistError(`bad media sequence ${JSON.stringify(value)}`, lineNo);
        mediaSequence = Number(value);
        break;
      case 'EXT-X-ENDLIST':
        endList = true;
        break;
      case 'EXT-X-DISCONTINUITY':
        pendingDiscontinuity = true;
        break;
      case 'EXTINF': {
        const duration = value.split(',', 1)[0]!.trim();
        if (!DECIMAL.test(duration)) throw new HlsPlaylistError(`bad segment duration ${JSON.stringify(duration)}`, lineNo);
        pendingDuration = { value: Number(duration), line: lineNo };
        break;
      }
      case 'EXT-X-PROGRAM-DATE-TIME': {
        const ms = parseProgramDateTime(value.trim());
        if (ms === null) throw new HlsPlaylistError(`bad program date time ${JSON.stringify(value)}`, lineNo);
        pendingDateMs = ms;
        break;
      }
      case 'EXT-X-STREAM-INF': {
        isMaster = true;
        const attrs = parseAttributes(value, lineNo);
        const bandwidth = attrs.get('BANDWIDTH');
        if (bandwidth === undefined || !INTEGER.test(bandwidth)) throw new HlsPlaylistError('EXT-X-STREAM-INF needs a BANDWIDTH', lineNo);
        const resolution = attrs.get('RESOLUTION');
        const size = resolution === undefined ? null : /^(\d+)x(\d+)$/.exec(resolution);
        if (size === null && resolution !== undefined) throw new HlsPlaylistError(`bad RESOLUTION ${JSON.stringify(resolution)}`, lineNo);
        pendingVariant = {
          bandwidth: Number(bandwidth),
          resolution: size ? { width: Number(size[1]), height: Number(size[2]) } : null,
          line: lineNo,
        };
        break;
      }
      case 'EXT-X-I-FRAME-STREAM-INF':
        isMaster = true;
        break;
    }

    // Any tag may carry a URI attribute (keys, init sections, renditions, LL-HLS parts and
    // hints): record them all so none escapes the URI check.
    if (/(?:^|,)\s*URI\s*=/.test(value) && tag !== 'EXTINF') {
      const uri = parseAttributes(value, lineNo).get('URI');
      if (uri !== undefined) resources.push({ uri, line: lineNo, source: tag });
    }
  }

  if (pendingVariant) throw new HlsPlaylistError('EXT-X-STREAM-INF is not followed by a URI', pendingVariant.line);
  if (pendingDuration) throw new HlsPlaylistError('EXTINF is not followed by a URI', pendingDuration.line);
  if (isMaster) {
    if (segments.length > 0) throw new HlsPlaylistError('a playlist cannot hold both variants and segments', resources[0]?.line ?? 1);
    return { kind: 'master', variants, resources };
  }
  if (targetDuration === null) throw new HlsPlaylistError('media playlist has no #EXT-X-TARGETDURATION', 1);
  return { kind: 'media', targetDuration, mediaSequence, endList, segments, resources };
}

/** RFC 8216 attribute list: `KEY=value,KEY="quoted, with commas"`. */
function parseAttributes(value: string, line: number): Map<string, string> {
  const attrs = new Map<string, string>();
  const pattern = /\s*([A-Z0-9-]+)\s*=\s*("[^"]*"|[^,"]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < value.length && (match = pattern.exec(value)) !== null) {
    const raw = match[2]!.trim();
    attrs.set(match[1]!, raw.startsWith('"') ? raw.slice(1, -1) : raw);
  }
  if (pattern.lastIndex < value.length) throw new HlsPlaylistError(`bad attribute list ${JSON.stringify(value)}`, line);
  return attrs;
}

// ffmpeg writes `2026-11-26T21:09:21.500+0000`; RFC 3339 writers use `+00:00` or `Z`.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/i;

function parseProgramDateTime(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls impossible dates over (Feb 30 → Mar 2); refuse them instead.
  const check = new Date(utc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  const fraction = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const zone = m[8]!;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return utc + fraction - offsetMinutes * 60_000;
}
/**
 * A live (sliding-window) media playlist as a VOD snapshot: every URI made absolute by
 * `resolve` and `#EXT-X-ENDLIST` added. ffmpeg starts a live playlist near its live edge and
 * cannot seek in it; the snapshot starts at the window's first segment and seeks like a VOD,
 * so offsets and program-date-time instants mean the same as for a finished recording.
 */
export function vodSnapshot(text: string, playlist: HlsMediaPlaylist, resolve: (uri: string) => string): string {
  const lines = text.split(/\r?\n/);
  for (const r of playlist.resources) {
    const i = r.line - 1;
    const line = lines[i];
    if (line === undefined) continue;
    lines[i] = r.source === 'segment' ? resolve(r.uri) : line.replace(`URI="${r.uri}"`, `URI="${resolve(r.uri)}"`);
  }
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.join('\n') + '\n#EXT-X-ENDLIST\n';
}

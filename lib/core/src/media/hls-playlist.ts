// HLS playlists (RFC 8216) as sources: the segment timeline with program date time for
// mapping ISO8601 instants onto the stream, and a check of every URI a playlist would make
// ffmpeg open. A playlist is user-supplied text: a segment or key URI can point anywhere
// (`file:///etc/passwd`, `../../secret`, `subfile,,start,0,end,0,,:/etc/passwd`, another
// host), so nothing is handed to ffmpeg before checkPlaylistUris passes.
import path from 'node:path';
import { type EgressPolicy, hostVerdict } from '../net/egress-policy.js';

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

export type PlaylistBase =
  | { kind: 'file'; dir: string; root: string }
  /** `egress`: the policy every URI's host must pass; without it only the origin rule applies. */
  | { kind: 'url'; url: string; egress?: EgressPolicy };

export interface PlaylistUriProblem {
  /** 1-based line of the offending URI; 0 for a problem with the base itself. */
  line: number;
  uri: string;
  reason: string;
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

// Dates propagated by adding durations drift by fractions of a microsecond.
const DRIFT_MS = 1e-6;
// ffmpeg writes each date rounded to the millisecond, so the next segment's date can start up
// to 1 ms after this one's end.
const ROUNDING_MS = 1;

/**
 * Seconds from the start of the first segment to `instantMs`, through the segment whose
 * program-date-time range holds it; null when no dated segment does. The end of a segment
 * also counts (as that end), so a clip may end exactly where the stream ends.
 */
export function instantToOffset(playlist: HlsMediaPlaylist, instantMs: number): number | null {
  let endMatch: number | null = null;
  for (const segment of playlist.segments) {
    if (segment.programDateTimeMs === null) continue;
    const since = instantMs - segment.programDateTimeMs;
    const lengthMs = segment.duration * 1000;
    if (since >= -DRIFT_MS && since < lengthMs) return segment.startOffset + Math.max(0, since) / 1000;
    if (since >= lengthMs && since < lengthMs + ROUNDING_MS) endMatch ??= segment.startOffset + segment.duration;
  }
  return endMatch;
}

/** Every URI the playlist refers to that could be used to reach outside its source; empty when safe. */
export function checkPlaylistUris(playlist: HlsPlaylist, base: PlaylistBase): PlaylistUriProblem[] {
  if (base.kind === 'file') {
    if (!path.posix.isAbsolute(base.root)) throw new TypeError(`storage root must be absolute, got ${JSON.stringify(base.root)}`);
    const root = path.posix.resolve(base.root);
    const dir = path.posix.resolve(root, base.dir);
    return problems(playlist, (uri) => fileUriProblem(uri, dir, root));
  }
  let baseUrl: URL;
  try {
    baseUrl = new URL(base.url);
  } catch {
    return [{ line: 0, uri: base.url, reason: 'the playlist URL is not a valid URL' }];
  }
  if (!HTTP_SCHEMES.has(baseUrl.protocol)) {
    return [{ line: 0, uri: base.url, reason: `the playlist URL's scheme ${baseUrl.protocol} is not http or https` }];
  }
  const egress = base.egress;
  if (egress) {
    const verdict = hostVerdict(egress, baseUrl.hostname);
    if (verdict.kind === 'refused') return [{ line: 0, uri: base.url, reason: `the playlist URL's host is not allowed (${verdict.why})` }];
  }
  return problems(playlist, (uri) => urlUriProblem(uri, baseUrl, egress));
}

function problems(playlist: HlsPlaylist, check: (uri: string) => string | null): PlaylistUriProblem[] {
  const found: PlaylistUriProblem[] = [];
  for (const { uri, line, source } of playlist.resources) {
    const reason = check(uri);
    if (reason !== null) found.push({ line, uri, reason: `${source} URI ${reason}` });
  }
  return found;
}

const HTTP_SCHEMES = new Set(['http:', 'https:']);
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The protocol ffmpeg would pick for `uri`, or null for a relative reference. ffmpeg reads a
 * scheme wherever `:` comes before any of `/?#` (libavformat/url.c ff_url_decompose), which
 * also covers its option syntax `proto,opt,val:` (`subfile,,start,0,end,0,,:/etc/passwd`),
 * nested protocols (`crypto+file:`, `concat:`, `data:`) and a drive letter (`C:/x`) — forms a
 * WHATWG URL parser reads as a relative path. So this, not `new URL`, decides what is relative.
 */
export function ffmpegScheme(uri: string): string | null {
  const delimiter = /[:/?#]/.exec(uri);
  return delimiter && delimiter[0] === ':' ? uri.slice(0, delimiter.index) : null;
}

function fileUriProblem(uri: string, dir: string, root: string): string | null {
  if (uri === '') return 'is empty';
  if (CONTROL.test(uri)) return 'contains a control character';
  if (uri !== uri.trim()) return 'starts or ends with white space';
  const scheme = ffmpegScheme(uri);
  if (scheme !== null) return `has a scheme (${scheme}:); a file playlist may only use relative paths`;
  if (uri.startsWith('/')) return 'is an absolute path; a file playlist may only use relative paths';
  if (uri.includes('\\')) return 'contains a backslash';
  // Readers differ on whether they strip `?query`/`#fragment` and decode `%2e%2e`, so every
  // reading of the URI has to stay inside the root.
  const beforeQuery = uri.split(/[?#]/, 1)[0]!;
  const readings = new Set([uri, beforeQuery, percentDecoded(uri), percentDecoded(beforeQuery)]);
  const rootPrefix = root.endsWith('/') ? root : `${root}/`;
  for (const reading of readings) {
    if (reading.startsWith('/') || reading.includes('\\') || CONTROL.test(reading)) return 'decodes to an absolute or unsafe path';
    const resolved = path.posix.resolve(dir, reading);
    if (resolved !== root && !resolved.startsWith(rootPrefix)) return 'resolves outside the storage root';
  }
  return null;
}

function percentDecoded(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

function urlUriProblem(uri: string, base: URL, egress: EgressPolicy | undefined): string | null {
  if (uri === '') return 'is empty';
  if (CONTROL.test(uri)) return 'contains a control character';
  if (uri !== uri.trim()) return 'starts or ends with white space';
  const scheme = ffmpegScheme(uri);
  if (scheme !== null && !/^https?$/i.test(scheme)) return `has scheme ${scheme}:; only http and https are allowed`;
  let url: URL;
  try {
    url = new URL(uri, base);
  } catch {
    return 'is not a valid URL';
  }
  if (!HTTP_SCHEMES.has(url.protocol)) return `has scheme ${url.protocol}; only http and https are allowed`;
  if (url.origin !== base.origin) return `points to ${url.origin}, not the playlist's origin ${base.origin}`;
  const verdict = egress ? hostVerdict(egress, url.hostname) : null;
  if (verdict?.kind === 'refused') return `points to a host that is not allowed (${verdict.why})`;
  return null;
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

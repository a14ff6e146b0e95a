// The check of every URI an HLS playlist would make ffmpeg open. A playlist is user-supplied
// text: a segment or key URI can point anywhere (`file:///etc/passwd`, `../../secret`,
// `subfile,,start,0,end,0,,:/etc/passwd`, another host), so nothing is handed to ffmpeg
// before checkPlaylistUris passes.
import path from 'node:path';
import { type EgressPolicy, hostVerdict } from '../net/egress-policy.js';
import type { HlsPlaylist } from './hls-playlist.js';

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

// What a FAILED asset tells the client, in our words. A reason is built from our messages
// plus tool output (ffmpeg's stderr tail), and both can carry what must not leave the server:
// the text a remote service answered (an HTTP reason phrase is the server's own words, and
// "401 vs refused vs end of file" is enough to map internal ports), absolute paths of our
// machines, and credentials in URLs (presigned query strings, user:password@).

/** ffmpeg's words for a failed HTTP source, mapped onto ours; null when the text is not one. */
export function ffmpegNetworkFailure(text: string): { message: string; transient: boolean } | null {
  const status = /(?:Server returned|HTTP error) (\d)(\d\d|XX)\b/i.exec(text);
  if (status) {
    const code = `${status[1]}${status[2]!.toLowerCase()}`;
    return { message: `the source answered HTTP ${code}`, transient: status[1] === '5' };
  }
  for (const [pattern, words] of NETWORK_WORDS) if (pattern.test(text)) return { message: `the source could not be read: ${words}`, transient: words !== 'the host name does not resolve' };
  return null;
}

const NETWORK_WORDS: [RegExp, string][] = [
  [/Connection refused/i, 'connection refused'],
  [/Connection reset/i, 'connection reset'],
  [/timed out/i, 'connection timed out'],
  [/Network is unreachable|No route to host/i, 'network unreachable'],
  [/Failed to resolve hostname|Name or service not known|Temporary failure in name resolution/i, 'the host name does not resolve'],
  [/End of file/i, 'the connection closed early'],
];

const MAX_LENGTH = 1000;

export interface SanitiseOptions {
  /** Folders whose paths may be shown relative to them (the storage root). */
  roots?: readonly string[];
}

/** The reason as it may be stored and shown: no remote answer text, no absolute paths, no URL secrets. */
export function sanitiseFailureReason(reason: string, opts: SanitiseOptions = {}): string {
  let s = reason.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ');
  s = s.replace(/\b(https?|s3):\/\/[^\s'"<>|]+/gi, (url) => cleanUrl(url));
  // ffmpeg's HTTP lines carry the server's reason phrase ("HTTP error 401 <anything>"), often
  // after the URL it was opening: the whole line becomes the status code.
  s = s.replace(/(?:\b[a-z]+:\/\/\S+?:\s*)?(?:\[http @ [^\]]*\]\s*)?(?:Server returned|HTTP error) \d(?:\d\d|XX)\b[^|\n]*/gi, (m) => {
    // The phrase runs to the end of its line; a `)` closing our own parenthesis stays.
    const unbalanced = (m.match(/\)/g)?.length ?? 0) - (m.match(/\(/g)?.length ?? 0);
    return ffmpegNetworkFailure(m)!.message + ')'.repeat(Math.max(0, unbalanced));
  });
  s = s.replace(/\[[a-z0-9_]+ @ 0x[0-9a-f]+\]\s*/gi, ''); // ffmpeg's `[hls @ 0x55…]` context prefixes
  s = s.replace(/(^|[\s'"(=,])(?:file:)?(\/(?!\/)[^\s'"(),:|]*)/g, (_m, lead: string, p: string) => lead + shownPath(p, opts.roots ?? []));
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > MAX_LENGTH ? `${s.slice(0, MAX_LENGTH - 1)}…` : s;
}

// Textual, so the URL reads as written (no added `/`): credentials, query and fragment go.
function cleanUrl(raw: string): string {
  return raw.replace(/^([a-z0-9]+:\/\/)[^/?#@\s]*@/i, '$1').replace(/[?#].*$/, '');
}

function shownPath(p: string, roots: readonly string[]): string {
  for (const root of roots) {
    const prefix = root.endsWith('/') ? root : `${root}/`;
    if (p.startsWith(prefix) && p.length > prefix.length) return p.slice(prefix.length);
  }
  // Not ours to show: keep only the file's name, which says which input it was.
  const name = p.split('/').filter(Boolean).pop();
  return name ?? '(a server path)';
}

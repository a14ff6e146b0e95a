// An http(s) source (an event's sourceUrl) as ffmpeg may open it: the host checked by the
// egress policy, the playlist fetched by egressFetch and its URIs checked, and ffmpeg pointed
// at a checking proxy (net/egress-proxy.ts) so every connection it makes itself — segments,
// keys, redirect hops — goes to an address the policy allows. Failures are said in our words.
import { egressFetch, EgressRedirectError } from '../net/egress-fetch.js';
import { type EgressPolicy, EgressRefusedError, resolveChecked } from '../net/egress-policy.js';
import { type EgressProxy, startEgressProxy } from '../net/egress-proxy.js';
import { describeNetworkError, networkErrorCode, TRANSIENT_NETWORK_CODES } from '../net/network-error.js';
import { ffmpegNetworkFailure } from '../domain/failure-reason.js';
import { HlsPlaylistError, type HlsMediaPlaylist, parseHlsPlaylist, vodSnapshot } from './hls-playlist.js';
import { checkPlaylistUris } from './hls-uri-check.js';
import { SourceError, SourceUnavailableError } from './source-errors.js';

// As strict as before, plus `httpproxy`: ffmpeg's tls protocol reaches the proxy through it
// (CONNECT); it is never a protocol a URL of ours can name (only http(s) sourceUrls and
// playlist URIs pass the checks).
const REMOTE_WHITELIST = ['-protocol_whitelist', 'http,https,tcp,tls,crypto,httpproxy'];

export interface RemoteInput {
  input: string;
  inputOptions: string[];
  proxy: EgressProxy;
}

/** Refuses a source URL whose host (or any address its name resolves to) the policy refuses. */
export async function checkRemoteSource(url: string, policy: EgressPolicy): Promise<void> {
  try {
    await resolveChecked(policy, new URL(url).hostname);
  } catch (err) {
    if (err instanceof EgressRefusedError) throw new SourceError(`the source is not allowed: ${err.message}`, { cause: err });
    const transient = TRANSIENT_NETWORK_CODES.has(networkErrorCode(err) ?? '');
    const message = `the source could not be read: ${describeNetworkError(err)}`;
    throw transient ? new SourceUnavailableError(message, { cause: err }) : new SourceError(message, { cause: err });
  }
}

export async function fetchRemotePlaylist(
  url: string,
  deps: { egress: EgressPolicy; timeoutMs: number; signal?: AbortSignal },
): Promise<{ playlist: HlsMediaPlaylist; text: string }> {
  const signal = deps.signal ? AbortSignal.any([deps.signal, AbortSignal.timeout(deps.timeoutMs)]) : AbortSignal.timeout(deps.timeoutMs);
  let text: string;
  try {
    const res = await egressFetch(url, { policy: deps.egress, signal });
    if (res.status >= 500) throw new SourceUnavailableError(`the playlist answered HTTP ${res.status}`);
    if (!res.ok) throw new SourceError(`the playlist answered HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    if (err instanceof SourceError || err instanceof SourceUnavailableError || deps.signal?.aborted) throw err;
    if (err instanceof EgressRefusedError) throw new SourceError(`the playlist is not allowed: ${err.message}`, { cause: err });
    if (err instanceof EgressRedirectError) throw new SourceError(`the playlist ${err.message}`, { cause: err });
    throw new SourceUnavailableError(`the playlist could not be read: ${describeNetworkError(err)}`, { cause: err });
  }
  let playlist;
  try {
    playlist = parseHlsPlaylist(text);
  } catch (err) {
    // The line number only: the text is what a remote server answered.
    const line = err instanceof HlsPlaylistError ? ` (line ${err.line})` : '';
    throw new SourceError(`the playlist is not valid HLS${line}`, { cause: err });
  }
  const problems = checkPlaylistUris(playlist, { kind: 'url', url, egress: deps.egress });
  if (problems.length > 0) {
    const p = problems[0]!;
    throw new SourceError(`the playlist refers to a location it may not use (line ${p.line}: ${p.reason})`);
  }
  if (playlist.kind === 'master') throw new SourceError('master playlists are not supported as sources; register a media playlist');
  return { playlist, text };
}

/**
 * What ffmpeg opens for a remote source: the URL itself through the proxy, or for a live
 * window (`live` given) its VOD snapshot served by the proxy (see egress-proxy.ts on why not a
 * local file). The caller closes `proxy` when the job ends.
 */
export async function openRemoteInput(url: string, egress: EgressPolicy, live: { playlist: HlsMediaPlaylist; text: string } | null): Promise<RemoteInput> {
  // ffmpeg skips its proxy for hosts listed in `no_proxy` (libavformat/network.c), even with
  // -http_proxy given; this process's ffmpegs must never skip it.
  delete process.env.no_proxy;
  delete process.env.NO_PROXY;
  const proxy = await startEgressProxy(egress);
  const viaProxy = [...REMOTE_WHITELIST, '-http_proxy', proxy.url];
  if (!live) return { input: url, inputOptions: viaProxy, proxy };
  const snapshot = vodSnapshot(live.text, live.playlist, (uri) => new URL(uri, url).toString());
  return { input: proxy.serve('window.m3u8', snapshot, 'application/vnd.apple.mpegurl'), inputOptions: [...viaProxy, '-f', 'hls'], proxy };
}

/** ffmpeg's failure on a remote source in our words; null when it is not about the network. */
export function remoteFailure(err: unknown, proxy: EgressProxy): Error | null {
  if (proxy.refused.length > 0) return new SourceError(`the source refers to an address that is not allowed: ${proxy.refused[0]}`, { cause: err });
  const net = ffmpegNetworkFailure((err as { stderrTail?: string }).stderrTail ?? (err as Error)?.message ?? '');
  if (!net) return null;
  return net.transient ? new SourceUnavailableError(net.message, { cause: err }) : new SourceError(net.message, { cause: err });
}

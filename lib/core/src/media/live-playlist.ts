// Reads a source's HLS media playlist alone (no probe, no snapshot) to see where a live window
// stands: the gateway at request time and the live-wait activity on every check. The same
// checks as open-source.ts: stored playlists through stored-playlist.ts, remote ones through
// the egress policy (remote-source.ts).
import type { SourceRef } from '../domain/job.js';
import type { EgressPolicy } from '../net/egress-policy.js';
import type { Storage } from '../storage.js';
import type { HlsMediaPlaylist } from './hls-playlist.js';
import { liveWindow, type LiveWindow } from './live-window.js';
import { isPlaylistPath } from './open-source.js';
import { SourceError } from './source-errors.js';
import { fetchRemotePlaylist } from './remote-source.js';
import { readStoredPlaylist, StoredPlaylistError } from './stored-playlist.js';

export interface LivePlaylistDeps {
  storage: Storage;
  egress: EgressPolicy;
  timeoutMs: number;
  signal?: AbortSignal;
}

export function isHlsSource(source: SourceRef): boolean {
  return isPlaylistPath(source.kind === 'file' ? source.path : new URL(source.url).pathname);
}

export async function readMediaPlaylist(source: SourceRef, deps: LivePlaylistDeps): Promise<HlsMediaPlaylist> {
  if (source.kind === 'url') return (await fetchRemotePlaylist(source.url, deps)).playlist;
  try {
    const read = await readStoredPlaylist(deps.storage, source.path);
    if (read.playlist.kind === 'master') throw new SourceError('master playlists are not supported as sources; register a media playlist');
    return read.playlist;
  } catch (err) {
    if (err instanceof StoredPlaylistError) throw new SourceError(err.message, { cause: err });
    throw err;
  }
}

/** The window of a live playlist; a SourceError when the playlist gives no instants to wait for. */
export async function readLiveWindow(source: SourceRef, deps: LivePlaylistDeps): Promise<LiveWindow> {
  const window = liveWindow(await readMediaPlaylist(source, deps));
  if (!window) throw new SourceError('the live playlist carries no EXT-X-PROGRAM-DATE-TIME, so its live edge has no instant');
  return window;
}

// An HLS playlist kept in storage (either backend), made safe for ffmpeg: its text is read
// through the storage interface, every URI is checked by checkPlaylistUris as relative and
// inside the storage, and ffmpeg gets a private copy whose URIs point at what the backend
// hands out for each key: a confined real path (a segment that is a symlink out of the
// folder is refused), or a short-lived presigned URL on S3. ffmpeg never resolves a
// user-written URI itself.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NotFoundError, PathEscapeError, type Storage } from '../storage.js';
import { type HlsPlaylist, parseHlsPlaylist, vodSnapshot } from './hls-playlist.js';
import { checkPlaylistUris } from './hls-uri-check.js';

// checkPlaylistUris works on absolute paths; keys are placed under this stand-in root.
const ROOT = '/storage';
// A playlist of 100k segments is ~5 MB; anything larger is not a playlist we would serve.
const MAX_PLAYLIST_BYTES = 8 * 1024 * 1024;

export class StoredPlaylistError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoredPlaylistError';
  }
}

export async function readStoredPlaylist(storage: Storage, rel: string): Promise<{ text: string; playlist: HlsPlaylist }> {
  let text: string;
  try {
    text = await storage.readText(rel, MAX_PLAYLIST_BYTES);
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof PathEscapeError) throw new StoredPlaylistError(`the playlist ${rel} does not exist`, { cause: err });
    throw err;
  }
  let playlist: HlsPlaylist;
  try {
    playlist = parseHlsPlaylist(text);
  } catch (err) {
    throw new StoredPlaylistError(`the playlist is not valid HLS: ${(err as Error).message}`, { cause: err });
  }
  const problems = checkPlaylistUris(playlist, { kind: 'file', dir: path.posix.join(ROOT, path.posix.dirname(rel)), root: ROOT });
  if (problems.length > 0) {
    const p = problems[0]!;
    throw new StoredPlaylistError(`the playlist refers to a location it may not use (line ${p.line}: ${p.reason})`);
  }
  return { text, playlist };
}

/** The storage key a checked, relative playlist URI names. */
export function playlistUriKey(playlistRel: string, uri: string, backend: Storage['kind']): string {
  // A file reader takes the URI literally (as ffmpeg's file protocol would); an S3 key is the
  // URL path, percent-decoded, without query or fragment.
  let ref = uri;
  if (backend === 's3') {
    ref = uri.split(/[?#]/, 1)[0]!;
    try {
      ref = decodeURIComponent(ref);
    } catch {
      // Left as written; the key simply will not exist.
    }
  }
  return path.posix.relative(ROOT, path.posix.resolve(path.posix.join(ROOT, path.posix.dirname(playlistRel)), ref));
}

/**
 * Writes ffmpeg's private copy of a checked media playlist to a new folder and returns the
 * file. `#EXT-X-ENDLIST` is added (vodSnapshot): a live window is read as a VOD snapshot, and
 * a second ENDLIST on a finished playlist only repeats what ffmpeg already knows.
 */
export async function writePrivatePlaylist(storage: Storage, rel: string, text: string, playlist: HlsPlaylist & { kind: 'media' }): Promise<string> {
  const uris = [...new Map(playlist.resources.map((r) => [r.uri, r])).values()];
  const inputs = await storage.mediaInputs(uris.map((r) => playlistUriKey(rel, r.uri, storage.kind)));
  const located = new Map<string, string>();
  for (const [i, r] of uris.entries()) {
    const input = inputs[i];
    if (!input) throw new StoredPlaylistError(`the playlist refers to ${r.uri} (line ${r.line}), which does not exist in storage`);
    located.set(r.uri, input.kind === 'file' ? input.path : input.url);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'framesmith-playlist-'));
  const file = path.join(dir, 'source.m3u8');
  await writeFile(file, vodSnapshot(text, playlist, (uri) => located.get(uri)!), { mode: 0o600 });
  return file;
}

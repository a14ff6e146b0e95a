// Resolves an event's source into what ffmpeg may open and what it says about time:
// the input string, the protocol whitelist suited to the source kind, probe facts, and the
// mapping of ISO8601 instants onto stream offsets. HLS playlists are read and their URIs
// checked here, before ffmpeg sees them, so a crafted playlist cannot make ffmpeg read a
// local file or reach another host.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { SourceRef } from '../domain/job.js';
import { PathEscapeError, type Storage } from '../storage.js';
import type { ClipTime } from '../time.js';
import { instantToOffset } from './hls-instant.js';
import type { HlsMediaPlaylist } from './hls-playlist.js';
import { type MediaProbe, probeMedia } from './probe-media.js';
import { readStoredPlaylist, StoredPlaylistError, writePrivatePlaylist } from './stored-playlist.js';
import { type TrackInfo, tracksFromFfprobe } from './track-info.js';
import { egressPolicyFromConfig } from '../net/egress-config.js';
import { createEgressPolicy, type EgressPolicy } from '../net/egress-policy.js';
import { SourceError, SourceUnavailableError } from './source-errors.js';
import { checkRemoteSource, fetchRemotePlaylist, openRemoteInput, type RemoteInput, remoteFailure } from './remote-source.js';

// ffmpeg's words for an origin that failed, not a stream that is bad.
const TRANSIENT_STDERR = /Connection refused|Connection reset|Connection timed out|timed out|Server returned 5\d\d|Network is unreachable|End of file/i;

export interface OpenedSource {
  /** What ffmpeg opens: the file or URL, or for a live HLS window a private VOD snapshot of it. */
  input: string;
  inputOptions: string[];
  isHls: boolean;
  probe: MediaProbe;
  tracks: TrackInfo[];
  playlist: HlsMediaPlaylist | null;
  durationSeconds: number | null;
  hasTimecode: boolean;
  /** Offset in seconds from the start of the stream, or null when an instant cannot be mapped. */
  toSeconds(t: ClipTime): number | null;
  /** Removes what opening made (a live window's snapshot). */
  close(): Promise<void>;
  /** Connections of ffmpeg's that the egress policy refused so far (remote sources), in our words. */
  refusedEgress(): readonly string[];
}

export interface OpenSourceDeps {
  storage: Storage;
  ffprobePath: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Where a remote source may connect; default: the strict policy (no OUTBOUND_ALLOW). */
  egress?: EgressPolicy;
  /**
   * The caller reads the facts (probe, playlist, times) and never hands `input` to ffmpeg (the
   * gateway): a stored, finished playlist whose probe is cached gets no private copy, whose
   * segment lookups were most of such an open (~25 ms for 300 segments here).
   */
  factsOnly?: boolean;
}

const STRICT_EGRESS = createEgressPolicy();

const FILE_WHITELIST = ['-protocol_whitelist', 'file'];
// A stored playlist is handed over as a private copy whose URIs we wrote (stored-playlist.ts):
// confined real paths on the folder, presigned URLs of the configured S3 endpoint.
const STORED_HLS_FILE_WHITELIST = ['-protocol_whitelist', 'file,crypto', '-f', 'hls'];
const STORED_HLS_S3_WHITELIST = ['-protocol_whitelist', 'file,http,https,tcp,tls,crypto', '-f', 'hls'];
// A presigned GET of the configured S3 endpoint, read with range requests.
const S3_OBJECT_WHITELIST = ['-protocol_whitelist', 'http,https,tcp,tls'];

export function isPlaylistPath(p: string): boolean {
  return /\.m3u8$/i.test(p.split('?')[0] ?? '');
}

async function readPlaylist(source: SourceRef, deps: OpenSourceDeps): Promise<{ playlist: HlsMediaPlaylist; text: string }> {
  if (source.kind === 'file') {
    // Stored playlists are read, checked and located by stored-playlist.ts.
    let read;
    try {
      read = await readStoredPlaylist(deps.storage, source.path);
    } catch (err) {
      if (err instanceof StoredPlaylistError) throw new SourceError(err.message, { cause: err });
      throw err;
    }
    if (read.playlist.kind === 'master') throw new SourceError('master playlists are not supported as sources; register a media playlist');
    return { playlist: read.playlist, text: read.text };
  }
  // Remote playlists: fetched through the egress policy, URIs checked (remote-source.ts).
  return fetchRemotePlaylist(source.url, { egress: deps.egress ?? STRICT_EGRESS, timeoutMs: deps.timeoutMs, signal: deps.signal });
}

// A file on storage does not change under the same size and mtime: its probe (and, for an
// HLS playlist, its parsed and checked segment list) is reused by every job on it. One ffprobe
// is ~80 ms, a third of a frame grab. A live playlist that is rewritten gets a new key.
const PROBE_CACHE_SIZE = 256;
// A stored playlist's text is kept with its probe: it was read, parsed and checked once.
type CachedProbe = { probe: MediaProbe; playlist: HlsMediaPlaylist | null; text: string | null };
const probeCache = new Map<string, CachedProbe>();

/**
 * A source opened with `factsOnly`: no input for ffmpeg (a cached, finished stored playlist
 * gets none at all), so the type has none to hand over.
 */
export type SourceFacts = Omit<OpenedSource, 'input' | 'inputOptions'>;

export function openSource(source: SourceRef, deps: OpenSourceDeps & { factsOnly: true }): Promise<SourceFacts>;
export function openSource(source: SourceRef, deps: OpenSourceDeps & { factsOnly?: false }): Promise<OpenedSource>;
export async function openSource(source: SourceRef, deps: OpenSourceDeps): Promise<OpenedSource> {
  const isHls = source.kind === 'file' ? isPlaylistPath(source.path) : isPlaylistPath(new URL(source.url).pathname);
  let input: string;
  let inputOptions: string[];
  let cacheKey: string | null = null;
  let cached: CachedProbe | undefined;
  let playlist: HlsMediaPlaylist | null = null;
  let snapshotDir: string | null = null;
  let playlistText: string | null = null;
  let remote: RemoteInput | null = null;
  if (source.kind === 'file') {
    // The file's facts (the cache key) and its input in one lookup: one HEAD on S3, not two.
    const found = await deps.storage.statMedia(source.path).catch((err: unknown) => {
      if (err instanceof PathEscapeError) return null;
      throw err;
    });
    if (!found) throw new SourceError(`the source file ${source.path} does not exist`);
    const st = found.file;
    cacheKey = `${deps.storage.description}:${source.path}:${st.size}:${st.mtimeMs}:${st.etag ?? ''}`;
    cached = probeCache.get(cacheKey);
    if (isHls) {
      const read = cached?.text != null && cached.playlist ? { playlist: cached.playlist, text: cached.text } : await readPlaylist(source, deps);
      playlist = read.playlist;
      if (deps.factsOnly && cached && read.playlist.endList) {
        input = ''; // not returned to the caller: SourceFacts has no input
      } else {
        // Every job gets its own copy: presigned URLs expire, and segments are located anew.
        input = await writePrivatePlaylist(deps.storage, source.path, read.text, read.playlist).catch((err: unknown) => {
          if (err instanceof StoredPlaylistError) throw new SourceError(err.message, { cause: err });
          throw err;
        });
        snapshotDir = path.dirname(input);
      }
      inputOptions = deps.storage.kind === 's3' ? STORED_HLS_S3_WHITELIST : STORED_HLS_FILE_WHITELIST;
      playlistText = read.text;
      // A live window moves: its probe is not kept.
      if (!read.playlist.endList) cacheKey = null;
    } else {
      const opened = found.input;
      input = opened.kind === 'file' ? opened.path : opened.url;
      inputOptions = opened.kind === 'file' ? FILE_WHITELIST : S3_OBJECT_WHITELIST;
    }
  } else {
    // ffmpeg reaches the origin only through a proxy that applies the egress policy to every
    // connection it makes (remote-source.ts); a live window is read as its VOD snapshot.
    const egress = deps.egress ?? STRICT_EGRESS;
    await checkRemoteSource(source.url, egress);
    const read = isHls ? await readPlaylist(source, deps) : null;
    playlist = read?.playlist ?? null;
    remote = await openRemoteInput(source.url, egress, read && !read.playlist.endList ? read : null);
    input = remote.input;
    inputOptions = remote.inputOptions;
  }
  const close = async () => {
    if (snapshotDir) await rm(snapshotDir, { recursive: true, force: true });
    await remote?.proxy.close();
  };
  let probe: MediaProbe;
  try {
    probe = cached?.probe ?? (await probeMedia(deps.ffprobePath, input, inputOptions, { timeoutMs: deps.timeoutMs, signal: deps.signal }));
    if (cacheKey && !cached) {
      if (probeCache.size >= PROBE_CACHE_SIZE) probeCache.delete(probeCache.keys().next().value!);
      probeCache.set(cacheKey, { probe, playlist, text: playlistText });
    }
  } catch (err) {
    await close();
    if ((err as Error).name === 'ProcessCancelledError' || (err as Error).name === 'BinaryMissingError') throw err;
    const remoteErr = remote ? remoteFailure(err, remote.proxy) : null;
    if (remoteErr) throw remoteErr;
    const tail = (err as { stderrTail?: string }).stderrTail?.trim().split('\n').pop() ?? (err as Error).message;
    if (source.kind === 'url' && TRANSIENT_STDERR.test((err as { stderrTail?: string }).stderrTail ?? '')) {
      throw new SourceUnavailableError(`the source could not be read: ${tail}`, { cause: err });
    }
    throw new SourceError(`the source cannot be decoded: ${tail}`, { cause: err });
  }
  if (probe.width === null) {
    await close();
    throw new SourceError('the source has no video track');
  }
  let tracks: TrackInfo[] = [];
  try {
    tracks = tracksFromFfprobe(probe.raw);
  } catch {
    tracks = [];
  }
  const pdt = playlist !== null && playlist.segments.some((s) => s.programDateTimeMs !== null);
  const playlistDuration = playlist?.endList ? playlist.segments.reduce((sum, s) => sum + s.duration, 0) : null;
  const durationSeconds = playlist ? playlistDuration : probe.durationSeconds;
  const creation = probe.creationTimeMs;
  return {
    input,
    inputOptions,
    isHls,
    probe,
    tracks,
    playlist,
    durationSeconds,
    hasTimecode: pdt || (!isHls && creation !== null),
    toSeconds(t) {
      if (t.kind === 'offset') return t.seconds;
      if (playlist && pdt) return instantToOffset(playlist, t.epochMs);
      if (!isHls && creation !== null) {
        const s = (t.epochMs - creation) / 1000;
        return s >= 0 && (probe.durationSeconds === null || s <= probe.durationSeconds) ? s : null;
      }
      return null;
    },
    close,
    refusedEgress: () => remote?.proxy.refused ?? [],
  };
}

/**
 * openSource as every media activity calls it: settings from configuration, and the source
 * refused when its picture is over the pixel limit (a decompression bomb must not reach the
 * decoder or sharp).
 */
export async function openJobSource(
  config: { ffprobePath: string; limits: { maxSourcePixels: number }; timeouts: { sourceOpenMs: number } } & Parameters<typeof egressPolicyFromConfig>[0],
  storage: Storage,
  source: SourceRef,
  job: { signal: AbortSignal; defer(cleanup: () => Promise<void>): void; guard?(check: () => void): void },
  timeoutMs = config.timeouts.sourceOpenMs,
): Promise<OpenedSource> {
  const src = await openSource(source, { storage, ffprobePath: config.ffprobePath, timeoutMs, signal: job.signal, egress: egressPolicyFromConfig(config) });
  job.defer(src.close);
  job.guard?.(() => {
    const refused = src.refusedEgress();
    if (refused.length > 0) throw new SourceError(`the source refers to an address that is not allowed: ${refused[0]}`);
  });
  const pixels = (src.probe.width ?? 0) * (src.probe.height ?? 0);
  if (pixels > config.limits.maxSourcePixels) {
    throw new SourceError(`the source is ${src.probe.width}x${src.probe.height}, above the ${config.limits.maxSourcePixels}-pixel limit`);
  }
  return src;
}

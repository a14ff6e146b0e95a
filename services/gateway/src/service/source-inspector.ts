// What the gateway learns about a source at request time, to reject impossible times,
// instants on sources without timecode, and filters that select nothing. A source that
// cannot be decoded is not rejected here: the job fails with the reason, as the contract's
// FAILED state is there to report.
import type { Config } from '@framesmith/core/config';
import type { SourceRef } from '@framesmith/core/domain/job';
import { parseTrackFilter, selectTracks } from '@framesmith/core/media/filter-expression';
import { openSource, type OpenedSource, type SourceFacts } from '@framesmith/core/media/open-source';
import { SourceError, SourceUnavailableError } from '@framesmith/core/media/source-errors';
import { ApiError } from '@framesmith/core/errors';
import { instantToOffset } from '@framesmith/core/media/hls-instant';
import type { HlsMediaPlaylist } from '@framesmith/core/media/hls-playlist';
import { isHlsSource, readMediaPlaylist } from '@framesmith/core/media/live-playlist';
import { type LivePlace, liveWindow, type LiveWindow, placeInstant } from '@framesmith/core/media/live-window';
import { egressPolicyFromConfig } from '@framesmith/core/net/egress-config';
import { type Storage, StorageUnavailableError } from '@framesmith/core/storage';

export interface SourceInfo {
  /** False when the source was not read at request time (remote or unreadable): the worker decides. */
  known: boolean;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  hasTimecode: boolean;
  tracks: OpenedSource['tracks'] | null;
  instantToOffset(epochMs: number): number | null;
  selectTracks(filter: string): OpenedSource['tracks'];
  /** A live HLS window (no EXT-X-ENDLIST) with program date time: where instants lie against it. */
  live: LiveInfo | null;
}

export interface LiveInfo {
  window: LiveWindow;
  place(epochMs: number): LivePlace;
}

export interface SourceInspector {
  /**
   * `instants`: the request names ISO8601 instants, the live form; only then is a remote
   * playlist read here (offsets on a remote source keep the rule that the worker decides).
   */
  inspect(source: SourceRef, o?: { instants?: boolean }): Promise<SourceInfo>;
}

const UNKNOWN: SourceInfo = {
  known: false,
  durationSeconds: null,
  width: null,
  height: null,
  fps: null,
  // Unknown sources accept instants here; the worker maps or fails them with the reason.
  hasTimecode: true,
  tracks: null,
  instantToOffset: () => 0,
  selectTracks: () => [],
  live: null,
};

function liveInfo(playlist: HlsMediaPlaylist | null): LiveInfo | null {
  if (!playlist || playlist.endList) return null;
  const window = liveWindow(playlist);
  return window ? { window, place: (ms) => placeInstant(playlist, window, ms) } : null;
}

// A bucket that is missing or refuses us answers HEAD of any key with 404 or 403 alike: one
// cached bucket check tells "no such source" (400/FAILED) from "storage unavailable" (503).
const STORAGE_CHECK_CACHE_MS = 5_000;

export function createSourceInspector(config: Config, storage: Storage): SourceInspector {
  let checked: { at: number; result: Promise<void> } | null = null;
  const storageUsable = () => {
    if (!checked || Date.now() - checked.at >= STORAGE_CHECK_CACHE_MS) checked = { at: Date.now(), result: storage.check() };
    return checked.result;
  };
  const unavailable = (err: StorageUnavailableError) => new ApiError('Unavailable', `Unable to read the source because storage is unavailable: ${err.message}`, {}, { cause: err });
  const inspectRemoteLive = async (source: SourceRef): Promise<SourceInfo> => {
    let playlist: HlsMediaPlaylist;
    try {
      playlist = await readMediaPlaylist(source, { storage, egress: egressPolicyFromConfig(config), timeoutMs: config.timeouts.remotePlaylistReadMs });
    } catch (err) {
      if (err instanceof SourceError || err instanceof SourceUnavailableError) return UNKNOWN;
      throw err;
    }
    const live = liveInfo(playlist);
    if (!live) return UNKNOWN;
    return { ...UNKNOWN, instantToOffset: (ms) => instantToOffset(playlist, ms), live };
  };
  return {
    async inspect(source, o = {}) {
      // Remote (often live) origins are not read in the request path: their duration is not
      // known up front, and a slow origin must not stall the API. The worker checks them.
      // A live playlist's text alone is read (one short, egress-checked GET): where its edge is
      // decides whether a request waits for it, is refused, or runs now.
      if (source.kind === 'url') return o.instants && isHlsSource(source) ? inspectRemoteLive(source) : UNKNOWN;
      let opened: SourceFacts;
      try {
        await storageUsable();
        // openSource caches the probe of a finished file (and a finished playlist's text); a
        // live playlist is read every time.
        opened = await openSource(source, { storage, ffprobePath: config.ffprobePath, timeoutMs: config.timeouts.sourceInspectMs, factsOnly: true });
      } catch (err) {
        if (err instanceof StorageUnavailableError) throw unavailable(err);
        if (err instanceof SourceError || err instanceof SourceUnavailableError) return UNKNOWN;
        throw err;
      }
      // The gateway only reads facts; a live window's snapshot is not needed past this point.
      await opened.close();
      return {
        known: true,
        durationSeconds: opened.durationSeconds,
        // As displayed (display matrix applied): outputs are sized upright, like players show it.
        width: opened.probe.displayWidth,
        height: opened.probe.displayHeight,
        fps: opened.probe.fps,
        hasTimecode: opened.hasTimecode,
        tracks: opened.tracks,
        instantToOffset: (ms) => opened.toSeconds({ kind: 'instant', epochMs: ms }),
        selectTracks: (filter) => selectTracks(parseTrackFilter(filter), opened.tracks),
        live: liveInfo(opened.playlist),
      };
    },
  };
}

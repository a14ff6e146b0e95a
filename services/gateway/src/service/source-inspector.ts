// What the gateway learns about a source at request time, to reject impossible times,
// instants on sources without timecode, and filters that select nothing. A source that
// cannot be decoded is not rejected here: the job fails with the reason, as the contract's
// FAILED state is there to report.
import type { Config } from '@framesmith/core/config';
import type { SourceRef } from '@framesmith/core/domain/job';
import { parseTrackFilter, selectTracks } from '@framesmith/core/media/filter-expression';
import { openSource, type OpenedSource, SourceError, SourceUnavailableError } from '@framesmith/core/media/open-source';
import { ApiError } from '@framesmith/core/errors';
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
}

export interface SourceInspector {
  inspect(source: SourceRef): Promise<SourceInfo>;
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
};

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
  return {
    async inspect(source) {
      // Remote (often live) origins are not read in the request path: their duration is not
      // known up front, and a slow origin must not stall the API. The worker checks them.
      if (source.kind === 'url') return UNKNOWN;
      let opened: OpenedSource;
      try {
        await storageUsable();
        // openSource caches the probe of a finished file; a playlist is read every time.
        opened = await openSource(source, { storage, ffprobePath: config.ffprobePath, timeoutMs: 15_000 });
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
        width: opened.probe.width,
        height: opened.probe.height,
        fps: opened.probe.fps,
        hasTimecode: opened.hasTimecode,
        tracks: opened.tracks,
        instantToOffset: (ms) => opened.toSeconds({ kind: 'instant', epochMs: ms }),
        selectTracks: (filter) => selectTracks(parseTrackFilter(filter), opened.tracks),
      };
    },
  };
}

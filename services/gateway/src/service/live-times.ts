// The live rules at request time (docs/api.md, Live rules): an instant on a live HLS window is
// inside it, slid out of it (400 naming the first available instant), ahead of its edge within
// LIVE_MAX_WAIT_SECONDS (accepted; the workflow waits) or further (400 naming the limit).
import type { LiveConfig } from '@framesmith/core/config';
import type { JobKind } from '@framesmith/core/domain/asset';
import { validation } from '@framesmith/core/errors';
import { liveEdgeNeeded, type LiveWait } from '@framesmith/core/media/live-window';
import type { ClipTime } from '@framesmith/core/time';
import type { LiveInfo, SourceInfo } from './source-inspector.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Seconds from the window's first segment (extrapolated past the edge), or a 400 in the contract's shape. */
export function liveSeconds(live: LiveInfo, field: string, epochMs: number, config: LiveConfig): number {
  const place = live.place(epochMs);
  switch (place.kind) {
    case 'inside':
      return place.seconds;
    case 'before':
      throw validation(`${field} (${iso(epochMs)}) has slid out of the live window; its first available instant is ${iso(place.firstMs)}`, {
        field,
        firstAvailable: iso(place.firstMs),
      });
    case 'ahead':
      if (place.aheadMs > config.maxWaitSeconds * 1000) {
        throw validation(
          `${field} lies ${(place.aheadMs / 1000).toFixed(1)} s past the live edge (${iso(live.window.edgeMs)}); at most LIVE_MAX_WAIT_SECONDS (${config.maxWaitSeconds} s) past it is accepted`,
          { field, liveMaxWaitSeconds: config.maxWaitSeconds, liveEdge: iso(live.window.edgeMs) },
        );
      }
      return place.seconds;
    case 'gap':
      throw validation(`${field} lies outside the source's time range`, { field });
  }
}

/** What the workflow must wait for before the job runs; null when the window already holds it all. */
export function liveWaitFor(kind: JobKind, info: SourceInfo, times: ClipTime[], config: LiveConfig, nowMs = Date.now()): LiveWait | null {
  if (!info.live) return null;
  const instants = times.flatMap((t) => (t.kind === 'instant' ? [t.epochMs] : []));
  if (instants.length === 0) return null;
  const untilMs = liveEdgeNeeded(kind, Math.max(...instants));
  const aheadMs = untilMs - info.live.window.edgeMs;
  if (aheadMs <= 0) return null;
  return { untilMs, stallTargetDurations: config.stallTargetDurations, giveUpAtMs: nowMs + aheadMs + config.maxWaitSeconds * 1000 };
}

/**
 * Whether a finished recording (the event's vodFile) holds every requested time. When it does
 * not and the event's sourceUrl is live, the live window serves the request instead: the
 * recording answers what has slid out of the window, the live source what comes after it.
 */
export function recordingCovers(info: SourceInfo, times: ClipTime[]): boolean {
  if (!info.known) return true; // not read here: the worker decides, as for any source
  return times.every((t) => {
    if (t.kind === 'offset') return true;
    const s = info.hasTimecode ? info.instantToOffset(t.epochMs) : null;
    return s !== null && (info.durationSeconds === null || s <= info.durationSeconds);
  });
}

// Where a requested instant lies relative to a live HLS window (a media playlist without
// EXT-X-ENDLIST): inside it, already slid out of it, or still ahead of its live edge. Pure:
// the gateway decides 400 or accept with it, the live-wait activity whether the wait is over.
import { instantToOffset } from './hls-instant.js';
import type { HlsMediaPlaylist } from './hls-playlist.js';

export interface LiveWindow {
  /** Epoch ms of the window's first sample (first dated segment's program date time). */
  firstMs: number;
  /** Epoch ms where the last published segment ends: the live edge. */
  edgeMs: number;
  targetDurationSeconds: number;
  /** The last published segment's duration: the stream's cadence, to tell when the next one is due. */
  lastSegmentSeconds: number;
  /** Seconds from the first segment's start to the edge (the sum of the segments' durations). */
  durationSeconds: number;
  endList: boolean;
}

/** The window's clock; null when no segment carries a program date time (instants cannot be placed). */
export function liveWindow(playlist: HlsMediaPlaylist): LiveWindow | null {
  const first = playlist.segments.find((s) => s.programDateTimeMs !== null);
  const last = playlist.segments.at(-1);
  if (!first || !last || last.programDateTimeMs === null) return null;
  const durationSeconds = last.startOffset + last.duration;
  return {
    firstMs: first.programDateTimeMs! - first.startOffset * 1000,
    edgeMs: last.programDateTimeMs + last.duration * 1000,
    targetDurationSeconds: playlist.targetDuration,
    lastSegmentSeconds: last.duration,
    durationSeconds,
    endList: playlist.endList,
  };
}

export type LivePlace =
  /** `seconds`: offset from the window's first segment. */
  | { kind: 'inside'; seconds: number }
  /** Past the edge by `aheadMs`; `seconds` extrapolates the offset it will have once published. */
  | { kind: 'ahead'; aheadMs: number; seconds: number }
  | { kind: 'before'; firstMs: number }
  /** Between dated segments (a discontinuity's gap): never published. */
  | { kind: 'gap' };

export function placeInstant(playlist: HlsMediaPlaylist, window: LiveWindow, epochMs: number): LivePlace {
  if (epochMs < window.firstMs) return { kind: 'before', firstMs: window.firstMs };
  if (epochMs > window.edgeMs) {
    return { kind: 'ahead', aheadMs: epochMs - window.edgeMs, seconds: window.durationSeconds + (epochMs - window.edgeMs) / 1000 };
  }
  const seconds = instantToOffset(playlist, epochMs);
  return seconds === null ? { kind: 'gap' } : { kind: 'inside', seconds };
}

/**
 * The instant the live edge must reach before a job may run: a frame grab needs the segment
 * holding its instant (an edge strictly past it), a clip needs everything before its end.
 */
export function liveEdgeNeeded(kind: 'image' | 'gif' | 'video', lastInstantMs: number): number {
  return kind === 'image' ? lastInstantMs + 1 : lastInstantMs;
}

/** What a waiting workflow carries: decided at request time, from configuration (docs/api.md, Live rules). */
export interface LiveWait {
  /** The edge must reach this epoch ms (liveEdgeNeeded). */
  untilMs: number;
  /** Fail when the edge has not moved for this many target durations. */
  stallTargetDurations: number;
  /** Epoch ms after which the wait gives up whatever the stream does (the horizon, once more). */
  giveUpAtMs: number;
}

/** What the wait shows while it lasts: the workflow's memo and `liveWait` query, the asset's `detail`. */
export interface LiveWaitStatus {
  waiting: boolean;
  untilMs: number;
  /** The edge at the last check; null before the first. */
  edgeMs: number | null;
  checkedAtMs: number | null;
}

export function describeLiveWait(s: LiveWaitStatus): string | null {
  if (!s.waiting) return null;
  const edge = s.edgeMs === null ? 'not read yet' : new Date(s.edgeMs).toISOString();
  const left = s.edgeMs === null ? '' : `, ${((s.untilMs - s.edgeMs) / 1000).toFixed(1)} s to go`;
  return `waiting for the live edge: it is at ${edge}, the request needs ${new Date(s.untilMs).toISOString()}${left}`;
}

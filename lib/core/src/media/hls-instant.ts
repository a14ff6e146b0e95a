// ISO8601 instants onto an HLS media playlist's timeline: the segment whose
// EXT-X-PROGRAM-DATE-TIME range holds the instant gives its offset from the first segment.
import type { HlsMediaPlaylist } from './hls-playlist.js';

// Dates propagated by adding durations drift by fractions of a microsecond.
const DRIFT_MS = 1e-6;
// ffmpeg writes each date rounded to the millisecond, so the next segment's date can start up
// to 1 ms after this one's end.
const ROUNDING_MS = 1;

/**
 * Seconds from the start of the first segment to `instantMs`, through the segment whose
 * program-date-time range holds it; null when no dated segment does. The end of a segment
 * also counts (as that end), so a clip may end exactly where the stream ends.
 */
export function instantToOffset(playlist: HlsMediaPlaylist, instantMs: number): number | null {
  let endMatch: number | null = null;
  for (const segment of playlist.segments) {
    if (segment.programDateTimeMs === null) continue;
    const since = instantMs - segment.programDateTimeMs;
    const lengthMs = segment.duration * 1000;
    if (since >= -DRIFT_MS && since < lengthMs) return segment.startOffset + Math.max(0, since) / 1000;
    if (since >= lengthMs && since < lengthMs + ROUNDING_MS) endMatch ??= segment.startOffset + segment.duration;
  }
  return endMatch;
}

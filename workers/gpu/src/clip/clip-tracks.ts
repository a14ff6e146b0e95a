// Which source tracks a VIDEO clip keeps. The request's track filter is parsed and evaluated
// here against the probed tracks; ffmpeg only ever sees `-map 0:<index>` for the chosen
// stream indexes, never the filter text.
//
// Only video and audio tracks go into the MP4: data tracks (QuickTime `tmcd` timecode, KLV,
// SCTE-35) carry timing that no longer holds once the clip starts elsewhere, and ffmpeg's MP4
// muxer cannot write most of them; text tracks (DVB/PGS bitmaps, WebVTT from HLS, 608
// captions) mostly cannot be muxed into MP4 either and none can be cut on a frame.
import { type FilterNode, parseTrackFilter, selectTracks } from '@framesmith/core/media/filter-expression';
import type { TrackInfo } from '@framesmith/core/media/track-info';

export interface ClipTrackOptions {
  /** The request's filter text; null or blank keeps every track (before `mezzanine`). */
  filter: string | null;
  /** Keep only the best video track and the best audio track. */
  mezzanine: boolean;
}

export interface ClipTracks {
  video: TrackInfo[];
  audio: TrackInfo[];
  /** Tracks the filter chose that an MP4 clip does not carry, with the reason. */
  dropped: { track: TrackInfo; reason: string }[];
}

/** A filter or selection that leaves nothing to make a clip of: a 400, never a retry. */
export class TrackSelectionError extends Error {
  override readonly name = 'TrackSelectionError';
}

export function selectClipTracks(tracks: readonly TrackInfo[], o: ClipTrackOptions): ClipTracks {
  let chosen: TrackInfo[] = [...tracks];
  if (o.filter !== null && o.filter.trim() !== '') {
    let tree: FilterNode;
    try {
      tree = parseTrackFilter(o.filter);
    } catch (err) {
      throw new TrackSelectionError(`the track filter does not parse: ${(err as Error).message}`);
    }
    chosen = selectTracks(tree, chosen);
    if (chosen.length === 0) throw new TrackSelectionError(`the track filter ${JSON.stringify(o.filter)} selects no track of the source`);
  }
  const dropped: ClipTracks['dropped'] = [];
  let video: TrackInfo[] = [];
  let audio: TrackInfo[] = [];
  for (const t of chosen) {
    if (t.type === 'video') video.push(t);
    else if (t.type === 'audio') audio.push(t);
    else dropped.push({ track: t, reason: t.type === 'data' ? 'data and timecode tracks are not carried into clips' : 'text tracks are not carried into clips' });
  }
  if (video.length === 0) {
    throw new TrackSelectionError(
      o.filter ? `the track filter ${JSON.stringify(o.filter)} selects no video track` : 'the source has no video track',
    );
  }
  if (o.mezzanine) {
    video = [best(video, (t) => [(t.width ?? 0) * (t.height ?? 0), t.bitrate ?? 0])];
    audio = audio.length > 0 ? [best(audio, (t) => [t.bitrate ?? 0])] : [];
  }
  return { video, audio, dropped };
}

/** Highest key wins, compared left to right; the lowest stream index breaks ties. */
function best(tracks: readonly TrackInfo[], key: (t: TrackInfo) => number[]): TrackInfo {
  let winner = tracks[0]!;
  for (const t of tracks.slice(1)) {
    const a = key(t);
    const b = key(winner);
    for (let i = 0; i < a.length; i++) {
      if (a[i]! > b[i]!) {
        winner = t;
        break;
      }
      if (a[i]! < b[i]!) break;
    }
  }
  return winner;
}

/** `-map 0:<index>` for every kept track: video first, then audio, each in source order. */
export function trackMapArgs(tracks: readonly TrackInfo[], o: ClipTrackOptions): string[] {
  return mapArgs(selectClipTracks(tracks, o));
}

export function mapArgs(selection: Pick<ClipTracks, 'video' | 'audio'>, input = 0): string[] {
  const ordered = [...sortByIndex(selection.video), ...sortByIndex(selection.audio)];
  return ordered.flatMap((t) => ['-map', `${input}:${t.index}`]);
}

function sortByIndex(tracks: readonly TrackInfo[]): TrackInfo[] {
  return [...tracks].sort((a, b) => a.index - b.index);
}

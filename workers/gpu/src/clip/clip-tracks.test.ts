import { describe, expect, it } from 'vitest';
import mp4Probe from '../../../../lib/core/src/media/fixtures/ffprobe-mp4-two-video-audio-eng.json' with { type: 'json' };
import { mapArgs, selectClipTracks, TrackSelectionError, trackMapArgs } from './clip-tracks.js';
import { tracksFromFfprobe, type TrackInfo } from '@framesmith/core/media/track-info';

// 0: video 1280x720, 1: video 640x360, 2: audio eng, 3 and 4: tmcd timecode (data).
const tracks = tracksFromFfprobe(mp4Probe);

const audio = (index: number, bitrate: number | null): TrackInfo => ({
  index, type: 'audio', codec: 'aac', fourCC: 'MP4A', width: null, height: null, bitrate, language: null, fps: null,
});

describe('trackMapArgs', () => {
  it('mezzanine keeps the largest video and the best audio', () => {
    expect(trackMapArgs(tracks, { filter: null, mezzanine: true }).join(' ')).toBe('-map 0:0 -map 0:2');
  });
  it('without mezzanine keeps every video and audio track, and drops the timecode tracks', () => {
    expect(trackMapArgs(tracks, { filter: null, mezzanine: false }).join(' ')).toBe('-map 0:0 -map 0:1 -map 0:2');
    const s = selectClipTracks(tracks, { filter: null, mezzanine: false });
    expect(s.dropped.map((d) => [d.track.index, d.reason])).toEqual([
      [3, 'data and timecode tracks are not carried into clips'],
      [4, 'data and timecode tracks are not carried into clips'],
    ]);
  });
  it('a filter chooses by the track’s properties; ffmpeg sees only indexes', () => {
    expect(trackMapArgs(tracks, { filter: '(type=="video"&&DisplayHeight==360)', mezzanine: false }).join(' ')).toBe('-map 0:1');
    expect(trackMapArgs(tracks, { filter: 'type=="video" || SystemLanguage=="eng"', mezzanine: false }).join(' ')).toBe('-map 0:0 -map 0:1 -map 0:2');
    // A filter first, then mezzanine picks the best of what it chose.
    expect(trackMapArgs(tracks, { filter: 'DisplayWidth<1000 || type=="audio"', mezzanine: true }).join(' ')).toBe('-map 0:1 -map 0:2');
  });
  it('a blank filter is no filter', () => {
    expect(trackMapArgs(tracks, { filter: '  ', mezzanine: false }).join(' ')).toBe('-map 0:0 -map 0:1 -map 0:2');
  });
  it('refuses a filter that selects nothing, selects no video, or does not parse', () => {
    expect(() => trackMapArgs(tracks, { filter: 'DisplayHeight==1080', mezzanine: false })).toThrow(/selects no track/);
    expect(() => trackMapArgs(tracks, { filter: 'type=="audio"', mezzanine: false })).toThrow(/selects no video track/);
    expect(() => trackMapArgs(tracks, { filter: 'type="video"', mezzanine: false })).toThrow(TrackSelectionError);
    expect(() => trackMapArgs(tracks, { filter: 'type="video"', mezzanine: false })).toThrow(/does not parse/);
  });
  it('breaks quality ties on bitrate, then on the lower index', () => {
    const v = (index: number, w: number, h: number, bitrate: number | null): TrackInfo => ({
      index, type: 'video', codec: 'h264', fourCC: 'AVC1', width: w, height: h, bitrate, language: null, fps: 25,
    });
    const pick = (ts: TrackInfo[]) => trackMapArgs(ts, { filter: null, mezzanine: true }).join(' ');
    expect(pick([v(0, 1280, 720, 1e6), v(1, 1280, 720, 3e6), audio(2, 96e3), audio(3, 192e3), audio(4, 192e3)])).toBe('-map 0:1 -map 0:3');
    expect(pick([v(5, 640, 360, null), v(2, 640, 360, null)])).toBe('-map 0:5');
  });
  it('maps another input number for joins', () => {
    expect(mapArgs({ video: [], audio: [audio(3, null), audio(1, null)] }, 1).join(' ')).toBe('-map 1:1 -map 1:3');
  });
});

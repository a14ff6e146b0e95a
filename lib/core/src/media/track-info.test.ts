import { describe, it, expect } from 'vitest';
import { tracksFromFfprobe, FfprobeOutputError, type TrackInfo } from './track-info.js';
import mp4Probe from './fixtures/ffprobe-mp4-two-video-audio-eng.json' with { type: 'json' };
import mkvProbe from './fixtures/ffprobe-mkv-hevc-audio-subtitle.json' with { type: 'json' };

describe('tracksFromFfprobe', () => {
  it('maps a recorded MP4 probe: two video tracks, English audio, timecode data tracks', () => {
    expect(tracksFromFfprobe(mp4Probe)).toEqual<TrackInfo[]>([
      { index: 0, type: 'video', codec: 'h264', fourCC: 'AVC1', width: 1280, height: 720, bitrate: 2663104, language: null, fps: 25 },
      { index: 1, type: 'video', codec: 'h264', fourCC: 'AVC1', width: 640, height: 360, bitrate: 650936, language: null, fps: 25 },
      { index: 2, type: 'audio', codec: 'aac', fourCC: 'MP4A', width: null, height: null, bitrate: 97284, language: 'eng', fps: null },
      { index: 3, type: 'data', codec: '', fourCC: 'TMCD', width: null, height: null, bitrate: 32, language: 'eng', fps: null },
      { index: 4, type: 'data', codec: '', fourCC: 'TMCD', width: null, height: null, bitrate: 32, language: 'eng', fps: null },
    ]);
  });

  it('maps a recorded MKV probe: codec-name fourCC fallback, BPS tag, subtitle as text', () => {
    expect(tracksFromFfprobe(mkvProbe)).toEqual<TrackInfo[]>([
      { index: 0, type: 'video', codec: 'hevc', fourCC: 'HVC1', width: 720, height: 576, bitrate: 1500000, language: null, fps: 25 },
      { index: 1, type: 'audio', codec: 'aac', fourCC: 'MP4A', width: null, height: null, bitrate: null, language: 'ger', fps: null },
      { index: 2, type: 'text', codec: 'subrip', fourCC: 'SUBRIP', width: null, height: null, bitrate: null, language: 'eng', fps: null },
    ]);
  });

  it('maps attachment streams to data and reads fractional frame rates', () => {
    const [video, attachment] = tracksFromFfprobe({
      streams: [
        { index: 0, codec_type: 'video', codec_name: 'h264', codec_tag_string: '[27][0][0][0]', width: 1920, height: 1080, avg_frame_rate: '30000/1001' },
        { index: 1, codec_type: 'attachment', codec_name: 'ttf', tags: { filename: 'font.ttf', mimetype: 'font/ttf' } },
      ],
    });
    expect(video?.fourCC).toBe('AVC1');
    expect(video?.fps).toBeCloseTo(29.97, 2);
    expect(attachment).toMatchObject({ type: 'data', codec: 'ttf', fourCC: 'TTF', language: null });
  });

  it('falls back to r_frame_rate and treats N/A bit rates and 0/0 rates as unknown', () => {
    const [video] = tracksFromFfprobe({
      streams: [{ index: 0, codec_type: 'video', codec_name: 'vp9', bit_rate: 'N/A', avg_frame_rate: '0/0', r_frame_rate: '50/1', tags: { language: 'UND' } }],
    });
    expect(video).toMatchObject({ fourCC: 'VP09', bitrate: null, fps: 50, language: null, width: null, height: null });
  });

  it('rejects output that is not ffprobe JSON', () => {
    expect(() => tracksFromFfprobe(null)).toThrow(FfprobeOutputError);
    expect(() => tracksFromFfprobe({ format: {} })).toThrow(/streams/);
    expect(() => tracksFromFfprobe({ streams: [42] })).toThrow(/stream #0/);
  });
});

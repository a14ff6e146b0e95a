import { describe, expect, it } from 'vitest';
import { mediaProbeFromJson } from './probe-media.js';

const video = (extra: Record<string, unknown>) => ({
  streams: [{ index: 0, codec_type: 'video', width: 320, height: 180, avg_frame_rate: '25/1', start_time: '0.000000', ...extra }],
  format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', start_time: '0.000000' },
});

describe('mediaProbeFromJson: display orientation', () => {
  it('a 90° display matrix (phone video) is displayed portrait: the displayed size is swapped', () => {
    const p = mediaProbeFromJson(video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] }));
    expect(p).toMatchObject({ width: 320, height: 180, rotation: 90, displayWidth: 180, displayHeight: 320 });
  });

  it('-90 is a 270° turn, also portrait; 180 keeps the shape', () => {
    expect(mediaProbeFromJson(video({ side_data_list: [{ rotation: -90 }] }))).toMatchObject({ rotation: 270, displayWidth: 180, displayHeight: 320 });
    expect(mediaProbeFromJson(video({ side_data_list: [{ rotation: 180 }] }))).toMatchObject({ rotation: 180, displayWidth: 320, displayHeight: 180 });
  });

  it('an old muxer\'s rotate tag counts when there is no matrix', () => {
    expect(mediaProbeFromJson(video({ tags: { rotate: '270' } }))).toMatchObject({ rotation: 270, displayWidth: 180, displayHeight: 320 });
  });

  it('no matrix: upright, displayed as stored', () => {
    expect(mediaProbeFromJson(video({}))).toMatchObject({ rotation: 0, displayWidth: 320, displayHeight: 180 });
  });

  it('keeps the demuxer name, which decides how seeks are planned', () => {
    expect(mediaProbeFromJson(video({})).formatName).toBe('mov,mp4,m4a,3gp,3g2,mj2');
  });
});

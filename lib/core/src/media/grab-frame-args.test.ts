import { describe, expect, it } from 'vitest';
import { grabFrameArgs, grabSeekSeconds } from './grab-frame-args.js';

describe('grabSeekSeconds', () => {
  it('aims half a frame before the displayed frame', () => {
    expect(grabSeekSeconds(5, 25)).toBeCloseTo(4.98, 6); // frame 125
    expect(grabSeekSeconds(5.039, 25)).toBeCloseTo(4.98, 6); // still frame 125 on screen
    expect(grabSeekSeconds(5.04, 25)).toBeCloseTo(5.02, 6); // frame 126
    expect(grabSeekSeconds(451.5, 30)).toBeCloseTo((13545 - 0.5) / 30, 6);
  });
  it('never seeks before zero and keeps the time for unknown rates', () => {
    expect(grabSeekSeconds(0, 30)).toBe(0);
    expect(grabSeekSeconds(1.234, null)).toBe(1.234);
  });
});

describe('grabFrameArgs', () => {
  it('input-seeks and emits one raw RGB frame', () => {
    const args = grabFrameArgs({ input: '/s/vod.mp4', seconds: 5, fps: 25, originSeconds: 0, inputOptions: ['-protocol_whitelist', 'file'] });
    expect(args.flat().join(' ')).toBe(
      '-nostdin -hide_banner -v error -protocol_whitelist file -seek_timestamp 1 -ss 4.980000 -i /s/vod.mp4 ' +
        '-map 0:v:0 -frames:v 1 -an -sn -dn -f rawvideo -pix_fmt rgb24 pipe:1',
    );
  });
  it('seeks on the video clock of sources that do not start at zero (HLS)', () => {
    const args = grabFrameArgs({ input: 'https://o/x.m3u8', seconds: 5, fps: 25, originSeconds: 1.421333, inputOptions: [] });
    expect(args.flat().join(' ')).toContain('-seek_timestamp 1 -ss 6.401333 -i https://o/x.m3u8');
  });
});

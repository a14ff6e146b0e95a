import { describe, expect, it } from 'vitest';
import { streamFacts } from './stream-facts.js';

const probe = {
  streams: [
    { index: 0, codec_type: 'video', start_time: '1.400000', time_base: '1/90000', pix_fmt: 'yuv420p', disposition: { attached_pic: 0 } },
    { index: 1, codec_type: 'video', start_time: 'N/A', time_base: '1/0', pix_fmt: 'yuv420p; rm -rf', disposition: { attached_pic: 1 } },
  ],
};

describe('streamFacts', () => {
  it("reads the stream's start, time base and pixel format by its index", () => {
    expect(streamFacts(probe, 0)).toEqual({ startTime: 1.4, timescale: 90000, pixFmt: 'yuv420p', attachedPic: false });
  });
  it('gives null for what is missing or malformed, and flags cover art', () => {
    expect(streamFacts(probe, 1)).toEqual({ startTime: null, timescale: null, pixFmt: null, attachedPic: true });
    expect(streamFacts(null, 3)).toEqual({ startTime: null, timescale: null, pixFmt: null, attachedPic: false });
  });
});

import { describe, expect, it } from 'vitest';
import { firstListingFrom, LISTING_LOOKBACK_S, listingCovers } from './frame-listing.js';
import { frameTimeline } from './keyframes.js';

const pkt = (pts: number, key = false) => ({ pts, dts: pts, key });

describe('listingCovers', () => {
  it('needs a keyframe at or before the time: an MPEG-TS/HLS listing that landed after it does not', () => {
    const grid = { origin: 3600, fps: 25 };
    expect(listingCovers(frameTimeline([pkt(3600, true), pkt(3600.04), pkt(3600.08)], grid), 3600.04)).toBe(true);
    // gst-ts-3600 listed from 3600.51: the first packet is mid-GOP, the next keyframe at 3602.
    expect(listingCovers(frameTimeline([pkt(3600.52), pkt(3600.56), pkt(3602, true)], grid), 3600.51)).toBe(false);
    expect(listingCovers(frameTimeline([], grid), 3600.51)).toBe(false);
  });
});

describe('firstListingFrom', () => {
  it('lists from t itself in an indexed container, which lands on the keyframe before it', () => {
    expect(firstListingFrom({ formatName: 'matroska,webm', containerStart: 0 }, 42)).toBe(42);
  });
  it('starts MPEG-TS/HLS listings LISTING_LOOKBACK_S earlier, since they land after the seek point', () => {
    expect(firstListingFrom({ formatName: 'mpegts', containerStart: 3600 }, 3630)).toBe(3630 - LISTING_LOOKBACK_S);
  });
  it('reads from the beginning when the look-back is at or before the container start (HLS refuses such a seek)', () => {
    expect(firstListingFrom({ formatName: 'hls', containerStart: 3600 }, 3605)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { frameIndexAt, frameTimeline, keyframeListArgs, KeyframeListError, parseKeyframeList } from './keyframes.js';

describe('keyframeListArgs', () => {
  it('lists one stream’s packet times and flags around the clip, without decoding', () => {
    const args = keyframeListArgs({ input: '/s/vod.mp4', inputOptions: ['-protocol_whitelist', 'file'], streamIndex: 2, interval: { from: 3.13, to: 9.41 } });
    expect(args.flat().join(' ')).toBe(
      '-v error -protocol_whitelist file -select_streams 2 -read_intervals 3.130000%9.410000 ' +
        '-show_entries packet=pts_time,dts_time,flags -of compact=p=0 /s/vod.mp4',
    );
  });
  it('reads the whole stream without an interval', () => {
    expect(keyframeListArgs({ input: 'in.m3u8', inputOptions: [], streamIndex: 0, interval: null }).flat().join(' ')).toBe(
      '-v error -select_streams 0 -show_entries packet=pts_time,dts_time,flags -of compact=p=0 in.m3u8',
    );
  });
  it('keeps negative source times (MPEG-TS wrap correction, edit lists) and reads from the beginning without a seek for from: null', () => {
    expect(keyframeListArgs({ input: 'x', inputOptions: [], streamIndex: 0, interval: { from: -0.5, to: 2 } }).flat()).toContain('-0.500000%2.000000');
    // A seek to 0 on a clock that starts at 3600 s failed ("Could not seek to position 0").
    expect(keyframeListArgs({ input: 'x.m3u8', inputOptions: [], streamIndex: 0, interval: { from: null, to: 3605.41 } }).flat()).toContain('%3605.410000');
  });
});

// Real ffprobe 5.1 output for a B-frame x264 stream (closed GOP), decode order.
const CLOSED_B = `pts_time=0.000000|dts_time=-0.080000|flags=K_
pts_time=0.160000|dts_time=-0.040000|flags=__
pts_time=0.080000|dts_time=0.000000|flags=__
pts_time=0.040000|dts_time=0.040000|flags=__
pts_time=0.120000|dts_time=0.080000|flags=__
pts_time=0.200000|dts_time=0.120000|flags=K_
pts_time=0.280000|dts_time=0.160000|flags=__
pts_time=0.240000|dts_time=0.200000|flags=__
`;

describe('parseKeyframeList', () => {
  it('reads key=value lines in decode order, whatever the column order', () => {
    expect(parseKeyframeList('flags=K_|pts_time=1.421333|dts_time=1.421333\npts_time=N/A|dts_time=1.461333|flags=__\n')).toEqual([
      { pts: 1.421333, dts: 1.421333, key: true },
      { pts: null, dts: 1.461333, key: false },
    ]);
  });
  it('refuses lines that are not packets', () => {
    expect(() => parseKeyframeList('[PACKET]\n')).toThrow(KeyframeListError);
  });
});

describe('frameTimeline', () => {
  it('sorts frames and keyframes by presentation time and finds the grid', () => {
    const t = frameTimeline(parseKeyframeList(CLOSED_B), { origin: 0, fps: 25 });
    expect(t.frames).toEqual([0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.24, 0.28]);
    expect(t.keyframes).toEqual([0, 0.2]);
    // With their decode times: where an MPEG-TS/HLS seek must aim to land on them (source-clock.ts).
    expect(t.keyframePackets).toEqual([{ pts: 0, dts: -0.08 }, { pts: 0.2, dts: 0.12 }]);
    expect([...t.leadingPictures.keys()]).toEqual([]);
    expect(t.onGrid).toBe(true);
  });
  it('flags open GOPs: frames after a keyframe in decode order but shown before it', () => {
    const open = `pts_time=0.080000|dts_time=0.000000|flags=K_
pts_time=0.000000|dts_time=0.040000|flags=__
pts_time=0.040000|dts_time=0.080000|flags=__
pts_time=0.120000|dts_time=0.120000|flags=__`;
    expect([...frameTimeline(parseKeyframeList(open), { origin: 0, fps: 25 }).leadingPictures.keys()]).toEqual([0.08]);
  });
  it('counts each open-GOP keyframe’s leading pictures: later in decode order, shown before it', () => {
    const k = (pts: number) => ({ pts, dts: null, key: true });
    const f = (pts: number | null) => ({ pts, dts: null, key: false });
    const t = frameTimeline([k(0), f(0.16), f(0.08), f(0.04), k(1), f(0.92), f(0.84), f(null), f(0.88), f(1.2), f(1.04)], { origin: 0, fps: 25 });
    expect([...t.leadingPictures]).toEqual([[1, 3]]);
    expect([...t.leadingPictures.keys()]).toEqual([1]);
  });
  it('is off the grid for gaps, duplicates, jitter, missing timestamps or an unknown rate', () => {
    const pkt = (pts: number | null, key = false) => ({ pts, dts: pts, key });
    const on = (ps: ReturnType<typeof pkt>[], fps: number | null = 25, origin = 0) => frameTimeline(ps, { origin, fps }).onGrid;
    expect(on([pkt(1.421333, true), pkt(1.461333), pkt(1.501333)], 25, 1.421333)).toBe(true);
    expect(on([pkt(0, true), pkt(0.08)])).toBe(false); // a missing frame
    expect(on([pkt(0, true), pkt(0.04), pkt(0.04)])).toBe(false); // a repeated time
    expect(on([pkt(0, true), pkt(0.055)])).toBe(false); // more than a quarter frame off
    expect(on([pkt(0, true), pkt(null)])).toBe(false);
    expect(on([pkt(0, true), pkt(0.04)], null)).toBe(false);
    // 29.97 fps in a millisecond timescale: 33/34 ms steps stay on the grid.
    expect(on([0, 0.033, 0.067, 0.1, 0.133].map((t, i) => pkt(t, i === 0)), 30000 / 1001)).toBe(true);
  });
  it('numbers frames from the origin', () => {
    expect(frameIndexAt(4.581333, 1.421333, 25)).toBe(79);
  });
});

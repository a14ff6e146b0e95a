import { describe, expect, it } from 'vitest';
import { checkJoinedClip, framecrcWindowsArgs, joinWindows, parseFramecrcStreams } from './clip-verify.js';

// ffmpeg 5.1 `-f framecrc` output, trimmed.
const FRAMECRC = `#software: Lavf59.27.100
#tb 0: 1/12800
#media_type 0: video
#codec_id 0: rawvideo
#dimensions 0: 320x180
#sar 0: 1/1
#stream#, dts,        pts, duration,     size, hash
0,          0,          0,      512,    86400, 0x5aaaaae7
0,        512,        512,      512,    86400, 0x8f3fd241
0,       1024,       1024,      512,    86400, 0xC3D4F99B
`;

describe('framecrcWindowsArgs', () => {
  it('decodes each window from its own input and seek in one run, cut by trim rather than -frames:v', () => {
    expect(framecrcWindowsArgs({ input: 'clip.mp4', inputOptions: ['-protocol_whitelist', 'file'], stream: 'v:0', windows: [{ from: null, frames: 4 }, { from: 4.0333333, frames: null }] }).join(' ')).toBe(
      '-nostdin -hide_banner -v error -protocol_whitelist file -i clip.mp4 -protocol_whitelist file -seek_timestamp 1 -ss 4.033333 -i clip.mp4 ' +
        '-map 0:v:0 -map 1:v:0 -filter:0 trim=end_frame=4 -fps_mode passthrough -f framecrc pipe:1',
    );
  });
});

describe('parseFramecrcStreams', () => {
  it('reads times in the stated time base and lower-cases checksums', () => {
    expect(parseFramecrcStreams(FRAMECRC)).toEqual([[
      { pts: 0, crc: '0x5aaaaae7' },
      { pts: 0.04, crc: '0x8f3fd241' },
      { pts: 0.08, crc: '0xc3d4f99b' },
    ]]);
  });

  it('sorts frames by output stream, each in its own time base', () => {
    const two = `#tb 0: 1/30
#tb 1: 1/12800
0,          0,          0,        1,   345600, 0x9eb84515
1,          0,          0,      512,   345600, 0x2a94611a
0,          1,          1,        1,   345600, 0xd2255f7c
1,        512,        512,      512,   345600, 0x17FD7FB3
1,       1024,       1024,      512,   345600, 0xd99f92ab
`;
    expect(parseFramecrcStreams(two)).toEqual([
      [{ pts: 0, crc: '0x9eb84515' }, { pts: 1 / 30, crc: '0xd2255f7c' }],
      [{ pts: 0, crc: '0x2a94611a' }, { pts: 0.04, crc: '0x17fd7fb3' }, { pts: 0.08, crc: '0xd99f92ab' }],
    ]);
  });
});

describe('checkJoinedClip', () => {
  const times = (n: number, origin = 0, step = 0.04) => Array.from({ length: n }, (_, i) => origin + i * step);
  const crcs = (from: number, n: number) => Array.from({ length: n }, (_, i) => `0x${(from + i).toString(16)}`);
  // A 10-frame clip: head 0..2, copied GOPs 3..5 and 6..7, tail 8..9.
  const good = {
    times: times(10, 3.16),
    frameCount: 10,
    fps: 25,
    decoded: [{ at: 0, crcs: crcs(0, 6), expected: 6 }, { at: 6, crcs: crcs(6, 4), expected: 4 }],
    copied: [{ at: 3, crcs: crcs(3, 3), expected: 3 }, { at: 6, crcs: crcs(6, 2), expected: 2 }],
  };
  it('accepts the promised count on a steady clock with the copied frames in place', () => {
    expect(checkJoinedClip(good)).toBeNull();
    // Packets come in decode order; the clock is checked in display order.
    expect(checkJoinedClip({ ...good, times: [...good.times].reverse() })).toBeNull();
  });
  it('reports a wrong count, a jump at a join, a short decode and copied frames that decode differently', () => {
    expect(checkJoinedClip({ ...good, times: times(9) })).toBe('the joined clip has 9 frames, expected 10');
    const jumped = times(10).map((t, i) => (i >= 5 ? t + 0.04 : t));
    expect(checkJoinedClip({ ...good, times: jumped })).toMatch(/frame 5 .* off the frame clock by 1\.00 frames/);
    expect(checkJoinedClip({ ...good, decoded: [{ at: 0, crcs: crcs(0, 4), expected: 6 }, good.decoded[1]!] })).toBe('frames 0..5 of the joined clip decode to 4 frames');
    expect(checkJoinedClip({ ...good, copied: [{ at: 3, crcs: ['0x3', '0xbad', '0x5'], expected: 3 }] })).toBe(
      'copied frame 4 of the joined clip decodes differently from the source',
    );
    expect(checkJoinedClip({ ...good, decoded: [good.decoded[1]!] })).toBe('copied frame 3 of the joined clip was not decoded for the check');
  });
});

describe('joinWindows', () => {
  it('decodes the re-encoded edges and the first frames of the first and last copied GOPs', () => {
    // One copied GOP (21..71): the whole clip is a single window.
    expect(joinWindows({ frameCount: 157, firstCopied: 21, firstCopiedGopEnd: 71, lastCopiedKeyframe: 71, tailStart: 121 })).toEqual([{ at: 0, count: 157 }]);
    // 1215 frames: head 52, copied GOPs from 52 (every 60) to 1152, tail from 1192.
    expect(joinWindows({ frameCount: 1215, firstCopied: 52, firstCopiedGopEnd: 112, lastCopiedKeyframe: 1132, tailStart: 1192 })).toEqual([
      { at: 0, count: 56 },
      { at: 1132, count: 4 },
      { at: 1192, count: 23 },
    ]);
    // No head and no tail: the clip starts and ends on GOP boundaries.
    expect(joinWindows({ frameCount: 180, firstCopied: 0, firstCopiedGopEnd: 60, lastCopiedKeyframe: 120, tailStart: 180 })).toEqual([
      { at: 0, count: 4 },
      { at: 120, count: 4 },
    ]);
  });
});

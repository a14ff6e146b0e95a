import { describe, expect, it } from 'vitest';
import { findAvcC, parseAvcC } from './mp4-avcc.js';

const SPS = Buffer.from('6764000cacd94141', 'hex');
const PPS = Buffer.from('68ebe3cb22c0', 'hex');

function box(type: string, ...body: Buffer[]): Buffer {
  const payload = Buffer.concat(body);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);

/** avcC: version 1, profile/compat/level from the SPS, 4-byte lengths, then the sets. */
function avcC(sps: Buffer[], pps: Buffer[]): Buffer {
  return Buffer.concat([
    Buffer.from([1, sps[0]![1]!, sps[0]![2]!, sps[0]![3]!, 0xff, 0xe0 | sps.length]),
    ...sps.flatMap((s) => [u16(s.length), s]),
    Buffer.from([pps.length]),
    ...pps.flatMap((p) => [u16(p.length), p]),
  ]);
}

/** An MP4 as ffmpeg writes it without +faststart: ftyp, mdat, then the moov with one avc1 track. */
function mp4(record: Buffer, entry = 'avc1'): Buffer {
  const sampleEntry = box(entry, Buffer.alloc(78), box('avcC', record), box('pasp', Buffer.alloc(8)));
  const stsd = box('stsd', Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), sampleEntry);
  const moov = box('moov', box('mvhd', Buffer.alloc(100)), box('trak', box('tkhd', Buffer.alloc(84)), box('mdia', box('mdhd', Buffer.alloc(24)), box('minf', box('stbl', stsd, box('stts', Buffer.alloc(8)))))));
  return Buffer.concat([box('ftyp', Buffer.from('isom')), box('mdat', Buffer.alloc(5000, 7)), moov]);
}

describe('findAvcC / parseAvcC', () => {
  it('finds the avcC of the sample entry past the media data and gives its SPS and PPS', () => {
    const record = avcC([SPS], [PPS]);
    const found = findAvcC(mp4(record));
    expect(found?.equals(record)).toBe(true);
    expect(parseAvcC(found!)).toEqual({ sps: [SPS], pps: [PPS] });
  });
  it('reads several sets and avc3 entries', () => {
    const pps2 = Buffer.from('68ce3880', 'hex');
    expect(parseAvcC(findAvcC(mp4(avcC([SPS], [PPS, pps2]), 'avc3'))!)).toEqual({ sps: [SPS], pps: [PPS, pps2] });
  });
  it('gives null for a file without one, or a truncated record', () => {
    expect(findAvcC(Buffer.concat([box('ftyp', Buffer.from('isom')), box('mdat', Buffer.alloc(10))]))).toBeNull();
    expect(findAvcC(mp4(avcC([SPS], [PPS]), 'hvc1'))).toBeNull();
    expect(parseAvcC(avcC([SPS], [PPS]).subarray(0, 12))).toBeNull();
    expect(parseAvcC(Buffer.from([0, 1, 2, 3, 4, 5, 6]))).toBeNull();
  });
});

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspectGif, GifFormatError } from './gif-inspect.js';

describe('inspectGif on GIFs written by ffmpeg', () => {
  let dir: string;
  const gifs = new Map<string, Uint8Array>();

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gif-inspect-'));
    // The gif muxer's -loop: -1 writes no NETSCAPE2.0 block, 0 loops forever, n repeats n times.
    for (const loop of ['0', '-1', '3']) {
      const out = path.join(dir, `loop${loop}.gif`);
      const args = ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10', '-t', '1', '-loop', loop, out];
      const run = spawnSync(process.env.FFMPEG_PATH ?? 'ffmpeg', args, { encoding: 'utf8', timeout: 30_000 });
      if (run.error) throw run.error;
      if (run.status !== 0) throw new Error(`ffmpeg exited ${run.status}: ${run.stderr}`);
      gifs.set(loop, readFileSync(out));
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads canvas size, ten 1/10 s frames inside the canvas, and loops forever for -loop 0', () => {
    const info = inspectGif(gifs.get('0')!);
    expect(info).toMatchObject({ width: 64, height: 48, loopCount: 0 });
    expect(info.frames).toHaveLength(10);
    expect(info.frames[0]).toEqual({ delayCs: 10, left: 0, top: 0, width: 64, height: 48 });
    // ffmpeg's encoder stores only the rectangle that changed, so later frames are offset.
    expect(info.frames.slice(1).some((f) => f.width < 64 && (f.left > 0 || f.top > 0))).toBe(true);
    for (const frame of info.frames) {
      expect(frame.delayCs).toBe(10);
      expect(frame.left + frame.width).toBeLessThanOrEqual(64);
      expect(frame.top + frame.height).toBeLessThanOrEqual(48);
    }
  });

  it('reports no loop count for -loop -1 (plays once)', () => {
    const info = inspectGif(gifs.get('-1')!);
    expect(info.loopCount).toBeNull();
    expect(info.frames).toHaveLength(10);
  });

  it('reports the repeat count for -loop 3', () => {
    expect(inspectGif(gifs.get('3')!).loopCount).toBe(3);
  });

  it('rejects every truncation of a real GIF', () => {
    const gif = gifs.get('0')!;
    for (const length of [0, 5, 12, 13 + 10, Math.floor(gif.length / 2), gif.length - 1]) {
      expect(() => inspectGif(gif.subarray(0, length)), `length ${length}`).toThrow(GifFormatError);
    }
  });
});

// Hand-built files cover the block types ffmpeg never writes.
const u16 = (n: number) => [n & 0xff, n >> 8];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const header = (width: number, height: number, globalTable = true) => [
  ...ascii('GIF89a'),
  ...u16(width),
  ...u16(height),
  globalTable ? 0x80 : 0x00, // global table of 2 colours
  0,
  0,
  ...(globalTable ? [0, 0, 0, 255, 255, 255] : []),
];
const gce = (delayCs: number) => [0x21, 0xf9, 4, 0x00, ...u16(delayCs), 0, 0];
const netscape = (loops: number) => [0x21, 0xff, 11, ...ascii('NETSCAPE2.0'), 3, 1, ...u16(loops), 0];
const image = (left: number, top: number, width: number, height: number, localTable = false) => [
  0x2c,
  ...u16(left),
  ...u16(top),
  ...u16(width),
  ...u16(height),
  localTable ? 0x81 : 0x00, // local table of 4 colours
  ...(localTable ? new Array(12).fill(0) : []),
  2, // LZW minimum code size
  2,
  0x4c,
  0x01, // one data sub-block
  0,
];
const gif = (...parts: number[][]) => Uint8Array.from(parts.flat());

describe('inspectGif on hand-built files', () => {
  it('applies each Graphic Control Extension to the next image only', () => {
    const info = inspectGif(gif(header(300, 200), gce(7), image(0, 0, 300, 200), image(10, 20, 30, 40, true), gce(250), image(1, 2, 3, 4), [0x3b]));
    expect(info).toEqual({
      width: 300,
      height: 200,
      loopCount: null,
      frames: [
        { delayCs: 7, left: 0, top: 0, width: 300, height: 200 },
        { delayCs: 0, left: 10, top: 20, width: 30, height: 40 },
        { delayCs: 250, left: 1, top: 2, width: 3, height: 4 },
      ],
    });
  });

  it('reads large loop counts and skips comment, plain text and foreign application blocks', () => {
    const comment = [0x21, 0xfe, 5, ...ascii('hello'), 0];
    const plainText = [0x21, 0x01, 12, ...new Array(12).fill(0), 2, ...ascii('hi'), 0];
    const xmp = [0x21, 0xff, 11, ...ascii('XMP DataXMP'), 4, 1, 2, 3, 4, 0];
    const info = inspectGif(gif(header(2, 2, false), netscape(65535), comment, xmp, plainText, gce(3), image(0, 0, 2, 2), [0x3b]));
    expect(info.loopCount).toBe(65535);
    expect(info.frames).toEqual([{ delayCs: 3, left: 0, top: 0, width: 2, height: 2 }]);
  });

  it('accepts GIF87a files and ignores bytes after the trailer', () => {
    const bytes = gif(header(1, 1), image(0, 0, 1, 1), [0x3b, 0xde, 0xad]);
    bytes.set(ascii('GIF87a'), 0);
    expect(inspectGif(bytes).frames).toHaveLength(1);
  });

  it.each([
    ['a PNG signature', gif([0x89, ...ascii('PNG\r\n\x1a\n'), 0, 0, 0, 0, 0]), /not a GIF/],
    ['a missing trailer', gif(header(1, 1), image(0, 0, 1, 1)), /truncated in block introducer \(file ends without a trailer\)/],
    ['an unknown block', gif(header(1, 1), [0x00]), /byte 19: unknown block introducer 0x00/],
    ['a bad GCE size', gif(header(1, 1), [0x21, 0xf9, 5, 0, 0, 0, 0, 0, 0], [0x3b]), /graphic control extension has size 5/],
    ['a bad application block size', gif(header(1, 1), [0x21, 0xff, 8, ...ascii('NETSCAPE'), 0], [0x3b]), /application extension has size 8/],
    ['a short loop sub-block', gif(header(1, 1), [0x21, 0xff, 11, ...ascii('NETSCAPE2.0'), 1, 1, 0], [0x3b]), /loop sub-block is shorter/],
    ['an impossible LZW code size', gif(header(1, 1), image(0, 0, 1, 1).map((b, i) => (i === 10 ? 12 : b)), [0x3b]), /LZW minimum code size 12/],
    ['a truncated colour table', gif(header(1, 1).slice(0, 15)), /truncated in global colour table/],
  ])('rejects %s', (_name, bytes, reason) => {
    expect(() => inspectGif(bytes)).toThrow(GifFormatError);
    expect(() => inspectGif(bytes)).toThrow(reason);
  });
});

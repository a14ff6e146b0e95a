// VIDEO assets end to end over REST: the real workflow on the GPU task queue, the GPU worker
// on the strategy its probe chose (the CPU on a machine without a GPU) with real ffmpeg. The generated source shows a different
// luma on every frame (frameLuma(n)), so decoding a clip tells exactly which frames it holds.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { frameLuma } from '../scripts/stack/demo-media.js';
import { api, createEvent, stack, testVideo, waitForAsset } from './support/api.js';
import {
  expectedLumas,
  frameLumas,
  framesWithLuma,
  lumaError,
  makeBframeVideo,
  makeHls,
  makeTwoTrackVideo,
  type Packet,
  probeFile,
  videoPackets,
} from './support/media-check.js';
import { stackVideoStrategy } from './support/gpu-strategy.js';

const abs = (rel: string) => path.join(stack().storageRoot, rel);
// What the GPU worker's probe chose on this machine (cpu without a GPU), not a fixed name.
const videoStrategy = await stackVideoStrategy();

/** The strategy the worker reported (e.g. `cpu/smart-cut`), from the workflow's result. */
async function strategyOf(jobId: string): Promise<string | null> {
  const { Connection, Client } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: stack().temporalAddress });
  try {
    const result = (await new Client({ connection }).workflow.getHandle(jobId).result()) as { strategy: string | null };
    return result.strategy;
  } finally {
    await connection.close();
  }
}

/** Copied packets: the same bytes, but for the parameter sets added in front of the keyframe. */
function expectCopied(out: Packet[], src: Packet[]) {
  expect(out.map((p) => p.key)).toEqual(src.map((p) => p.key));
  expect(out.filter((p) => !p.key).map((p) => p.md5)).toEqual(src.filter((p) => !p.key).map((p) => p.md5));
  out.forEach((p, i) => p.key && expect(p.size - src[i]!.size).toBeGreaterThanOrEqual(0));
}

async function clip(eventId: string, name: string, clipFields: Record<string, unknown>, options: Record<string, unknown> = {}) {
  const r = await api('POST', '/api/asset/video/', { name, clip: { eventId, ...clipFields }, ...options });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toMatchObject({ type: 2, typeString: 'VIDEO', extension: 'mp4', stateString: 'GENERATING' });
  const done = await waitForAsset(r.body.id, 90_000);
  expect(done.stateString, done.failureReason).toBe('COMPLETED');
  return { asset: done, file: abs(done.path), strategy: await strategyOf(done.jobId) };
}

// 00:00:03.130 → 00:00:07.410 at 25 fps is frames 79 (3.16 s, the start rounded up to the next
// frame) .. 185 (7.40 s, the last frame before the end): 107 frames. With keyframes every 50
// frames that is a head of 21 frames (79..99), one copied GOP (100..149), a tail of 36 (150..185).
const START = '00:00:03.130';
const END = '00:00:07.410';
const FIRST = 79;
const LAST = 185;

// clip() waits up to 90 s per clip and a test makes up to three: the timeout covers them.
describe('VIDEO asset', { timeout: 300_000 }, () => {
  let eventId = '';
  let vod = '';
  beforeAll(async () => {
    vod = await testVideo('video-test/vod.mp4');
    eventId = (await createEvent(vod)).id;
  });

  it('frameAccurate: exactly the requested frames, by smart cut, with the middle GOP copied untouched', async () => {
    const { asset, file, strategy } = await clip(eventId, 'Exact clip', { start: START, end: END }, { frameAccurate: true });
    expect(asset.path).toBe('video-test/exact-clip.mp4');
    expect(strategy).toBe(`${videoStrategy}/smart-cut`);

    const lumas = await frameLumas(file);
    expect(lumas).toHaveLength(LAST - FIRST + 1);
    // The source is lossless and the edges mirror its x264 options (qp=0), so every frame is exact.
    expect(framesWithLuma(lumas[0]!, 0.5)).toContain(FIRST);
    expect(framesWithLuma(lumas[0]!, 0.5)).not.toContain(FIRST - 1);
    expect(framesWithLuma(lumas.at(-1)!, 0.5)).toContain(LAST);
    expect(lumaError(lumas, expectedLumas(FIRST, LAST))).toBeLessThan(0.5);

    // The output's keyframes sit where the pieces join: the head's, the copied GOP's, the tail's.
    const out = await videoPackets(file);
    expect(out.filter((p) => p.key).map((p) => Math.round(p.pts * 25))).toEqual([0, 21, 71]);
    // And the middle packets are the source's packets, byte for byte, except that the concat
    // demuxer repeats the (identical) SPS/PPS in-band at the copied keyframe.
    const src = await videoPackets(abs(vod));
    expectCopied(out.slice(21, 71), src.slice(100, 150));
    expect(out.slice(0, 21).map((p) => p.md5)).not.toEqual(src.slice(FIRST, 100).map((p) => p.md5));

    const probe = await probeFile(file);
    expect(probe.streams.map((s) => s.type)).toEqual(['video', 'audio']);
    expect(probe.streams[0]).toMatchObject({ codec: 'h264', width: 320, height: 180, startTime: 0 });
    expect(probe.streams[1]!.duration).toBeCloseTo(4.28, 1);
    // +faststart: the index (moov) comes before the media data.
    const head = (await readFile(file)).subarray(0, 4096).toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
  });

  it('frameAccurate on a B-frame source: the join holds, the copied GOP is bit-identical', async () => {
    const rel = 'video-bframes/vod.mp4';
    await makeBframeVideo(abs(rel));
    const ev = (await createEvent(rel)).id;
    const { file, strategy } = await clip(ev, 'B-frames', { start: START, end: END }, { frameAccurate: true });
    expect(strategy).toBe(`${videoStrategy}/smart-cut`);
    const lumas = await frameLumas(file);
    expect(lumas).toHaveLength(LAST - FIRST + 1);
    // Lossy source: levels within a little of the generated ones, and nearer the right frame than its neighbours.
    expect(lumaError(lumas, expectedLumas(FIRST, LAST))).toBeLessThan(2);
    expect(Math.abs(lumas[0]! - frameLuma(FIRST))).toBeLessThan(Math.abs(lumas[0]! - frameLuma(FIRST - 1)));
    expect(Math.abs(lumas.at(-1)! - frameLuma(LAST))).toBeLessThan(Math.abs(lumas.at(-1)! - frameLuma(LAST + 1)));
    const out = await videoPackets(file);
    const src = await videoPackets(abs(rel));
    // Decode order: the copied GOP's 50 packets follow the head's 21.
    expectCopied(out.slice(21, 71), src.slice(100, 150));
  });

  it('frameAccurate on a clip inside one GOP falls back to a full re-encode, still exact', async () => {
    // 2.5 s → 3.5 s: frames 63..87, no whole GOP to copy.
    const { file, strategy } = await clip(eventId, 'Short exact', { start: '00:00:02.500', end: '00:00:03.500' }, { frameAccurate: true });
    expect(strategy).toBe(`${videoStrategy}/full-reencode`);
    const lumas = await frameLumas(file);
    expect(lumaError(lumas, expectedLumas(63, 87))).toBeLessThan(2);
  });

  it('without frameAccurate: a stream copy from the keyframe at or before the start', async () => {
    const { file, strategy } = await clip(eventId, 'Fast clip', { start: START, end: END }, { frameAccurate: false });
    expect(strategy).toBe(`${videoStrategy}/stream-copy`);
    const packets = await videoPackets(file);
    expect(packets[0]).toMatchObject({ key: true });
    expect(packets[0]!.pts).toBe(0);
    const lumas = await frameLumas(file);
    // Keyframes are at frames 0, 50, 100...: the copy starts at frame 50 (2.00 s) and reaches the end.
    expect(lumaError(lumas.slice(0, 2), expectedLumas(50, 51))).toBeLessThan(0.5);
    expect(lumas.length).toBeGreaterThanOrEqual(LAST - 50 + 1);
    expect(lumas.length).toBeLessThanOrEqual(LAST - 50 + 3);
    const src = await videoPackets(abs(vod));
    expect(packets.map((p) => p.md5)).toEqual(src.slice(50, 50 + packets.length).map((p) => p.md5));
  });

  it('copyTs keeps the source timestamps: the clip starts at its first frame’s source time', async () => {
    const exact = await clip(eventId, 'Exact with source times', { start: START, end: END }, { frameAccurate: true, copyTs: true });
    const exactVideo = (await probeFile(exact.file)).streams.find((s) => s.type === 'video')!;
    expect(exactVideo.startTime).toBeCloseTo(3.16, 3);
    expect((await videoPackets(exact.file))[0]!.pts).toBeCloseTo(3.16, 3);
    expect(await frameLumas(exact.file)).toHaveLength(107);

    const copy = await clip(eventId, 'Copy with source times', { start: START, end: END }, { frameAccurate: false, copyTs: true });
    expect((await probeFile(copy.file)).streams.find((s) => s.type === 'video')!.startTime).toBeCloseTo(2, 3);

    const plain = await clip(eventId, 'Exact from zero', { start: START, end: END }, { frameAccurate: true, copyTs: false });
    expect((await probeFile(plain.file)).streams.find((s) => s.type === 'video')!.startTime).toBe(0);
  });

  describe('track selection', () => {
    let twoTracks = '';
    beforeAll(async () => {
      const rel = 'video-tracks/vod.mp4';
      await makeTwoTrackVideo(abs(rel));
      twoTracks = (await createEvent(rel)).id;
    });
    const shape = async (file: string) => (await probeFile(file)).streams.map((s) => (s.type === 'video' ? `video ${s.width}x${s.height}` : s.type));

    it('mezzanine keeps only the larger video and the audio', async () => {
      const { file } = await clip(twoTracks, 'Mezzanine', { start: '00:00:01', end: '00:00:03' }, { mezzanine: true });
      expect(await shape(file)).toEqual(['video 320x180', 'audio']);
    });
    it('mezzanine false keeps every video and audio track', async () => {
      const { file } = await clip(twoTracks, 'All tracks', { start: '00:00:01', end: '00:00:03' }, { mezzanine: false });
      expect(await shape(file)).toEqual(['video 320x180', 'video 160x90', 'audio']);
    });
    it('mezzanine false with frameAccurate re-encodes both video tracks exactly', async () => {
      const { file, strategy } = await clip(twoTracks, 'All tracks exact', { start: '00:00:01.010', end: '00:00:03.010' }, { mezzanine: false, frameAccurate: true });
      expect(strategy).toBe(`${videoStrategy}/full-reencode`);
      expect(await shape(file)).toEqual(['video 320x180', 'video 160x90', 'audio']);
      for (const stream of ['0', '1']) expect(lumaError(await frameLumas(file, stream), expectedLumas(26, 75)), stream).toBeLessThan(2);
    });
    it('a filter keeps only the tracks it selects', async () => {
      const { file } = await clip(twoTracks, 'Small only', { start: '00:00:01', end: '00:00:03', filter: '(type=="video"&&DisplayHeight==90)' });
      expect(await shape(file)).toEqual(['video 160x90']);
    });
    it('a filter that selects nothing, keeps no video, or does not parse, is a 400', async () => {
      for (const filter of ['(type=="video"&&DisplayHeight==1080)', '(type="video")', 'type=="audio"']) {
        const r = await api('POST', '/api/asset/video/', { name: 'bad filter', clip: { eventId: twoTracks, start: '00:00:01', end: '00:00:02', filter } });
        expect(r.status, filter).toBe(400);
        expect(r.body.errorType).toBe('ValidationError');
        expect(r.body.exceptionMessage).toMatch(filter.includes('1080') ? /selects no track/ : filter.includes('audio') ? /at least one video track/ : /does not parse/);
      }
    });
  });

  it('an HLS source with ISO8601 times mapped through EXT-X-PROGRAM-DATE-TIME gives the right frames', async () => {
    const dir = 'video-hls';
    await makeHls(abs(vod), abs(dir));
    const playlist = await readFile(abs(`${dir}/index.m3u8`), 'utf8');
    // ffmpeg 5.1 writes the zone as +0000, not +00:00.
    const pdt = /#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(playlist)![1]!;
    expect(pdt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const t0 = Date.parse(pdt.replace(/\+0000$/, 'Z'));
    const iso = (offsetMs: number) => new Date(t0 + offsetMs).toISOString();
    const ev = (await createEvent(`${dir}/index.m3u8`)).id;

    const exact = await clip(ev, 'HLS exact', { start: iso(3130), end: iso(7410) }, { frameAccurate: true });
    expect(exact.strategy).toBe(`${videoStrategy}/smart-cut`);
    const lumas = await frameLumas(exact.file);
    expect(lumas).toHaveLength(LAST - FIRST + 1);
    expect(lumaError(lumas, expectedLumas(FIRST, LAST))).toBeLessThan(0.5);
    expect((await probeFile(exact.file)).duration).toBeCloseTo(4.28, 1);

    const copy = await clip(ev, 'HLS copy', { start: iso(3130), end: iso(7410) }, { frameAccurate: false });
    expect(lumaError((await frameLumas(copy.file)).slice(0, 1), expectedLumas(50, 50))).toBeLessThan(0.5);
  });

  it('an HLS source with several GOPs per segment: the copy and the smart cut drop what the segment seek reads early', async () => {
    // 6 s segments of three 2 s GOPs: the reader seeks to 0 s for a start at 3.13 s.
    const dir = 'video-hls6';
    await makeHls(abs(vod), abs(dir), 6);
    const ev = (await createEvent(`${dir}/index.m3u8`)).id;
    const copy = await clip(ev, 'HLS6 copy', { start: START, end: END }, { frameAccurate: false });
    const copied = await frameLumas(copy.file);
    expect(lumaError(copied.slice(0, 2), expectedLumas(50, 51))).toBeLessThan(0.5);
    expect(copied.length).toBeLessThanOrEqual(LAST - 50 + 3);
    const exact = await clip(ev, 'HLS6 exact', { start: START, end: END }, { frameAccurate: true });
    expect(exact.strategy).toBe(`${videoStrategy}/smart-cut`);
    expect(lumaError(await frameLumas(exact.file), expectedLumas(FIRST, LAST))).toBeLessThan(0.5);
  });
});

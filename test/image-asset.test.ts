// The walking skeleton end to end: POST an IMAGE, a real workflow on the real Temporal dev
// server, a CPU worker grabbing the frame with real ffmpeg and encoding it with sharp.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { frameLuma } from '../scripts/stack/demo-media.js';
import { api, countRows, createEvent, testVideo, waitForAsset, workflowCount } from './support/api.js';
import { workflowCountAfterSentinel } from './support/workflow-visibility.js';

/** Mean RGB level of a JPEG made from frame n of the generated source (limited → full range). */
const expectedLevel = (n: number) => ((frameLuma(n) - 16) * 255) / 219;

async function meanLevel(buf: Buffer): Promise<number> {
  const stats = await sharp(buf).stats();
  return stats.channels.slice(0, 3).reduce((s, c) => s + c.mean, 0) / 3;
}

describe('IMAGE asset', () => {
  let eventId = '';
  beforeAll(async () => {
    const vod = await testVideo('image-test/vod.mp4');
    eventId = (await createEvent(vod)).id;
  });

  it('grabs exactly the frame shown at the requested time and serves it at its url', async () => {
    // 25 fps: 00:00:05.500 shows frame 137 (5.48 s .. 5.52 s).
    const r = await api('POST', '/api/asset/image/', { eventId, name: 'Frame at 5.5 s', time: '00:00:05.500' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ eventId, name: 'Frame at 5.5 s', state: 0, stateString: 'GENERATING', type: 1, typeString: 'IMAGE', extension: 'jpg', url: '' });
    expect(r.body.jobId).toBe(`image-${r.body.id}`);
    expect(r.body.path).toBe('image-test/frame-at-5-5-s.jpg');
    expect(r.body.dateCreated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const done = await waitForAsset(r.body.id);
    expect(done.stateString).toBe('COMPLETED');
    expect(done.state).toBe(1);
    expect(done.url).toMatch(/^http:\/\/localhost:\d+\/content\/image-test\/frame-at-5-5-s\.jpg$/);
    expect(Object.keys(done).sort()).toEqual(
      ['id', 'eventId', 'name', 'path', 'extension', 'state', 'stateString', 'type', 'typeString', 'jobId', 'contentId', 'dateCreated', 'dateModified', 'url'].sort(),
    );

    const file = await fetch(done.url.replace('localhost', '127.0.0.1'));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await file.arrayBuffer());
    const meta = await sharp(jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 180 });
    const level = await meanLevel(jpeg);
    expect(Math.abs(level - expectedLevel(137))).toBeLessThan(3);
    expect(Math.abs(level - expectedLevel(136))).toBeGreaterThan(4);
    expect(Math.abs(level - expectedLevel(138))).toBeGreaterThan(4);
    expect(await workflowCount(`WorkflowId = '${done.jobId}' AND ExecutionStatus = 'Completed'`)).toBe(1);
  });

  it('grabs the exact frame on a frame boundary and at zero', async () => {
    for (const [time, frame] of [['00:00:04', 100], ['00:00:00', 0], ['00:00:11.960', 299]] as const) {
      const r = await api('POST', '/api/asset/image/', { eventId, name: `boundary ${time}`, time });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const done = await waitForAsset(r.body.id);
      expect(done.stateString, done.failureReason).toBe('COMPLETED');
      const jpeg = Buffer.from(await (await fetch(done.url.replace('localhost', '127.0.0.1'))).arrayBuffer());
      expect(Math.abs((await meanLevel(jpeg)) - expectedLevel(frame)), time).toBeLessThan(3);
    }
  });

  it('numbers a clashing file name instead of overwriting', async () => {
    const a = await api('POST', '/api/asset/image/', { eventId, name: 'Same name', time: '00:00:01' });
    const b = await api('POST', '/api/asset/image/', { eventId, name: 'Same name', time: '00:00:02' });
    expect(a.body.path).toBe('image-test/same-name.jpg');
    expect(b.body.path).toBe('image-test/same-name-1.jpg');
    const c = await api('POST', '/api/asset/image/', { eventId, name: 'x', filename: 'custom.jpg', time: '00:00:02' });
    expect(c.body.path).toBe('image-test/custom.jpg');
  });

  it('marks undecodable media FAILED with a reason', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const path = await import('node:path');
    const { stack } = await import('./support/api.js');
    await mkdir(path.join(stack().storageRoot, 'broken'), { recursive: true });
    await writeFile(path.join(stack().storageRoot, 'broken/vod.mp4'), Buffer.alloc(4096, 7));
    const ev = await createEvent('broken/vod.mp4');
    const r = await api('POST', '/api/asset/image/', { eventId: ev.id, name: 'broken', time: '00:00:01' });
    expect(r.status).toBe(200);
    const done = await waitForAsset(r.body.id);
    expect(done.stateString).toBe('FAILED');
    expect(done.url).toBe('');
    expect(done.failureReason).toMatch(/cannot be decoded|Invalid data/i);
  });

  describe('rejects bad requests with the error shape, writing nothing', () => {
    const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
      ['no API key', () => api('POST', '/api/asset/image/', { eventId, name: 'x', time: '00:00:01' }, { 'API-KEY': '' }), 401, 'Unauthorized'],
      ['unknown API key', () => api('POST', '/api/asset/image/', { eventId, name: 'x', time: '00:00:01' }, { 'API-KEY': 'nope' }), 401, 'Unauthorized'],
      ['malformed JSON', () => api('POST', '/api/asset/image/', '{"eventId": '), 400, 'ValidationError'],
      ['array body', () => api('POST', '/api/asset/image/', [1, 2]), 400, 'ValidationError'],
      ['missing name', () => api('POST', '/api/asset/image/', { eventId, time: '00:00:01' }), 400, 'ValidationError'],
      ['unknown event', () => api('POST', '/api/asset/image/', { eventId: randomUUID(), name: 'x', time: '00:00:01' }), 404, 'EventNotFound'],
      ['unparseable time', () => api('POST', '/api/asset/image/', { eventId, name: 'x', time: '5 seconds' }), 400, 'ValidationError'],
      ['time beyond the media', () => api('POST', '/api/asset/image/', { eventId, name: 'x', time: '00:01:00' }), 400, 'ValidationError'],
      ['instant without timecode', () => api('POST', '/api/asset/image/', { eventId, name: 'x', time: '2026-11-26T21:09:21.500Z' }), 400, 'ValidationError'],
      ['priority out of range', () => api('POST', '/api/asset/image/', { eventId, name: 'x', time: '00:00:01', priority: 11 }), 400, 'ValidationError'],
      ['path in filename', () => api('POST', '/api/asset/image/', { eventId, name: 'x', time: '00:00:01', filename: '../../etc/x' }), 400, 'ValidationError'],
    ];
    for (const [what, call, status, errorType] of cases) {
      it(what, async () => {
        const before = await countRows('assets');
        const r = await call();
        expect(r.status).toBe(status);
        expect(r.body).toEqual({ exceptionType: expect.any(String), exceptionMessage: expect.stringMatching(/^Unable to /), errorType, data: expect.any(Object) });
        expect(await countRows('assets')).toBe(before);
      });
    }
    it('starts no workflow for a rejected request', async () => {
      const ghost = randomUUID();
      const r = await api('POST', '/api/asset/image/', { eventId: ghost, name: 'x', time: '00:00:01' });
      expect(r.status).toBe(404);
      expect(r.body.errorType).toBe('EventNotFound');
      expect(await workflowCountAfterSentinel(`FramesmithEventId = '${ghost}'`, eventId)).toBe(0);
    });
  });
});

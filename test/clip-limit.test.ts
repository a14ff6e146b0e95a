// MAX_CLIP_SECONDS on its own: on a source longer than the limit, a VIDEO clip of exactly the
// limit is accepted and one a frame longer is refused for its length alone, writing nothing.
// The stack keeps the default limit.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createEvent, testVideo, waitForAsset } from './support/api.js';

const MAX_CLIP_SECONDS = 600; // the default of MAX_CLIP_SECONDS (lib/core/src/config.ts)

describe('MAX_CLIP_SECONDS', () => {
  let eventId = '';
  beforeAll(async () => {
    // Longer than the limit, so only the limit can refuse; tiny and 5 fps to stay cheap.
    const vod = await testVideo('clip-limit/vod.mp4', { seconds: MAX_CLIP_SECONDS + 10, fps: 5, width: 64, height: 36, gop: 50, audio: false });
    eventId = (await createEvent(vod)).id;
  }, 120_000);

  it('refuses a clip one frame longer than the limit, with the limit in the error', async () => {
    const before = await countRows('assets');
    const r = await api('POST', '/api/asset/video/', { name: 'too long', clip: { eventId, start: '00:00:00', end: '00:10:00.200' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ errorType: 'ValidationError', data: { field: 'clip.end' } });
    expect(r.body.exceptionMessage).toContain(`${MAX_CLIP_SECONDS} seconds`);
    expect(await countRows('assets')).toBe(before);
  });

  it('accepts a clip of exactly the limit on the same source', async () => {
    const r = await api('POST', '/api/asset/video/', { name: 'at the limit', clip: { eventId, start: '00:00:00', end: '00:10:00' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitForAsset(r.body.id, 90_000);
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
  }, 120_000);
});

// VIDEO outputs are checked against the request before the asset is COMPLETED: a source that
// is truncated, or a still image with a video extension, gives ffmpeg a short input that it
// turns quietly into a short clip; the asset must end FAILED with a reason that names the
// problem (and no server path), whichever way the clip was made.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../lib/core/src/media/run-process.js';
import { api, createEvent, stack, testVideo, waitForAsset } from './support/api.js';

const abs = (rel: string) => path.join(stack().storageRoot, rel);
let truncatedEvent = '';
let stillEvent = '';

beforeAll(async () => {
  // 4 s at 25 fps, keyframes every 2 s, moov in front: cut to 30% of its bytes, the index
  // still promises 4 s but the packets stop near 1.2 s.
  const full = await testVideo('video-verify/full.mp4', { seconds: 4 });
  const bytes = await readFile(abs(full));
  await writeFile(abs('video-verify/truncated.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.3)));
  truncatedEvent = (await createEvent('video-verify/truncated.mp4')).id;
  await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', abs('video-verify/still.mp4')], {
    timeoutMs: 30_000,
  });
  stillEvent = (await createEvent('video-verify/still.mp4')).id;
});

async function failedClip(eventId: string, name: string, frameAccurate: boolean, start: string) {
  const r = await api('POST', '/api/asset/video/', { name, frameAccurate, clip: { eventId, start, end: '00:00:02' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const done = await waitForAsset(r.body.id, 90_000);
  expect(done.stateString, `a clip was stored at ${done.path}`).toBe('FAILED');
  const reason = String(done.failureReason);
  for (const secret of [stack().storageRoot, stack().dataDir, '/.scratch/', '/tmp/', '/dev/shm/']) expect(reason).not.toContain(secret);
  return reason;
}

describe('VIDEO output verification', () => {
  for (const frameAccurate of [false, true]) {
    const kind = frameAccurate ? 'frame-accurate' : 'keyframe copy';
    it(`fails a ${kind} clip of a truncated MP4, naming where the source ends`, async () => {
      const reason = await failedClip(truncatedEvent, `truncated ${kind}`, frameAccurate, '00:00:00.500');
      expect(reason).toMatch(/^the source's video ends at (0\.\d+|1\.\d+) s, before the requested end 2\.000 s$/);
    }, 120_000);

    it(`fails a ${kind} clip of a PNG named .mp4 as a still image`, async () => {
      // From 0: an exact clip from 0.5 s holds no frame at all, which was refused before.
      const reason = await failedClip(stillEvent, `still ${kind}`, frameAccurate, '00:00:00');
      expect(reason).toBe('the source holds a single picture (a still image?), not video up to the requested end 2.000 s');
    }, 120_000);
  }
});

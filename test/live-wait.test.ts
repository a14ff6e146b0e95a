// Requests that reach past a live window's edge (docs/api.md, Live rules): accepted within
// LIVE_MAX_WAIT_SECONDS, the workflow waits (Temporal timers between playlist reads), then the
// job runs on the window that holds the range; exactness is checked by the frames' grey levels.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { Client, Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { frameLuma } from '../scripts/stack/demo-media.js';
import { createFramesmithClient } from './support/grpc-client.js';
import { api, stack, waitForAsset } from './support/api.js';
import { pidsMatching, until } from './support/hls-server.js';
import { type LiveOrigin, liveSegments, startLiveOrigin } from '../scripts/stack/live-origin.js';
import { expectedLumas, frameLumas, lumaError } from './support/media-check.js';

const level = (n: number) => ((frameLuma(n) - 16) * 255) / 219;
const iso = (ms: number) => new Date(ms).toISOString();
const DIR = 'live-wait/segments';
const abs = (rel: string) => path.join(stack().storageRoot, rel);

let segments: { uri: string; duration: number }[] = [];
let connection: Connection;
let temporal: Client;
const origins: LiveOrigin[] = [];

async function origin(o: { startAt?: number; window?: number; storageFile?: string } = {}) {
  const live = await startLiveOrigin({ dir: abs(DIR), segments, startAt: o.startAt ?? 20, window: o.window ?? 60, storageFile: o.storageFile });
  origins.push(live);
  return live;
}

async function liveEvent(live: LiveOrigin, vodFile?: string): Promise<string> {
  const r = await api('POST', '/api/event/', { title: 'on air', sourceUrl: live.url, ...(vodFile ? { vodFile } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.id;
}

async function grabLevel(url: string) {
  const jpeg = Buffer.from(await (await fetch(url.replace('localhost', '127.0.0.1'))).arrayBuffer());
  return (await sharp(jpeg).stats()).channels[0]!.mean;
}

/** The IMAGE asset completes and shows `frame` (its grey level, within JPEG's error). */
async function expectFrameShown(assetId: string, frame: number, timeoutMs: number) {
  const done = await waitForAsset(assetId, timeoutMs);
  expect(done.stateString, done.failureReason).toBe('COMPLETED');
  expect(Math.abs((await grabLevel(done.url!)) - level(frame))).toBeLessThan(3);
}

beforeAll(async () => {
  segments = await liveSegments(abs(DIR), 150);
  connection = await Connection.connect({ address: stack().temporalAddress });
  temporal = new Client({ connection });
}, 180_000);
afterEach(async () => {
  for (const o of origins.splice(0)) await o.close();
});
afterAll(async () => connection?.close());

describe('live edge waits', () => {
  it('a clip whose end is 10 s past the edge waits (timers in Temporal, detail on the asset), then is exact', async () => {
    const live = await origin();
    const edge = live.edgeMs();
    const start = edge - 4_000;
    const end = edge + 10_000;
    const r = await api('POST', '/api/asset/video/', { name: 'goal', clip: { eventId: await liveEvent(live), start: iso(start), end: iso(end) }, frameAccurate: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.stateString).toBe('GENERATING');
    await until(async () => /waiting for the live edge/.test((await api('GET', `/api/asset/${r.body.id}/`)).body.detail ?? ''), 10_000, 'the wait in the asset detail');
    // The wait is a Temporal timer between playlist reads, not a running activity.
    const timers = async () => (await temporal.workflow.getHandle(r.body.jobId).fetchHistory()).events!.filter((e) => e.timerStartedEventAttributes).length;
    await until(async () => (await timers()) > 0, 5_000, 'a timer in the workflow history');

    const done = await waitForAsset(r.body.id, 60_000);
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
    expect(done.detail).toBeUndefined();
    // Not made before the segment holding the end was published.
    expect(Date.parse(done.dateModified) + 1000).toBeGreaterThanOrEqual(live.publishedAtMs(Math.floor((end - 1 - live.t0) / 1000)));
    const lumas = await frameLumas(abs(done.path));
    expect(lumaError(lumas, expectedLumas(live.frameAt(start), live.frameAt(end) - 1))).toBeLessThan(0.5);
  }, 90_000);

  it('a GIF of the next 6 seconds', async () => {
    const live = await origin();
    const edge = live.edgeMs();
    const r = await api('POST', '/api/asset/gif/', { name: 'next six', fps: 5, width: 80, clip: { eventId: await liveEvent(live), start: iso(edge), end: iso(edge + 6_000) } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitForAsset(r.body.id, 60_000);
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
    const gif = Buffer.from(await (await fetch(done.url.replace('localhost', '127.0.0.1'))).arrayBuffer());
    const meta = await sharp(gif, { pages: -1 }).metadata();
    expect(meta.pages).toBe(30);
    // The first and last GIF frames show the source frames at the start and 5.8 s later.
    const first = (await sharp(gif, { page: 0 }).stats()).channels[0]!.mean;
    const last = (await sharp(gif, { page: 29 }).stats()).channels[0]!.mean;
    const fs = live.frameAt(edge);
    expect(Math.abs(first - level(fs))).toBeLessThan(4);
    expect(Math.abs(last - level(fs + 29 * 5))).toBeLessThan(4);
  }, 90_000);

  it('an IMAGE at a future instant, on a live playlist on storage', async () => {
    const live = await origin({ storageFile: abs(`${DIR}/live.m3u8`) });
    const ev = await api('POST', '/api/event/', { title: 'on air, stored', vodFile: `${DIR}/live.m3u8` });
    const t = live.edgeMs() + 3_520;
    const r = await api('POST', '/api/asset/image/', { eventId: ev.body.id, name: 'soon', time: iso(t) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await expectFrameShown(r.body.id, live.frameAt(t), 60_000);
  }, 90_000);

  it('refuses a time past the horizon with a 400 naming the limit, creating nothing', async () => {
    const live = await origin();
    const r = await api('POST', '/api/asset/image/', { eventId: await liveEvent(live), name: 'too far', time: iso(live.edgeMs() + 400_000) });
    expect(r.status).toBe(400);
    expect(r.body.errorType).toBe('ValidationError');
    expect(r.body.exceptionMessage).toMatch(/past the live edge .*LIVE_MAX_WAIT_SECONDS \(300 s\)/);
  });

  it('refuses a time that has slid out of the window, naming the first available instant', async () => {
    const live = await origin({ startAt: 40, window: 10 });
    const r = await api('POST', '/api/asset/image/', { eventId: await liveEvent(live), name: 'too old', time: iso(live.t0 + 5_000) });
    expect(r.status).toBe(400);
    const first = /first available instant is (\S+)$/.exec(r.body.exceptionMessage)?.[1];
    expect(first, r.body.exceptionMessage).toBeDefined();
    expect(r.body.data.firstAvailable).toBe(first);
    // The window's first segment: 30 s after t0, give or take one publication while asking.
    expect(Math.abs(Date.parse(first!) - (live.t0 + 30_000))).toBeLessThanOrEqual(1_000);
  });

  it('serves a time that slid out of the window from the event’s recording', async () => {
    const live = await origin({ startAt: 40, window: 10 });
    // The recording: the same marked pictures as a file whose creation_time is t0.
    const rec = `live-wait/recording-${live.t0}.mp4`;
    const { runProcess } = await import('@framesmith/core/media/run-process');
    await runProcess('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', abs(`${DIR}/source.mp4`), '-c', 'copy', '-metadata', `creation_time=${iso(live.t0)}`, abs(rec)], { timeoutMs: 60_000 });
    const t = live.t0 + 5_200;
    const r = await api('POST', '/api/asset/image/', { eventId: await liveEvent(live, rec), name: 'catch-up', time: iso(t) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await expectFrameShown(r.body.id, live.frameAt(t), 60_000);
  }, 90_000);

  it('fails with the reason when the stream stalls before reaching the end', async () => {
    const live = await origin();
    const r = await api('POST', '/api/asset/video/', { name: 'stalls', clip: { eventId: await liveEvent(live), start: iso(live.edgeMs() - 2_000), end: iso(live.edgeMs() + 8_000) } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    live.stall();
    const done = await waitForAsset(r.body.id, 30_000);
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/the live stream stalled: no new segment for 3 s \(3 target durations\)/);
  }, 60_000);

  it('WatchAsset shows the wait; deleting the waiting asset cancels it at once', async () => {
    const live = await origin();
    const r = await api('POST', '/api/asset/image/', { eventId: await liveEvent(live), name: 'never', time: iso(live.edgeMs() + 60_000) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Until the wait has read the playlist once: before that the detail says the edge is not read yet.
    await until(async () => /^waiting for the live edge: .* s to go$/.test((await api('GET', `/api/asset/${r.body.id}/`)).body.detail ?? ''), 10_000, 'the wait');
    // A gRPC client following the asset sees why it is still GENERATING.
    const grpc = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    try {
      const update = await new Promise<any>((resolve, reject) => {
        const s = grpc.assets.watchAsset({ id: r.body.id });
        s.on('data', (u: any) => {
          if (u.asset?.detail) {
            resolve(u);
            s.cancel();
          }
        });
        s.on('error', (e: any) => (e.code === 1 ? undefined : reject(e)));
      });
      expect(update.asset.stateString).toBe('GENERATING');
      expect(update.asset.detail).toMatch(/^waiting for the live edge: it is at \S+Z, the request needs \S+Z, [\d.]+ s to go$/);
    } finally {
      grpc.close();
    }
    const deleted = await api('DELETE', `/api/asset/${r.body.id}/`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.cancelledJob).toBe(true);
    const handle = temporal.workflow.getHandle(r.body.jobId);
    await until(async () => (await handle.describe()).status.name === 'CANCELLED', 5_000, 'the workflow cancelled');
    expect((await api('GET', `/api/asset/${r.body.id}/`)).status).toBe(404);
  }, 60_000);

  it('a restart of the orchestrator and the CPU worker during the wait loses nothing', async () => {
    const live = await origin();
    const t = live.edgeMs() + 12_400;
    const r = await api('POST', '/api/asset/image/', { eventId: await liveEvent(live), name: 'survives', time: iso(t) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Until the wait has read the playlist once: before that the detail says the edge is not read yet.
    await until(async () => /^waiting for the live edge: .* s to go$/.test((await api('GET', `/api/asset/${r.body.id}/`)).body.detail ?? ''), 10_000, 'the wait');
    // Only this run's stack (its DATA_DIR), never another process on the machine.
    const ours = async (entry: string) => {
      const pids: number[] = [];
      for (const pid of await pidsMatching(entry)) {
        const env = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
        if (env.split('\0').includes(`DATA_DIR=${stack().dataDir}`)) pids.push(pid);
      }
      return pids;
    };
    const victims = [...(await ours('services/orchestrator/src/main.ts')), ...(await ours('workers/cpu/src/main.ts'))];
    expect(victims.length).toBeGreaterThanOrEqual(2);
    for (const pid of victims) process.kill(pid, 'SIGKILL');
    await until(async () => (await ours('services/orchestrator/src/main.ts')).some((p) => !victims.includes(p)), 20_000, 'a new orchestrator');
    await expectFrameShown(r.body.id, live.frameAt(t), 90_000);
  }, 150_000);
});

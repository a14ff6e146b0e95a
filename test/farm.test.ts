// THE PROOF that nothing needs a shared folder: a dedicated stack on S3 (versitygw) whose
// gateway and orchestrator start without workers, and a CPU and a GPU worker started here with
// their own DATA_DIR, scratch and working directory and no STORAGE_ROOT, so every job runs on
// them. The contract's operations give the same frames as the folder backend's tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, createS3Storage } from '@framesmith/core/storage/s3-storage';
import type { Storage } from '@framesmith/core/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestVideo } from '../scripts/stack/demo-media.js';
import { freePort } from '../scripts/stack/free-port.js';
import { type S3Server, startS3Server } from '../scripts/stack/s3-server.js';
import { type Stack, startStack } from '../scripts/stack/start-stack.js';
import { expectedLumas, frameLumas, lumaError, makeHls, probeFile } from './support/media-check.js';

const ROOT = path.resolve(import.meta.dirname, '..');
let dir: string;
let server: S3Server;
let stack: Stack;
let client: S3Client;
let storage: Storage;
const workers: ChildProcess[] = [];
let mp4Event = '';
let hlsEvent = '';

async function api(method: string, route: string, body?: unknown) {
  const res = await fetch(`${stack.restUrl}${route}`, {
    method,
    headers: { 'API-KEY': 'farm-key', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function done(r: { status: number; body: any }, timeoutMs = 120_000): Promise<any> {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await api('GET', `/api/asset/${r.body.id}/`);
    if (a.body.stateString !== 'GENERATING') return a.body;
    if (Date.now() > deadline) throw new Error(`asset ${r.body.id} still GENERATING`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Downloads an object to a local file for the frame checks. */
async function download(rel: string): Promise<string> {
  const file = path.join(dir, 'downloads', rel);
  await mkdir(path.dirname(file), { recursive: true });
  const chunks: Buffer[] = [];
  for await (const c of await storage.read(rel)) chunks.push(c as Buffer);
  await writeFile(file, Buffer.concat(chunks));
  return file;
}

/** A worker as a farm node would run it: its own folders and cwd, S3 settings, no STORAGE_ROOT. */
async function startWorker(kind: 'cpu' | 'gpu'): Promise<void> {
  const home = path.join(dir, `node-${kind}`);
  await mkdir(home, { recursive: true });
  const metricsPort = await freePort();
  const env: Record<string, string> = { ...stack.env, DATA_DIR: path.join(home, 'data'), SCRATCH_DIR: path.join(home, 'scratch'), METRICS_PORT: String(metricsPort), TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json') };
  delete env.STORAGE_ROOT;
  const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, path.join(ROOT, `workers/${kind}/src/main.ts`)], { cwd: home, env, stdio: ['ignore', 'ignore', 'inherit'] });
  workers.push(child);
  const deadline = Date.now() + 240_000;
  while (!(await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the ${kind} worker did not become ready`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'framesmith-farm-'));
  server = await startS3Server({ dir: path.join(dir, 's3') });
  await server.createBucket('farm');
  stack = await startStack({
    env: { DATA_DIR: path.join(dir, 'stack'), PORT: String(await freePort()), API_KEYS: 'farm-key', SMART_CUT_MIN_COPIED_PIXELS: '0', ...server.envFor('farm', 'media') },
    components: ['gateway', 'orchestrator'],
    log: false,
  });
  expect(stack.env.STORAGE_ROOT).toBeUndefined();
  const cfg = { bucket: 'farm', prefix: 'media', endpoint: server.endpoint, region: server.region, forcePathStyle: true, presignSeconds: 600 };
  client = createS3Client(cfg, { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
  storage = createS3Storage(cfg, path.join(dir, 'scratch'), client);
  // Sources are made here and uploaded: the only copy is in the bucket.
  const local = path.join(dir, 'sources');
  await mkdir(local, { recursive: true });
  await makeTestVideo('ffmpeg', path.join(local, 'vod.mp4'), { seconds: 12, fps: 25, width: 320, height: 180, gop: 50, audio: true });
  await makeHls(path.join(local, 'vod.mp4'), path.join(local, 'hls'));
  await storage.putFile('ev/vod.mp4', path.join(local, 'vod.mp4'));
  for (const f of await readdir(path.join(local, 'hls'))) await storage.putFile(`hls/${f}`, path.join(local, 'hls', f));
  await Promise.all([startWorker('cpu'), startWorker('gpu')]);
  mp4Event = (await api('POST', '/api/event/', { title: 'farm mp4', vodFile: 'ev/vod.mp4' })).body.id;
  hlsEvent = (await api('POST', '/api/event/', { title: 'farm hls', vodFile: 'hls/index.m3u8' })).body.id;
}, 600_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGTERM');
  await stack?.stop();
  client?.destroy();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a farm with no shared folder (S3)', () => {
  const ids: Record<string, string> = {};

  it('IMAGE from MP4 and HLS: the frame on screen, published to the bucket', async () => {
    for (const [event, key] of [[mp4Event, 'mp4'], [hlsEvent, 'hls']] as const) {
      const a = await done(await api('POST', '/api/asset/image/', { eventId: event, name: `Frame ${key}`, time: '00:00:05.500' }));
      expect(a.stateString, a.failureReason).toBe('COMPLETED');
      ids[`image-${key}`] = a.id;
      const file = await download(a.path);
      // 00:00:05.500 shows frame 137 (the folder backend's image test).
      expect(lumaError(await frameLumas(file), expectedLumas(137, 137))).toBeLessThan(2);
    }
  });

  it('GIF: frames from the bucket, the GIF back in it', async () => {
    const a = await done(await api('POST', '/api/asset/gif/', { name: 'Farm gif', fps: 10, clip: { eventId: mp4Event, start: '00:00:02', end: '00:00:03' } }));
    expect(a.stateString, a.failureReason).toBe('COMPLETED');
    ids.gif = a.id;
    expect((await storage.stat(a.path))!.size).toBeGreaterThan(100);
  });

  it('VIDEO frame-accurate (MP4) and keyframe (HLS): the same frames as on the folder', async () => {
    const exact = await done(await api('POST', '/api/asset/video/', { name: 'Farm exact', clip: { eventId: mp4Event, start: '00:00:03.130', end: '00:00:07.410' }, frameAccurate: true }));
    expect(exact.stateString, exact.failureReason).toBe('COMPLETED');
    expect(lumaError(await frameLumas(await download(exact.path)), expectedLumas(79, 185))).toBeLessThan(0.5);
    const key = await done(await api('POST', '/api/asset/video/', { name: 'Farm keyframe', clip: { eventId: hlsEvent, start: '00:00:02', end: '00:00:06' }, frameAccurate: false }));
    expect(key.stateString, key.failureReason).toBe('COMPLETED');
    const probed = await probeFile(await download(key.path));
    expect(probed.duration).toBeGreaterThan(3.5);
    ids.exact = exact.id;
    ids.keyframe = key.id;
  });

  it('rename, list, sync, delete and bulk delete work on the bucket', async () => {
    const renamed = await api('PUT', `/api/asset/${ids['image-mp4']}/?name=Renamed`);
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed');
    const listed = await api('GET', `/api/asset/?eventId=${mp4Event}`);
    expect(listed.body.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([ids['image-mp4'], ids.gif, ids.exact]));

    const extra = path.join(dir, 'extra.jpg');
    await writeFile(extra, 'not really a jpeg');
    await storage.putFile('ev/extra.jpg', extra);
    const synced = await api('PUT', `/api/asset/sync/${mp4Event}`);
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ pathEvaluated: 'ev', deletedAssetsCount: 0 });
    const system = (await api('GET', `/api/asset/?eventId=${mp4Event}&types=SYSTEM`)).body.map((a: { path: string }) => a.path);
    expect(system).toEqual(expect.arrayContaining(['ev/extra.jpg']));

    const image = (await api('GET', `/api/asset/${ids['image-mp4']}/`)).body;
    expect((await api('DELETE', `/api/asset/${image.id}`)).status).toBe(200);
    expect(await storage.stat(image.path)).toBeNull();

    const gifPath = (await api('GET', `/api/asset/${ids.gif}/`)).body.path;
    expect((await api('DELETE', `/api/asset/?eventId=${mp4Event}`)).status).toBe(200);
    expect(await storage.stat(gifPath)).toBeNull();
    expect(await storage.stat('ev/extra.jpg')).not.toBeNull(); // SYSTEM files stay
  });

  it('bad source keys fail as on the folder: .. and absolute refused, a missing key FAILED', async () => {
    for (const vodFile of ['../outside.mp4', '/etc/passwd']) {
      const r = await api('POST', '/api/event/', { title: 'bad', vodFile });
      expect(r.status, vodFile).toBe(400);
    }
    const missing = (await api('POST', '/api/event/', { title: 'missing', vodFile: 'ev/missing.mp4' })).body.id;
    const a = await done(await api('POST', '/api/asset/image/', { eventId: missing, name: 'Missing', time: '00:00:01' }));
    expect(a.stateString).toBe('FAILED');
    expect(a.failureReason).toMatch(/ev\/missing\.mp4 does not exist/);
  });

  it('S3 down: requests get 503 naming the bucket, /readyz says why, nothing is written', async () => {
    const before = (await api('GET', `/api/asset/?eventId=${hlsEvent}`)).body.length;
    await server.kill();
    try {
      await new Promise((r) => setTimeout(r, 5_500)); // past the inspector's cached bucket check
      const r = await api('POST', '/api/asset/image/', { eventId: hlsEvent, name: 'During outage', time: '00:00:01' });
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ errorType: 'Unavailable', exceptionMessage: expect.stringMatching(/storage is unavailable: .*bucket farm/) });
      const ready = await fetch(`${stack.restUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/storage is unavailable: .*bucket farm/);
      expect((await api('GET', `/api/asset/?eventId=${hlsEvent}`)).body.length).toBe(before);
    } finally {
      await server.restart();
    }
  });

  it('S3 stopped while a job runs and restarted: COMPLETED with its object, or FAILED without one', async () => {
    await new Promise((r) => setTimeout(r, 5_500));
    const r = await api('POST', '/api/asset/video/', { name: 'Outage clip', clip: { eventId: mp4Event, start: '00:00:01', end: '00:00:09' }, frameAccurate: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Stopped at once, so the outage overlaps the job however fast this machine is.
    await server.kill();
    expect((await api('GET', `/api/asset/${r.body.id}/`)).body.stateString).toBe('GENERATING');
    await new Promise((res) => setTimeout(res, 4_000));
    await server.restart();
    const a = await done(r, 300_000);
    const object = await storage.stat(a.path);
    if (a.stateString === 'COMPLETED') {
      expect(object).not.toBeNull();
      expect(lumaError(await frameLumas(await download(a.path)), expectedLumas(25, 224))).toBeLessThan(0.5);
    } else {
      expect(a.stateString).toBe('FAILED');
      expect(object).toBeNull();
    }
  }, 320_000);
});

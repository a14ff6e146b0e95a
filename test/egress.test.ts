// SSRF: nothing the system fetches may reach an address the egress policy refuses, in any
// notation, through a playlist, or through a redirect; and a failure reason says what failed in
// our words, not the remote service's. The stack allows 127.0.0.1 only (OUTBOUND_ALLOW in
// global-setup.ts); a canary listens on 127.0.0.2 (all of 127/8 is loopback on Linux) and
// counts every connection: it must see none.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, stack, testVideo, waitForAsset } from './support/api.js';
import { makeHls } from './support/media-check.js';

const abs = (rel: string) => path.join(stack().storageRoot, rel);

let canary: TcpServer;
let canaryPort = 0;
let canaryHits = 0;
let origin: Server;
let base = '';
let hlsDir = '';
let vodFile = '';

// The remote's own words in a 401: none of them may reach the failure reason.
const REMOTE_PHRASE = 'Vault-Realm-7f3a';
const REMOTE_BODY = 'db_password=hunter2 internal-admin-panel';

beforeAll(async () => {
  canary = createTcpServer((socket) => {
    canaryHits++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.2', resolve));
  canaryPort = (canary.address() as AddressInfo).port;

  vodFile = await testVideo('egress-src/vod.mp4');
  hlsDir = path.join(stack().dataDir, 'egress-hls');
  await makeHls(abs(vodFile), hlsDir);
  const index = await readFile(path.join(hlsDir, 'index.m3u8'), 'utf8');
  const canaryUrl = `http://127.0.0.2:${canaryPort}`;

  origin = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const playlist = (text: string) => res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(text);
    if (url.pathname === '/cross/index.m3u8') return playlist(index.replace(/^(seg\d+\.ts)$/gm, `${canaryUrl}/$1`));
    // Same-origin segment URIs, one of which redirects to the canary.
    if (url.pathname === '/seg-redirect/index.m3u8') return playlist(index.replace('seg001.ts', '/redirect/seg001.ts'));
    if (url.pathname.startsWith('/redirect/')) return res.writeHead(302, { location: `${canaryUrl}/${path.basename(url.pathname)}` }).end();
    if (url.pathname === '/secret/vod.mp4') {
      res.writeHead(401, REMOTE_PHRASE, { 'www-authenticate': `Basic realm="${REMOTE_PHRASE}"`, 'content-type': 'text/plain' });
      return res.end(REMOTE_BODY);
    }
    const file = url.pathname === '/good/vod.mp4' ? abs(vodFile) : url.pathname.startsWith('/seg-redirect/') ? path.join(hlsDir, path.basename(url.pathname)) : null;
    if (!file) return res.writeHead(404).end();
    const body = await readFile(file).catch(() => null);
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.ts') ? 'video/mp2t' : 'video/mp4' }).end(body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => origin?.close(() => resolve()));
  await new Promise<void>((resolve) => canary?.close(() => resolve()));
});

async function imageFrom(sourceUrl: string, time = '00:00:03') {
  const ev = await api('POST', '/api/event/', { title: 'egress', sourceUrl });
  expect(ev.status, JSON.stringify(ev.body)).toBe(200);
  const r = await api('POST', '/api/asset/image/', { eventId: ev.body.id, name: 'egress frame', time });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return waitForAsset(r.body.id, 120_000);
}

describe('event sourceUrls the egress policy refuses', () => {
  const refused = () => [
    `http://127.0.0.2:${canaryPort}/`,
    `http://2130706434:${canaryPort}/`,
    `http://0x7f000002:${canaryPort}/`,
    `http://0177.0.0.2:${canaryPort}/`,
    `http://127.2:${canaryPort}/`,
    `http://[::ffff:127.0.0.2]:${canaryPort}/`,
    `http://[::1]:${canaryPort}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost/x.m3u8',
  ];

  it('are refused with 400 naming sourceUrl, on create and on update, and nothing is written', async () => {
    const events = await countRows('events');
    for (const sourceUrl of refused()) {
      const r = await api('POST', '/api/event/', { title: 'ssrf', sourceUrl });
      expect(r.status, `${sourceUrl}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.errorType).toBe('ValidationError');
      expect(r.body.exceptionMessage).toMatch(/^Unable to .*sourceUrl is not allowed/);
      expect(r.body.data).toMatchObject({ field: 'sourceUrl' });
    }
    expect(await countRows('events')).toBe(events);

    const ok = await api('POST', '/api/event/', { title: 'allowed origin', sourceUrl: `${base}/good/vod.mp4` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    for (const sourceUrl of refused()) {
      const r = await api('PATCH', `/api/event/${ok.body.id}`, { sourceUrl });
      expect(r.status, `${sourceUrl}: ${JSON.stringify(r.body)}`).toBe(400);
    }
    expect((await api('GET', `/api/event/${ok.body.id}`)).body.sourceUrl).toBe(`${base}/good/vod.mp4`);
    expect(canaryHits).toBe(0);
  });
});

// Each test waits up to 120 s for its asset (imageFrom): the timeout leaves room past that wait.
describe('what ffmpeg and the playlist reader may reach', { timeout: 150_000 }, () => {
  it('reads an allowed origin through the checking proxy (the control)', async () => {
    const done = await imageFrom(`${base}/good/vod.mp4`);
    expect(done.stateString, done.failureReason).toBe('COMPLETED');
  });

  it('fails a playlist on an allowed origin whose segments are on a refused address, without contacting it', async () => {
    const done = await imageFrom(`${base}/cross/index.m3u8`);
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/the playlist refers to a location it may not use/);
    expect(canaryHits).toBe(0);
  });

  it('refuses a redirect of the source itself to a refused address', async () => {
    const done = await imageFrom(`${base}/redirect/vod.mp4`);
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/the source refers to an address that is not allowed: .*127\.0\.0\.2/);
    expect(canaryHits).toBe(0);
  });

  it('refuses a playlist that redirects to a refused address', async () => {
    const done = await imageFrom(`${base}/redirect/index.m3u8`);
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/the playlist .*redirect \(HTTP 302\), which is not followed/);
    expect(canaryHits).toBe(0);
  });

  it('refuses a segment that redirects to a refused address, and fails the asset', async () => {
    const done = await imageFrom(`${base}/seg-redirect/index.m3u8`, '00:00:03');
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/not allowed: .*127\.0\.0\.2/);
    expect(canaryHits).toBe(0);
    // The guard runs before the output is published: nothing is left under the FAILED asset.
    expect(existsSync(abs(done.path))).toBe(false);
  });
});

describe('failure reasons', { timeout: 150_000 }, () => {
  it("say which status an origin answered, not the origin's words", async () => {
    const done = await imageFrom(`${base}/secret/vod.mp4`);
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/the source answered HTTP 401/);
    for (const remote of [REMOTE_PHRASE, 'hunter2', 'internal-admin', 'Server returned']) expect(done.failureReason).not.toContain(remote);
  });

  it('show no absolute server path', async () => {
    const rel = 'egress-bad/not-video.mp4';
    await testVideo('egress-bad/keep.mp4'); // makes the folder
    await writeFile(abs(rel), 'this is not a video\n'.repeat(100));
    const ev = await api('POST', '/api/event/', { title: 'bad file', vodFile: rel });
    expect(ev.status, JSON.stringify(ev.body)).toBe(200);
    const r = await api('POST', '/api/asset/image/', { eventId: ev.body.id, name: 'bad', time: '00:00:01' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const done = await waitForAsset(r.body.id, 120_000);
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).not.toContain(stack().dataDir);
    expect(done.failureReason).not.toMatch(/(^|[\s'"(])\/(tmp|home|root|var|srv)\//);
  });
});

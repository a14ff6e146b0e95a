// /content serves only assets' finished files, never another file under storage, never a VOD
// master unless CONTENT_SERVE_VOD, and never a symlink out of the storage root. A stack of its
// own (folder backend), so files can be planted next to the assets.
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentExpiry, signedContentUrl } from '@framesmith/core/domain/content-signature';
import { makeTestVideo } from '../scripts/stack/demo-media.js';
import { freePort } from '../scripts/stack/free-port.js';
import { type Stack, startStack } from '../scripts/stack/start-stack.js';

let dir: string;
let stack: Stack;
let root: string;

async function api(method: string, route: string, body?: unknown) {
  const res = await fetch(`${stack.restUrl}${route}`, {
    method,
    headers: { 'API-KEY': 'content-key', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const SECRET = 'content-secret';
/** A correctly signed URL, so the refusals below are about the file, not the signature. */
const content = (rel: string) => fetch(signedContentUrl(`${stack.restUrl}/content/${rel}`, SECRET, rel, contentExpiry(Date.now(), 3600)));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'framesmith-content-'));
  stack = await startStack({ env: { DATA_DIR: dir, PORT: String(await freePort()), API_KEYS: 'content-key', CONTENT_SIGNING_SECRET: SECRET }, components: ['gateway', 'orchestrator', 'worker-cpu'], log: false });
  root = stack.config.storageRoot;
  await mkdir(path.join(root, 'c'), { recursive: true });
  await makeTestVideo('ffmpeg', path.join(root, 'c', 'vod.mp4'), { seconds: 4, fps: 25, width: 320, height: 180, gop: 50, audio: false });
}, 600_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('/content', () => {
  it("serves an asset's file, and nothing else under storage", async () => {
    const eventId = (await api('POST', '/api/event/', { title: 'content', vodFile: 'c/vod.mp4' })).body.id;
    const created = await api('POST', '/api/asset/image/', { eventId, name: 'Shown', time: '00:00:01' });
    let asset = created.body;
    while (asset.stateString === 'GENERATING') {
      await new Promise((r) => setTimeout(r, 250));
      asset = (await api('GET', `/api/asset/${asset.id}/`)).body;
    }
    expect(asset.stateString, asset.failureReason).toBe('COMPLETED');
    // The API hands out a signed URL that works as it is.
    expect(asset.url).toMatch(/\?expires=\d+&signature=[0-9a-f]{64}$/);
    const ok = await fetch(asset.url.replace(/^http:\/\/localhost:/, 'http://127.0.0.1:'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    // Without a signature, with another path's signature, or expired: refused.
    const bare = `${stack.restUrl}/content/${asset.path}`;
    expect((await fetch(bare)).status).toBe(403);
    const other = signedContentUrl(bare, SECRET, 'c/other.jpg', contentExpiry(Date.now(), 3600));
    expect((await fetch(other)).status).toBe(403);
    expect((await fetch(signedContentUrl(bare, SECRET, asset.path, Math.floor(Date.now() / 1000) - 1))).status).toBe(403);

    await writeFile(path.join(root, 'c', 'not-an-asset.jpg'), 'x');
    expect((await content('c/not-an-asset.jpg')).status).toBe(404);
    // The VOD master is not an asset: served only with CONTENT_SERVE_VOD=true.
    expect((await content('c/vod.mp4')).status).toBe(404);

    // An asset whose file became a link to /etc/passwd: the link is not followed.
    await symlink('/etc/passwd', path.join(root, 'c', 'passwd.jpg'));
    expect((await content('c/passwd.jpg')).status).toBe(404);
    await unlink(path.join(root, asset.path));
    await symlink('/etc/passwd', path.join(root, asset.path));
    const leaked = await content(asset.path);
    expect(leaked.status).toBe(404);
    expect(await leaked.text()).not.toMatch(/root:/);
  }, 120_000);
});

// The REST contract (docs/api.md) over real HTTP against the running stack.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, countRows, createEvent, db, stack, testVideo, waitForAsset } from './support/api.js';
import { workflowCountAfterSentinel } from './support/workflow-visibility.js';

const errorShape = (errorType: string) => ({ exceptionType: expect.any(String), exceptionMessage: expect.stringMatching(/^Unable to /), errorType, data: expect.any(Object) });

describe('REST contract', () => {
  let eventId = '';
  beforeAll(async () => {
    // Long enough for the seed's example times (00:00:46 → 00:00:52).
    const vod = await testVideo('contract/vod.mp4', { seconds: 60, width: 160, height: 90 });
    eventId = (await createEvent(vod, { contentId: 'content-contract' })).id;
  });

  describe('the seed example bodies', () => {
    it('POST /api/asset/gif/ with the seed body', async () => {
      const body = { clip: { eventId, start: '00:00:46', end: '00:00:52' }, name: 'Example GIF', fps: 18, height: null, width: null, playbackRepeats: 0, reverse: false, playbackSpeed: 1.0 };
      const r = await api('POST', '/api/asset/gif/', body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ eventId, name: 'Example GIF', type: 3, typeString: 'GIF', state: 0, stateString: 'GENERATING', extension: 'gif', contentId: 'content-contract', path: 'contract/example-gif.gif' });
    });
    it('POST /api/asset/video/ with the seed body', async () => {
      const body = { clip: { eventId, start: '00:00:46', end: '00:00:52', filter: null }, name: 'Example Video', mezzanine: false, frameAccurate: false, copyTs: false, priority: null, filename: null };
      const r = await api('POST', '/api/asset/video/', body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ type: 2, typeString: 'VIDEO', extension: 'mp4', path: 'contract/example-video.mp4' });
      expect(r.body.jobId).toBe(`video-${r.body.id}`);
    });
    it('POST /api/asset/image/ with the seed body', async () => {
      const body = { eventId, name: 'JPEG from 5 seconds in', time: '00:00:05', priority: null, filename: null };
      const r = await api('POST', '/api/asset/image/', body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ type: 1, typeString: 'IMAGE', path: 'contract/jpeg-from-5-seconds-in.jpg' });
      const done = await waitForAsset(r.body.id);
      expect(done.stateString).toBe('COMPLETED');
    });
  });

  describe('platform rules', () => {
    it('accepts X-Auth-Key as well as API-KEY and echoes X-Transaction-ID', async () => {
      const r = await api('GET', '/api/asset/?pageIndex=0', undefined, { 'API-KEY': '', 'X-Auth-Key': 'second-key', 'X-Transaction-ID': 'txn-42' });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-transaction-id')).toBe('txn-42');
      const denied = await api('GET', '/api/asset/', undefined, { 'API-KEY': '', 'X-Transaction-ID': 'txn-43' });
      expect(denied.status).toBe(401);
      expect(denied.body).toEqual(errorShape('Unauthorized'));
      expect(denied.headers.get('x-transaction-id')).toBe('txn-43');
    });
    it('serves routes only under /api/, with or without the trailing slash', async () => {
      expect((await api('GET', '/asset/')).status).toBe(404);
      expect((await api('GET', '/api/asset')).status).toBe(200);
      expect((await api('GET', '/api/asset/')).status).toBe(200);
      expect((await api('GET', `/api/event/${eventId}`)).status).toBe(200);
      expect((await api('GET', `/api/event/${eventId}/`)).status).toBe(200);
      const unknown = await api('GET', '/api/nothing-here');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(errorShape('RouteNotFound'));
      const method = await api('PATCH', '/api/asset/');
      expect(method.status).toBe(405);
      expect(method.body).toEqual(errorShape('MethodNotAllowed'));
    });
    it('limits the request body size and requires JSON', async () => {
      const before = await countRows('assets');
      const big = await api('POST', '/api/asset/image/', { eventId, name: 'x'.repeat(100_000), time: '00:00:01' });
      expect(big.status).toBe(413);
      expect(big.body).toEqual(errorShape('PayloadTooLarge'));
      const form = await api('POST', '/api/asset/image/', 'eventId=1', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(415);
      expect(await countRows('assets')).toBe(before);
    });
  });

  describe('validation: every rejected request writes nothing', () => {
    const gif = (over: Record<string, unknown>, clipOver: Record<string, unknown> = {}) => ({ clip: { eventId, start: '00:00:01', end: '00:00:03', ...clipOver }, name: 'g', ...over });
    const video = (over: Record<string, unknown>, clipOver: Record<string, unknown> = {}) => ({ clip: { eventId, start: '00:00:01', end: '00:00:03', ...clipOver }, name: 'v', ...over });
    const cases: [string, string, string, () => unknown, number, string][] = [
      ['gif without clip', 'POST', '/api/asset/gif/', () => ({ name: 'g' }), 400, 'ValidationError'],
      ['gif end before start', 'POST', '/api/asset/gif/', () => gif({}, { start: '00:00:05', end: '00:00:04' }), 400, 'ValidationError'],
      ['gif end equal start', 'POST', '/api/asset/gif/', () => gif({}, { start: '00:00:05', end: '00:00:05' }), 400, 'ValidationError'],
      ['gif too long', 'POST', '/api/asset/gif/', () => gif({}, { start: '00:00:01', end: '00:00:59' }), 400, 'ValidationError'],
      ['gif beyond the media', 'POST', '/api/asset/gif/', () => gif({}, { start: '00:00:58', end: '00:01:05' }), 400, 'ValidationError'],
      ['gif fps 0', 'POST', '/api/asset/gif/', () => gif({ fps: 0 }), 400, 'ValidationError'],
      ['gif fps not integer', 'POST', '/api/asset/gif/', () => gif({ fps: 12.5 }), 400, 'ValidationError'],
      ['gif fps as string', 'POST', '/api/asset/gif/', () => gif({ fps: '18' }), 400, 'ValidationError'],
      ['gif width too large', 'POST', '/api/asset/gif/', () => gif({ width: 99999 }), 400, 'ValidationError'],
      ['gif negative height', 'POST', '/api/asset/gif/', () => gif({ height: -5 }), 400, 'ValidationError'],
      ['gif playbackRepeats -2', 'POST', '/api/asset/gif/', () => gif({ playbackRepeats: -2 }), 400, 'ValidationError'],
      ['gif playbackSpeed negative', 'POST', '/api/asset/gif/', () => gif({ playbackSpeed: -1 }), 400, 'ValidationError'],
      ['gif slow motion past the frame limit', 'POST', '/api/asset/gif/', () => gif({ playbackSpeed: 0.01 }), 400, 'ValidationError'],
      ['gif height whose kept aspect is too wide', 'POST', '/api/asset/gif/', () => gif({ height: 1900 }), 400, 'ValidationError'],
      ['gif reverse not boolean', 'POST', '/api/asset/gif/', () => gif({ reverse: 'yes' }), 400, 'ValidationError'],
      ['gif priority 0', 'POST', '/api/asset/gif/', () => gif({ priority: 0 }), 400, 'ValidationError'],
      ['gif eventId not a GUID', 'POST', '/api/asset/gif/', () => gif({}, { eventId: 'abc' }), 400, 'ValidationError'],
      ['gif unknown event', 'POST', '/api/asset/gif/', () => gif({}, { eventId: randomUUID() }), 404, 'EventNotFound'],
      ['gif filename with separator', 'POST', '/api/asset/gif/', () => gif({ filename: 'a/b' }), 400, 'ValidationError'],
      ['gif filename with NUL', 'POST', '/api/asset/gif/', () => gif({ filename: 'a\u0000b' }), 400, 'ValidationError'],
      ['video filter does not parse', 'POST', '/api/asset/video/', () => video({}, { filter: '(type=="video"&&' }), 400, 'ValidationError'],
      ['video filter selects nothing', 'POST', '/api/asset/video/', () => video({}, { filter: 'type=="video"&&DisplayHeight==576' }), 400, 'ValidationError'],
      ['video mezzanine as string', 'POST', '/api/asset/video/', () => video({ mezzanine: 'true' }), 400, 'ValidationError'],
      ['video too long', 'POST', '/api/asset/video/', () => video({}, { start: '00:00:00', end: '99:00:00' }), 400, 'ValidationError'],
      ['video mixed time kinds', 'POST', '/api/asset/video/', () => video({}, { end: '2026-11-26T21:09:21Z' }), 400, 'ValidationError'],
      ['image missing time', 'POST', '/api/asset/image/', () => ({ eventId, name: 'x' }), 400, 'ValidationError'],
      ['image name too long', 'POST', '/api/asset/image/', () => ({ eventId, name: 'n'.repeat(300), time: '00:00:01' }), 400, 'ValidationError'],
      ['event without source', 'POST', '/api/event/', () => ({ title: 'x' }), 400, 'ValidationError'],
      ['event vodFile escaping the root', 'POST', '/api/event/', () => ({ title: 'x', vodFile: '../../etc/passwd.mp4' }), 400, 'ValidationError'],
      ['event vodFile absolute', 'POST', '/api/event/', () => ({ title: 'x', vodFile: '/etc/x.mp4' }), 400, 'ValidationError'],
      ['event sourceUrl file scheme', 'POST', '/api/event/', () => ({ title: 'x', sourceUrl: 'file:///etc/passwd' }), 400, 'ValidationError'],
      ['event unknown vuflow', 'POST', '/api/event/', () => ({ title: 'x', vodFile: 'a/b.mp4', vuflowId: randomUUID() }), 404, 'VuflowNotFound'],
      ['vuflow without storageUrlPublic', 'POST', '/api/vuflow/', () => ({ name: 'x', configurationJson: {} }), 400, 'ValidationError'],
    ];
    for (const [what, method, route, body, status, errorType] of cases) {
      it(what, async () => {
        const before = await Promise.all([countRows('assets'), countRows('events'), countRows('vuflows')]);
        const r = await api(method, route, body());
        expect(r.status, JSON.stringify(r.body)).toBe(status);
        expect(r.body).toEqual(errorShape(errorType));
        expect(await Promise.all([countRows('assets'), countRows('events'), countRows('vuflows')])).toEqual(before);
      });
    }
    it('bad query parameters', async () => {
      for (const q of ['pageIndex=-1', 'pageIndex=abc', 'states=DONE', 'types=7', 'eventId=nope', 'noCache=maybe']) {
        const r = await api('GET', `/api/asset/?${q}`);
        expect(r.status, q).toBe(400);
        expect(r.body).toEqual(errorShape('ValidationError'));
      }
      expect((await api('GET', '/api/asset/not-a-guid')).body).toEqual(errorShape('ValidationError'));
      expect((await api('GET', `/api/asset/${randomUUID()}`)).body).toEqual(errorShape('AssetNotFound'));
    });
  });

  describe('list, rename, delete, sync', () => {
    let ev = '';
    let folder = '';
    beforeAll(async () => {
      folder = 'listing';
      const vod = await testVideo(`${folder}/vod.mp4`, { seconds: 4 });
      ev = (await createEvent(vod, { contentId: 'content-listing' })).id;
      // 104 files: sync turns them (and the VOD file) into SYSTEM assets, enough for two pages.
      for (let i = 0; i < 104; i++) {
        await writeFile(path.join(stack().storageRoot, folder, `thumb_${String(i).padStart(3, '0')}${i % 2 ? '_sprite.jpg' : '.png'}`), `file ${i}`);
      }
    });

    it('sync creates SYSTEM assets for files without one and reports counts', async () => {
      const r = await api('PUT', `/api/asset/sync/${ev}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toEqual({ hasVodFileChanged: false, createdAssetsCount: 105, deletedAssetsCount: 0, pathEvaluated: folder });
      const again = await api('PUT', `/api/asset/sync/${ev}/`);
      expect(again.body).toEqual({ hasVodFileChanged: false, createdAssetsCount: 0, deletedAssetsCount: 0, pathEvaluated: folder });
    });

    it('pages of 100 in a stable order', async () => {
      const p0 = await api('GET', `/api/asset/?eventId=${ev}`);
      const p1 = await api('GET', `/api/asset/?eventId=${ev}&pageIndex=1`);
      const p2 = await api('GET', `/api/asset/?eventId=${ev}&pageIndex=2`);
      expect(p0.body).toHaveLength(100);
      expect(p1.body).toHaveLength(5);
      expect(p2.body).toEqual([]);
      const ids = [...p0.body, ...p1.body].map((a: any) => a.id);
      expect(new Set(ids).size).toBe(105);
      const again = await api('GET', `/api/asset/?eventId=${ev}&noCache=true`);
      expect(again.body.map((a: any) => a.id)).toEqual(p0.body.map((a: any) => a.id));
      for (const a of p0.body) expect(a).toMatchObject({ type: 0, typeString: 'SYSTEM', state: 1, stateString: 'COMPLETED', contentId: 'content-listing' });
      expect(p0.body[0].url).toMatch(/^http:\/\/localhost:\d+\/content\/listing\//);
    });

    it('filters combine with AND; extensions match as suffixes; lists are comma-separated', async () => {
      const sprites = await api('GET', `/api/asset/?eventId=${ev}&extensions=_sprite.jpg`);
      expect(sprites.body).toHaveLength(52);
      const both = await api('GET', `/api/asset/?eventId=${ev}&extensions=_sprite.jpg,.mp4&pageIndex=0`);
      expect(both.body).toHaveLength(53);
      expect((await api('GET', `/api/asset/?eventId=${ev}&types=SYSTEM,IMAGE&states=COMPLETED`)).body).toHaveLength(100);
      expect((await api('GET', `/api/asset/?eventId=${ev}&types=3`)).body).toEqual([]);
      expect((await api('GET', `/api/asset/?eventId=${ev}&name=thumb_000.png`)).body).toHaveLength(1);
      expect((await api('GET', `/api/asset/?contentId=content-listing&name=thumb_000.png`)).body).toHaveLength(1);
      expect((await api('GET', `/api/asset/?contentId=other&name=thumb_000.png`)).body).toEqual([]);
    });

    it('rename changes name and dateModified only, and the next read sees it without noCache', async () => {
      const img = await api('POST', '/api/asset/image/', { eventId: ev, name: 'to rename', time: '00:00:01' });
      const done = await waitForAsset(img.body.id);
      await new Promise((r) => setTimeout(r, 1100));
      const r = await api('PUT', `/api/asset/${done.id}/?name=${encodeURIComponent('New name')}`);
      expect(r.status).toBe(200);
      const { name, dateModified, ...rest } = r.body;
      const { name: oldName, dateModified: oldModified, ...oldRest } = done;
      expect(name).toBe('New name');
      expect(oldName).toBe('to rename');
      expect(Date.parse(dateModified)).toBeGreaterThan(Date.parse(oldModified));
      expect(rest).toEqual(oldRest);
      expect((await api('GET', `/api/asset/${done.id}`)).body.name).toBe('New name');
      expect((await api('GET', `/api/asset/?jobId=${done.jobId}`)).body.map((a: any) => a.id)).toEqual([done.id]);
      const missing = await api('PUT', `/api/asset/${done.id}/`);
      expect(missing.status).toBe(400);
      expect((await api('PUT', `/api/asset/${randomUUID()}/?name=x`)).body).toEqual(errorShape('AssetNotFound'));
    });

    it('DELETE /api/asset/{id} removes the file; SYSTEM assets are refused', async () => {
      const img = await api('POST', '/api/asset/image/', { eventId: ev, name: 'to delete', time: '00:00:01' });
      const done = await waitForAsset(img.body.id);
      const file = path.join(stack().storageRoot, done.path);
      expect(existsSync(file)).toBe(true);
      const del = await api('DELETE', `/api/asset/${done.id}`);
      expect(del.status).toBe(200);
      expect(existsSync(file)).toBe(false);
      expect((await api('GET', `/api/asset/${done.id}`)).status).toBe(404);
      const system = (await api('GET', `/api/asset/?eventId=${ev}&types=SYSTEM`)).body[0];
      const refused = await api('DELETE', `/api/asset/${system.id}/`);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(errorShape('SystemAssetProtected'));
      expect((await api('GET', `/api/asset/${system.id}`)).status).toBe(200);
    });

    it('bulk DELETE needs a filter, skips SYSTEM assets, and reports only what it did', async () => {
      const none = await api('DELETE', '/api/asset/');
      expect(none.status).toBe(400);
      expect(none.body).toEqual(errorShape('ValidationError'));
      const a = await api('POST', '/api/asset/image/', { eventId: ev, name: 'bulk a', time: '00:00:01' });
      const b = await api('POST', '/api/asset/image/', { eventId: ev, name: 'bulk b', time: '00:00:02' });
      await waitForAsset(a.body.id);
      await waitForAsset(b.body.id);
      const systemBefore = (await db().query('SELECT count(*)::int AS n FROM assets WHERE event_id = $1 AND type = 0', [ev])).rows[0].n;
      const userAssets = (await db().query('SELECT id FROM assets WHERE event_id = $1 AND type <> 0', [ev])).rows.map((row) => row.id);
      expect(userAssets).toEqual(expect.arrayContaining([a.body.id, b.body.id]));
      const r = await api('DELETE', `/api/asset/?eventId=${ev}`);
      expect(r.status).toBe(200);
      expect(r.body.deletedIds.sort()).toEqual(userAssets.sort());
      expect(r.body.deletedCount).toBe(userAssets.length);
      expect(r.body.skippedSystemCount).toBe(systemBefore);
      expect((await db().query('SELECT count(*)::int AS n FROM assets WHERE event_id = $1 AND type = 0', [ev])).rows[0].n).toBe(systemBefore);
      expect(existsSync(path.join(stack().storageRoot, a.body.path))).toBe(false);
    });

    it('sync deletes assets whose file went missing and notices a changed VOD file', async () => {
      const { rm, utimes } = await import('node:fs/promises');
      await rm(path.join(stack().storageRoot, folder, 'thumb_000.png'));
      await rm(path.join(stack().storageRoot, folder, 'thumb_001_sprite.jpg'));
      await utimes(path.join(stack().storageRoot, folder, 'vod.mp4'), new Date(), new Date(Date.now() + 5000));
      const r = await api('PUT', `/api/asset/sync/${ev}`);
      expect(r.body).toEqual({ hasVodFileChanged: true, createdAssetsCount: 0, deletedAssetsCount: 2, pathEvaluated: folder });
    });

    it('sync of an event without a VOD file is a clear 4xx', async () => {
      const urlEvent = await api('POST', '/api/event/', { title: 'live only', sourceUrl: 'http://127.0.0.1:9/live.m3u8' });
      const r = await api('PUT', `/api/asset/sync/${urlEvent.body.id}`);
      expect(r.status).toBe(409);
      expect(r.body).toEqual(errorShape('EventHasNoVodFile'));
      expect((await api('PUT', `/api/asset/sync/${randomUUID()}`)).body).toEqual(errorShape('EventNotFound'));
    });
  });

  describe('events and vuflows', () => {
    it('create, get, list, patch and delete events; vuflow URLs', async () => {
      const vf = await api('POST', '/api/vuflow/', { name: 'cdn', configurationJson: { storageUrlPublic: 'https://cdn.example.com/base/' } });
      expect(vf.status).toBe(200);
      const vuflows = await api('GET', '/api/vuflow');
      expect(vuflows.body.filter((v: any) => v.isDefault)).toHaveLength(1);
      await mkdir(path.join(stack().storageRoot, 'later'), { recursive: true });
      const ev = await api('POST', '/api/event/', { title: 'Live match', sourceUrl: 'http://127.0.0.1:9/live.m3u8', refId: 'r1', externalId: 'x1', vuflowId: vf.body.id });
      expect(ev.body).toMatchObject({ title: 'Live match', refId: 'r1', externalId: 'x1', vuflowId: vf.body.id, vodFile: null, contentId: ev.body.id });
      await testVideo('later/vod.mp4', { seconds: 3 });
      const patched = await api('PATCH', `/api/event/${ev.body.id}`, { vodFile: 'later/vod.mp4' });
      expect(patched.body.vodFile).toBe('later/vod.mp4');
      expect((await api('GET', '/api/event/')).body.map((e: any) => e.id)).toContain(ev.body.id);
      const img = await api('POST', '/api/asset/image/', { eventId: ev.body.id, name: 'cdn frame', time: '00:00:01' });
      const done = await waitForAsset(img.body.id);
      expect(done.url).toBe('https://cdn.example.com/base/later/cdn-frame.jpg');
      const del = await api('DELETE', `/api/event/${ev.body.id}`);
      expect(del.status).toBe(200);
      expect((await api('GET', `/api/event/${ev.body.id}`)).body).toEqual(errorShape('EventNotFound'));
      expect((await api('GET', `/api/asset/${done.id}`)).status).toBe(404);
      // The event's generated file went with it; its VOD file stays.
      expect(existsSync(path.join(stack().storageRoot, done.path))).toBe(false);
      expect(existsSync(path.join(stack().storageRoot, 'later/vod.mp4'))).toBe(true);
    });
  });

  it('leaves no workflow behind for rejected requests', async () => {
    const ghost = randomUUID();
    const gif = await api('POST', '/api/asset/gif/', { clip: { eventId: ghost, start: '00:00:01', end: '00:00:02' }, name: 'g' });
    const video = await api('POST', '/api/asset/video/', { clip: { eventId: ghost, start: '00:00:01', end: '00:00:02' }, name: 'v' });
    for (const r of [gif, video]) {
      expect(r.status).toBe(404);
      expect(r.body).toEqual(errorShape('EventNotFound'));
    }
    expect(await workflowCountAfterSentinel(`FramesmithEventId = '${ghost}'`, eventId)).toBe(0);
  });
});

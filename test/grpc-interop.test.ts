// Interop: the ts-proto client on @grpc/grpc-js (an implementation independent of the
// gateway's Connect server) calls every RPC over real HTTP/2.
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetState, AssetType, createFramesmithClient, type Asset } from './support/grpc-client.js';
import { HealthCheckResponse_ServingStatus } from '../lib/core/src/gen/grpc/grpc/health/v1/health.js';
import { countRows, stack, testVideo, waitForAsset } from './support/api.js';

type Client = ReturnType<typeof createFramesmithClient>;
const call = <Req, Res>(client: any, method: string) => promisify<Req, Res>((req: Req, cb: any) => client[method](req, cb));

describe('gRPC (grpc-js client against the Connect gateway)', () => {
  let c: Client;
  let eventId = '';
  let vuflowId = '';
  beforeAll(async () => {
    c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    await testVideo('grpc-test/vod.mp4');
  });
  afterAll(() => c.close());

  it('health: grpc.health.v1 Check and Watch', async () => {
    const res: any = await call(c.health, 'check')({ service: '' });
    expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const asset: any = await call(c.health, 'check')({ service: 'framesmith.v1.AssetService' });
    expect(asset.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const err = (await call(c.health, 'check')({ service: 'nope' }).catch((e) => e)) as ServiceError;
    expect(err.code).toBe(GrpcStatus.NOT_FOUND);
    const first = await new Promise<any>((resolve, reject) => {
      const s = c.health.watch({ service: '' });
      s.on('data', (m: any) => {
        resolve(m);
        s.cancel();
      });
      s.on('error', (e: ServiceError) => (e.code === GrpcStatus.CANCELLED ? undefined : reject(e)));
    });
    expect(first.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it('EventService: vuflows and events, create/get/list/update/delete', async () => {
    const vf: any = await call(c.events, 'createVuflow')({ name: 'cdn', configurationJson: JSON.stringify({ storageUrlPublic: 'https://cdn.example.com/media' }) });
    vuflowId = vf.id;
    expect(vf).toMatchObject({ name: 'cdn', isDefault: false });
    const list: any = await call(c.events, 'listVuflows')({});
    expect(list.vuflows.map((v: any) => v.id)).toContain(vuflowId);
    expect(list.vuflows.some((v: any) => v.isDefault)).toBe(true);

    const ev: any = await call(c.events, 'createEvent')({ title: 'grpc event', vodFile: 'grpc-test/vod.mp4', vuflowId });
    eventId = ev.id;
    expect(ev).toMatchObject({ title: 'grpc event', vodFile: 'grpc-test/vod.mp4', contentId: ev.id, vuflowId });
    expect(await call(c.events, 'getEvent')({ id: eventId })).toMatchObject({ id: eventId });
    const events: any = await call(c.events, 'listEvents')({ pageIndex: 0 });
    expect(events.events.map((e: any) => e.id)).toContain(eventId);
    const upd: any = await call(c.events, 'updateEvent')({ id: eventId, title: 'renamed event' });
    expect(upd.title).toBe('renamed event');
    const tmp: any = await call(c.events, 'createEvent')({ title: 'to delete', sourceUrl: 'http://127.0.0.1:9/x.m3u8' });
    expect(await call(c.events, 'deleteEvent')({ id: tmp.id })).toEqual({ id: tmp.id });
  });

  it('AssetService: create image, watch it to COMPLETED, get, list, rename, delete', async () => {
    const asset = (await call(c.assets, 'createImage')({ eventId, name: 'rpc frame', time: '00:00:02' })) as Asset;
    expect(asset).toMatchObject({ state: AssetState.ASSET_STATE_GENERATING, stateString: 'GENERATING', type: AssetType.ASSET_TYPE_IMAGE, typeString: 'IMAGE' });
    const updates: any[] = [];
    await new Promise<void>((resolve, reject) => {
      const s = c.assets.watchAsset({ id: asset.id });
      s.on('data', (u: any) => updates.push(u));
      s.on('end', () => resolve());
      s.on('error', reject);
    });
    const last = updates[updates.length - 1];
    expect(last.asset.stateString).toBe('COMPLETED');
    // The event's vuflow gives the public URL.
    expect(last.asset.url).toBe('https://cdn.example.com/media/grpc-test/rpc-frame.jpg');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    const progress = updates.map((u) => u.progress).filter((p) => p !== undefined);
    expect(progress[progress.length - 1]).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);

    const got = (await call(c.assets, 'getAsset')({ id: asset.id, noCache: false })) as Asset;
    expect(got.stateString).toBe('COMPLETED');
    const listed: any = await call(c.assets, 'listAssets')({ filter: { eventId, states: [AssetState.ASSET_STATE_COMPLETED], types: [], extensions: ['.jpg'] }, pageIndex: 0, noCache: true });
    expect(listed.assets.map((a: Asset) => a.id)).toEqual([asset.id]);
    const renamed = (await call(c.assets, 'renameAsset')({ id: asset.id, name: 'renamed' })) as Asset;
    expect(renamed.name).toBe('renamed');
    expect(await call(c.assets, 'deleteAsset')({ id: asset.id })).toEqual({ id: asset.id, cancelledJob: false });
  });

  it('AssetService: gif, video, sync and bulk delete', async () => {
    const gif = (await call(c.assets, 'createGif')({ clip: { eventId, start: '00:00:01', end: '00:00:02' }, name: 'rpc gif', fps: 10 })) as Asset;
    expect(gif.typeString).toBe('GIF');
    const video = (await call(c.assets, 'createVideo')({ clip: { eventId, start: '00:00:01', end: '00:00:03' }, name: 'rpc clip', frameAccurate: false })) as Asset;
    expect(video.typeString).toBe('VIDEO');
    expect((await waitForAsset(gif.id)).stateString).toBe('COMPLETED');
    expect((await waitForAsset(video.id)).stateString).toBe('COMPLETED');
    const sync: any = await call(c.assets, 'syncAssets')({ eventId });
    expect(sync).toMatchObject({ pathEvaluated: 'grpc-test', hasVodFileChanged: false });
    const bulk: any = await call(c.assets, 'deleteAssets')({ filter: { eventId, states: [], types: [AssetType.ASSET_TYPE_GIF, AssetType.ASSET_TYPE_VIDEO], extensions: [] } });
    expect(bulk.deletedIds.sort()).toEqual([gif.id, video.id].sort());
    expect(bulk.deletedCount).toBe(2);
  });

  it('maps errors to gRPC status codes with the errorType', async () => {
    const before = await countRows('assets');
    const unknown = (await call(c.assets, 'createImage')({ eventId: randomUUID(), name: 'x', time: '00:00:01' }).catch((e) => e)) as ServiceError;
    expect(unknown.code).toBe(GrpcStatus.NOT_FOUND);
    expect(unknown.metadata.get('x-error-type')).toEqual(['EventNotFound']);
    expect(unknown.metadata.get('grpc-status-details-bin').length).toBe(1);
    const bad = (await call(c.assets, 'createImage')({ eventId, name: 'x', time: 'soon' }).catch((e) => e)) as ServiceError;
    expect(bad.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(bad.metadata.get('x-error-type')).toEqual(['ValidationError']);
    expect(await countRows('assets')).toBe(before);

    const anon = createFramesmithClient(stack().grpcAddress, 'wrong-key');
    const denied = (await call(anon.assets, 'getAsset')({ id: randomUUID(), noCache: false }).catch((e) => e)) as ServiceError;
    anon.close();
    expect(denied.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(denied.metadata.get('x-error-type')).toEqual(['Unauthorized']);
    const md = new Metadata();
    md.set('api-key', stack().apiKey);
    const missing = (await call(c.assets, 'getAsset')({ id: randomUUID(), noCache: false }).catch((e) => e)) as ServiceError;
    expect(missing.code).toBe(GrpcStatus.NOT_FOUND);
    expect(missing.metadata.get('x-error-type')).toEqual(['AssetNotFound']);
  });
});

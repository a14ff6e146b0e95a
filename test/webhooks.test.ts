// Completion webhooks against the real stack: the orchestrator POSTs the asset JSON, signed,
// to a receiver on 127.0.0.1 (allowed by OUTBOUND_ALLOW in test/global-setup.ts), retried by
// Temporal (200 ms doubling to 1 s in tests) until the receiver answers 2xx.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/stack/free-port.js';
import { createFramesmithClient } from './support/grpc-client.js';
import { verifyWebhook } from '../services/orchestrator/src/webhook-signature.js';
import { api, countRows, createEvent, db, stack, testVideo, waitForAsset } from './support/api.js';
import { until } from './support/hls-server.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers the given statuses in turn, then 200 for ever. */
async function startReceiver(statuses: number[] = [], port = 0) {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = statuses[requests.length] ?? 200;
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as { port: number }).port;
  receivers.push(server);
  return { requests, url: (p: string) => `http://127.0.0.1:${bound}${p}`, close: () => new Promise((r) => server.close(r)) };
}

const receivers: http.Server[] = [];
const secret = () => stack().env.WEBHOOK_SIGNING_SECRET!;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let eventId = '';
let temporal: Client;
let connection: Connection;

async function image(callbackUrl: string | undefined, name: string, event = eventId) {
  const r = await api('POST', '/api/asset/image/', { eventId: event, name, time: '00:00:01', ...(callbackUrl ? { callbackUrl } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { id: string; jobId: string };
}

function expectSigned(r: Received) {
  expect(verifyWebhook({ secret: secret(), body: r.body, header: r.headers['framesmith-signature'] as string })).toMatchObject({ ok: true });
  expect(r.headers['content-type']).toBe('application/json');
}

beforeAll(async () => {
  const vod = await testVideo('webhooks/vod.mp4', { seconds: 4 });
  eventId = (await createEvent(vod)).id;
  connection = await Connection.connect({ address: stack().temporalAddress });
  temporal = new Client({ connection });
});

afterAll(async () => {
  for (const s of receivers) s.close();
  await connection?.close();
});

describe('completion webhooks', () => {
  it('delivers a COMPLETED asset after the receiver failed twice: signed, same delivery id and body on every attempt', async () => {
    const receiver = await startReceiver([500, 503]);
    const asset = await image(receiver.url('/hooks/flaky'), 'flaky receiver');
    await until(() => receiver.requests.length >= 3, 60_000, 'three attempts');
    const got = (await api('GET', `/api/asset/${asset.id}`)).body;
    expect(got.stateString).toBe('COMPLETED');
    const reqs = receiver.requests as [Received, Received, Received];
    expect(reqs.map((r) => r.answered)).toEqual([500, 503, 200]);
    expect(reqs.every((r) => r.path === '/hooks/flaky')).toBe(true);
    const deliveryId = reqs[0].headers['framesmith-delivery'] as string;
    expect(deliveryId).toMatch(UUID);
    for (const r of reqs) {
      expect(r.headers['framesmith-delivery']).toBe(deliveryId);
      expect(r.headers['framesmith-event']).toBe('asset.completed');
      expect(r.body).toBe(reqs[0].body);
      expectSigned(r);
    }
    // The same object GET /api/asset/{id} returns.
    expect(JSON.parse(reqs[2].body)).toEqual(got);
    const result = await temporal.workflow.getHandle(`webhook-${asset.id}`).result();
    expect(result).toEqual({ delivered: true, deliveryId, status: 200, attempt: 3 });
    // Delivered: no further attempt.
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.requests.length).toBe(3);
  }, 90_000);

  it('keeps retrying a receiver that is down, visibly in Temporal, and delivers once it is up', async () => {
    const port = await freePort();
    const asset = await image(`http://127.0.0.1:${port}/hooks/late`, 'receiver down');
    expect((await waitForAsset(asset.id)).stateString).toBe('COMPLETED');
    const handle = temporal.workflow.getHandle(`webhook-${asset.id}`);
    let pending: any = null;
    await until(async () => {
      const d = await handle.describe().catch(() => null);
      pending = d?.raw.pendingActivities?.[0] ?? null;
      // `attempt` is the attempt now waiting: 4 means three have failed.
      return d?.status.name === 'RUNNING' && (pending?.attempt ?? 0) >= 4;
    }, 30_000, 'delivery retrying');
    expect(pending.activityType?.name).toBe('deliverWebhook');
    expect(pending.lastFailure?.message).toMatch(/connection refused/);
    // No attempt limit; the 24 h schedule-to-close budget is what ends the retries.
    expect(pending.maximumAttempts ?? 0).toBe(0);
    const expiresInH = (Number(pending.expirationTime.seconds) * 1000 - Date.now()) / 3_600_000;
    expect(expiresInH).toBeGreaterThan(23.9);
    expect(expiresInH).toBeLessThanOrEqual(24);
    // The asset's own workflow closed when the asset did; only the delivery is waiting.
    expect((await temporal.workflow.getHandle(asset.jobId).describe()).status.name).toBe('COMPLETED');

    const receiver = await startReceiver([], port);
    const result = await handle.result();
    expect(result).toMatchObject({ delivered: true, status: 200 });
    expect((result as { attempt: number }).attempt).toBeGreaterThanOrEqual(4);
    expect(receiver.requests).toHaveLength(1);
    const [delivered] = receiver.requests as [Received];
    expectSigned(delivered);
    expect(JSON.parse(delivered.body)).toMatchObject({ id: asset.id, stateString: 'COMPLETED' });
  }, 90_000);

  it('delivers FAILED assets too, with the failure reason', async () => {
    await writeFile(path.join(stack().storageRoot, 'webhooks/garbage.mp4'), Buffer.alloc(10_000, 1));
    const ev = await createEvent('webhooks/garbage.mp4');
    const receiver = await startReceiver();
    const asset = await image(receiver.url('/hooks/failed'), 'garbage', ev.id);
    await until(() => receiver.requests.length >= 1, 60_000, 'delivery');
    const [r] = receiver.requests as [Received];
    expect(r.headers['framesmith-event']).toBe('asset.failed');
    expectSigned(r);
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ id: asset.id, stateString: 'FAILED', url: '' });
    expect(body.failureReason).toMatch(/cannot be decoded/);
    expect(body).toEqual((await api('GET', `/api/asset/${asset.id}`)).body);
  }, 90_000);

  it('delivers the outcome of an asset whose workflow an operator terminated (applied by the reconciler)', async () => {
    const receiver = await startReceiver();
    // The request a real asset stored (it completes and gets its own delivery), made another
    // asset's: a row left GENERATING whose workflow was terminated before it could write it.
    const model = await image(receiver.url('/hooks/model'), 'model request');
    await until(() => receiver.requests.length >= 1, 60_000, 'the model asset delivered');
    const stored = (await db().query('SELECT request FROM assets WHERE id = $1', [model.id])).rows[0].request;
    const id = randomUUID();
    const jobId = `image-${id}`;
    const request = { ...stored, job: { ...stored.job, assetId: id, outputPath: `webhooks/terminated-${id}.jpg` }, callbackUrl: receiver.url('/hooks/terminated') };
    const handle = await temporal.workflow.start('assetWorkflow', { taskQueue: `nobody-polls-${id}`, workflowId: jobId, args: [request] });
    await handle.terminate('operator cleanup');
    await db().query(
      `INSERT INTO assets (id, event_id, name, path, extension, state, type, job_id, content_id, priority, request, date_created)
       SELECT $1, id, 'terminated', $2, 'jpg', 0, 1, $3, content_id, 5, $4, now() - interval '1 minute' FROM events WHERE id = $5`,
      [id, request.job.outputPath, jobId, JSON.stringify(request), eventId],
    );
    await until(() => receiver.requests.some((r) => r.path === '/hooks/terminated'), 30_000, 'the reconciled asset delivered');
    const r = receiver.requests.find((x) => x.path === '/hooks/terminated')!;
    expect(r.headers['framesmith-event']).toBe('asset.failed');
    expectSigned(r);
    expect(JSON.parse(r.body)).toMatchObject({ id, stateString: 'FAILED', failureReason: 'the job was terminated (operator cleanup)' });
    expect(JSON.parse(r.body)).toEqual((await api('GET', `/api/asset/${id}`)).body);
    expect(await temporal.workflow.getHandle(`webhook-${id}`).result()).toMatchObject({ delivered: true, status: 200, attempt: 1 });
  }, 90_000);

  it('refuses a callbackUrl the egress policy or the URL rules refuse, at request time, over REST and gRPC, creating nothing', async () => {
    const assets = await countRows('assets');
    const refused = ['http://127.0.0.2:9/hook', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/', 'http://localhost/x'];
    for (const callbackUrl of refused) {
      const r = await api('POST', '/api/asset/image/', { eventId, name: 'refused', time: '00:00:01', callbackUrl });
      expect(r.status, `${callbackUrl}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.errorType).toBe('ValidationError');
      expect(r.body.exceptionMessage).toMatch(/^Unable to .*callbackUrl is not allowed/);
      expect(r.body.data).toMatchObject({ field: 'callbackUrl' });
    }
    for (const callbackUrl of ['not a url', 'ftp://127.0.0.1/x', 'http://user:pw@127.0.0.1/x', 42]) {
      const r = await api('POST', '/api/asset/image/', { eventId, name: 'malformed', time: '00:00:01', callbackUrl });
      expect(r.status, `${callbackUrl}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.data).toMatchObject({ field: 'callbackUrl' });
    }
    const gif = await api('POST', '/api/asset/gif/', { clip: { eventId, start: '00:00:00', end: '00:00:01' }, name: 'refused', callbackUrl: refused[0] });
    expect(gif.status).toBe(400);
    const video = await api('POST', '/api/asset/video/', { clip: { eventId, start: '00:00:00', end: '00:00:01' }, name: 'refused', callbackUrl: refused[0] });
    expect(video.status).toBe(400);
    const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    try {
      const err = (await promisify((req: unknown, cb: any) => c.assets.createImage(req as never, cb))({ eventId, name: 'refused', time: '00:00:01', callbackUrl: refused[0] }).catch(
        (e: unknown) => e,
      )) as ServiceError;
      expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(err.details).toMatch(/callbackUrl is not allowed/);
    } finally {
      c.close();
    }
    expect(await countRows('assets')).toBe(assets);
  });

  it("uses the vuflow's default callbackUrl unless the request names one (gRPC)", async () => {
    const receiver = await startReceiver();
    const vf = await api('POST', '/api/vuflow/', { name: 'with webhook', configurationJson: { storageUrlPublic: 'https://cdn.example.com/m', callbackUrl: receiver.url('/hooks/vuflow') } });
    expect(vf.status, JSON.stringify(vf.body)).toBe(200);
    const refusedVf = await api('POST', '/api/vuflow/', { name: 'refused webhook', configurationJson: { storageUrlPublic: 'https://cdn.example.com/m', callbackUrl: 'http://127.0.0.2:9/' } });
    expect(refusedVf.status).toBe(400);
    expect(refusedVf.body.data).toMatchObject({ field: 'configurationJson.callbackUrl' });
    const ev = await createEvent('webhooks/vod.mp4', { vuflowId: vf.body.id });
    const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    const createImage = promisify((req: unknown, cb: any) => c.assets.createImage(req as never, cb));
    try {
      const byDefault: any = await createImage({ eventId: ev.id, name: 'vuflow default', time: '00:00:01' });
      const own: any = await createImage({ eventId: ev.id, name: 'own url', time: '00:00:01', callbackUrl: receiver.url('/hooks/own') });
      await until(() => receiver.requests.length >= 2, 60_000, 'two deliveries');
      const byPath = Object.fromEntries(receiver.requests.map((r) => [r.path, JSON.parse(r.body).id]));
      expect(byPath).toEqual({ '/hooks/vuflow': byDefault.id, '/hooks/own': own.id });
      receiver.requests.forEach(expectSigned);
    } finally {
      c.close();
    }
  }, 90_000);
});

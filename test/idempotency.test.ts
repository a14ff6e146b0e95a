// Idempotency-Key on the create requests (docs/api.md, Idempotent requests), against the real
// stack: assets are counted in PostgreSQL and workflows looked up in Temporal by their id (the
// search index lags, so it cannot prove that nothing else started).
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFramesmithClient } from './support/grpc-client.js';
import { api, createEvent, db, stack, testVideo } from './support/api.js';

const errorShape = (errorType: string) => ({ exceptionType: expect.any(String), exceptionMessage: expect.stringMatching(/^Unable to /), errorType, data: expect.any(Object) });

describe('Idempotency-Key', () => {
  let eventId = '';
  let connection: Connection;
  let temporal: Client;
  beforeAll(async () => {
    eventId = (await createEvent(await testVideo('idempotency/vod.mp4'))).id;
    connection = await Connection.connect({ address: stack().temporalAddress });
    temporal = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
  });

  /** The event's assets as PostgreSQL holds them. */
  const assetsOfEvent = async (event = eventId) =>
    (await db().query<{ id: string; job_id: string }>('SELECT id, job_id FROM assets WHERE event_id = $1 ORDER BY date_created', [event])).rows;
  /** Whether Temporal has a workflow with this id (describe reads it directly, not through visibility). */
  const workflowExists = async (workflowId: string) => {
    try {
      await temporal.workflow.getHandle(workflowId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  const image = (name: string, time = '00:00:01') => ({ eventId, name, time });
  const post = (kind: string, body: unknown, key: string, headers: Record<string, string> = {}) => api('POST', `/api/asset/${kind}/`, body, { 'Idempotency-Key': key, ...headers });

  it('the same key and body returns the same asset and starts nothing new', async () => {
    const before = (await assetsOfEvent()).length;
    const key = randomUUID();
    const first = await post('image', image('retried'), key);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // Field order and defaults spelled out do not make it another request.
    const again = await post('image', { time: '00:00:01', priority: 5, filename: null, name: 'retried', eventId: eventId.toUpperCase() }, key);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.jobId).toBe(first.body.jobId);
    const rows = await assetsOfEvent();
    expect(rows.length).toBe(before + 1);
    expect(await workflowExists(first.body.jobId)).toBe(true);
    // Without a key the same body is a new asset, as before.
    const plain = await api('POST', '/api/asset/image/', image('retried'));
    expect(plain.body.id).not.toBe(first.body.id);
  });

  it('the same key with another body is a 422 in the contract shape, and writes nothing', async () => {
    const key = randomUUID();
    expect((await post('image', image('first body'), key)).status).toBe(200);
    const before = (await assetsOfEvent()).length;
    const other = await post('image', image('first body', '00:00:02'), key);
    expect(other.status).toBe(422);
    expect(other.body).toEqual(errorShape('IdempotencyKeyReused'));
    expect(other.body.data).toEqual({ field: 'Idempotency-Key' });
    expect(other.body.exceptionMessage).toBe('Unable to create the asset because the Idempotency-Key was already used with a different request');
    // Another kind of asset under the same key is another request too.
    const gif = await post('gif', { clip: { eventId, start: '00:00:01', end: '00:00:02' }, name: 'first body' }, key);
    expect(gif.status).toBe(422);
    expect((await assetsOfEvent()).length).toBe(before);
  });

  it('50 concurrent identical requests make exactly one asset and one workflow', async () => {
    const event = (await createEvent(await testVideo('idempotency/vod.mp4'))).id;
    const key = randomUUID();
    const body = { clip: { eventId: event, start: '00:00:01', end: '00:00:03' }, name: 'stampede', fps: 10 };
    const answers = await Promise.all(Array.from({ length: 50 }, () => post('gif', body, key)));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const rows = await assetsOfEvent(event);
    expect(rows.map((r) => r.id)).toEqual([...ids]);
    // One asset row, and its workflow (the only id a workflow for this event could have).
    expect(await workflowExists(rows[0]!.job_id)).toBe(true);
    const claims = await db().query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key]);
    expect(claims.rows[0].n).toBe(1);
  });

  it('keys belong to the API key that sent them', async () => {
    const key = randomUUID();
    const mine = await post('image', image('scoped'), key);
    const theirs = await post('image', image('scoped'), key, { 'API-KEY': '', 'X-Auth-Key': 'second-key' });
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('a refused request leaves the key free, and a malformed key is a 400 naming the header', async () => {
    const key = randomUUID();
    const missing = await post('image', { ...image('nowhere'), eventId: randomUUID() }, key);
    expect(missing.status).toBe(404);
    const claims = await db().query('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [key]);
    expect(claims.rows[0].n).toBe(0);
    // The key is not stuck: a corrected request under it succeeds.
    expect((await post('image', image('found'), key)).status).toBe(200);
    const bad = await post('image', image('bad key'), 'x'.repeat(256));
    expect(bad.status).toBe(400);
    expect(bad.body.data).toEqual({ field: 'Idempotency-Key' });
  });

  it('a key older than 24 hours is forgotten', async () => {
    const key = randomUUID();
    const first = await post('image', image('yesterday'), key);
    await db().query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    const other = await post('image', image('today'), key);
    expect(other.status).toBe(200);
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('a claim left unfinished by a stopped gateway is taken over with its asset id', async () => {
    const key = randomUUID();
    expect((await post('image', image('taken over'), key)).status).toBe(200);
    // As if the first gateway had died after claiming the key for this asset id, before writing anything.
    const claimedId = randomUUID();
    await db().query(`UPDATE idempotency_keys SET asset_id = $2, done = false, claimed_at = now() - interval '3 minutes' WHERE key = $1`, [key, claimedId]);
    const retry = await post('image', image('taken over'), key);
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.id).toBe(claimedId);
    expect(await workflowExists(retry.body.jobId)).toBe(true);
    expect((await db().query('SELECT done FROM idempotency_keys WHERE key = $1', [key])).rows[0].done).toBe(true);
  });

  it('works over gRPC with idempotency-key metadata, and across REST and gRPC', async () => {
    const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    try {
      const createImage = (req: unknown, key: string) => {
        const md = new Metadata();
        md.set('idempotency-key', key);
        return promisify((r: unknown, cb: (e: ServiceError | null, res?: any) => void) => c.assets.createImage(r as never, md, cb))(req);
      };
      const key = randomUUID();
      const a = await createImage({ eventId, name: 'over grpc', time: '00:00:01' }, key);
      const b = await createImage({ eventId, name: 'over grpc', time: '00:00:01' }, key);
      expect(b.id).toBe(a.id);
      const rest = await post('image', image('over grpc'), key);
      expect(rest.body.id).toBe(a.id);
      const err = (await createImage({ eventId, name: 'over grpc', time: '00:00:02' }, key).catch((e: ServiceError) => e)) as ServiceError;
      expect(err.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      expect(err.metadata.get('x-error-type')).toEqual(['IdempotencyKeyReused']);
    } finally {
      c.close();
    }
  });
});

// WatchAsset without polling (issue #16, B9): a change committed straight into PostgreSQL
// reaches an open stream at once through the gateway's one LISTEN connection; streams cost the
// database nothing while nothing changes; and a lost LISTEN connection is reopened, with every
// stream re-reading its asset, so a change made while nobody listened is not missed.
import type { ClientReadableStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AssetUpdate, createFramesmithClient } from './support/grpc-client.js';
import { createEvent, db, insertAssetRow, listenerPids, stack, testVideo } from './support/api.js';
import { until } from './support/hls-server.js';

let client: ReturnType<typeof createFramesmithClient>;
let event: { id: string; contentId: string };

/** The stream's COMPLETED time, or NaN when it has not come within `ms`. */
const within = (p: Promise<number>, ms: number) => Promise.race([p, new Promise<number>((r) => setTimeout(() => r(NaN), ms))]);

const complete = (id: string) => db().query(`UPDATE assets SET state = 1, progress = 1, date_modified = clock_timestamp() WHERE id = $1`, [id]);

/** Opens a stream; resolves `opened` at its first message and `completed` at COMPLETED (with the time). */
function watch(id: string) {
  const call: ClientReadableStream<AssetUpdate> = client.assets.watchAsset({ id });
  const updates: AssetUpdate[] = [];
  let opened!: () => void;
  let completed!: (at: number) => void;
  const o = { opened: new Promise<void>((r) => (opened = r)), completed: new Promise<number>((r) => (completed = r)), updates, call };
  call.on('data', (u: AssetUpdate) => {
    updates.push(u);
    if (updates.length === 1) opened();
    if (u.asset?.stateString === 'COMPLETED') completed(performance.now());
  });
  call.on('error', () => undefined);
  return o;
}

beforeAll(async () => {
  client = createFramesmithClient(stack().grpcAddress, stack().apiKey);
  event = await createEvent(await testVideo('watch-changes/vod.mp4', { seconds: 2 }));
  await until(async () => (await listenerPids()).length > 0, 10_000, 'the gateway LISTENing');
});

afterAll(() => client?.close());

describe('WatchAsset on PostgreSQL notifications', () => {
  it('a state change committed in the database reaches the stream within 500 ms', async () => {
    const id = await insertAssetRow(event, { state: 0, folder: 'watch-changes', name: 'direct change' });
    const w = watch(id);
    await w.opened;
    expect(w.updates[0]!.asset?.stateString).toBe('GENERATING');
    const t0 = performance.now();
    await complete(id);
    const at = await within(w.completed, 5000);
    expect(at - t0, 'the stream saw COMPLETED').toBeLessThan(500);
    expect(w.updates.at(-1)).toMatchObject({ progress: 1, asset: { id, stateString: 'COMPLETED' } });
  });

  it('streams on unchanged assets read nothing from the database', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => insertAssetRow(event, { state: 0, folder: 'watch-changes', name: `idle ${i}` })));
    const ws = ids.flatMap((id) => [watch(id), watch(id), watch(id), watch(id), watch(id)]);
    await Promise.all(ws.map((w) => w.opened));
    // Reads of the assets table by anyone (the stack's own processes included) in 2 s. Polling
    // every 250 ms, 50 streams made ~400.
    const reads = async () => Number((await db().query("SELECT idx_scan + seq_scan AS n FROM pg_stat_user_tables WHERE relname = 'assets'")).rows[0].n);
    const before = await reads();
    await new Promise((r) => setTimeout(r, 2000));
    // Statistics reach the view within PostgreSQL's stats flush (at most about a second).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await reads()) - before).toBeLessThan(40);
    await Promise.all(ids.map(complete));
    await Promise.all(ws.map((w) => w.completed));
  });

  it('reconnects after the LISTEN connection is killed, and a change made meanwhile is not missed', async () => {
    const id = await insertAssetRow(event, { state: 0, folder: 'watch-changes', name: 'across a reconnect' });
    const w = watch(id);
    await w.opened;
    const [listener] = await listenerPids();
    expect(listener).toBeDefined();
    // Kill the listener and commit the change at once: the notification goes to nobody.
    await db().query('SELECT pg_terminate_backend($1)', [listener]);
    await complete(id);
    const at = await within(w.completed, 5000);
    expect(Number.isNaN(at), 'the stream saw COMPLETED after the gateway reconnected').toBe(false);
    await until(async () => (await listenerPids()).some((pid) => pid !== listener), 5000, 'a new LISTEN connection');
    // And it is live again: a new stream sees the next change.
    const id2 = await insertAssetRow(event, { state: 0, folder: 'watch-changes', name: 'after the reconnect' });
    const w2 = watch(id2);
    await w2.opened;
    const t0 = performance.now();
    await complete(id2);
    expect((await within(w2.completed, 5000)) - t0).toBeLessThan(500);
  });
});

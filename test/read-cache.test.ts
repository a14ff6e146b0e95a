// The gateway's read cache (services/gateway/src/service/read-cache.ts) against the contract:
// repeated reads are answered from memory, yet a change committed in PostgreSQL by anyone (here
// straight into the database, as a worker or another gateway would) is seen by the very next
// read, a new row appears in a cached list page at once, an event's vuflow change moves cached
// URLs, noCache=true reads the database, and with the LISTEN connection gone or stalled reads
// go to the database until it is back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createEvent, db, insertAssetRow, listenerPids, stack, testVideo } from './support/api.js';
import { scrape } from './support/metrics.js';
import { until } from './support/hls-server.js';

let event: { id: string; contentId: string };

const rename = (id: string, name: string) => db().query('UPDATE assets SET name = $2, date_modified = clock_timestamp() WHERE id = $1', [id, name]);

/** The gateway's read cache counters (/metrics). */
async function cacheReads(): Promise<Record<string, number>> {
  const text = await scrape(stack().restUrl);
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^framesmith_read_cache_reads_total\{outcome="(\w+)"\} (\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

beforeAll(async () => {
  event = await createEvent(await testVideo('read-cache/vod.mp4', { seconds: 2 }));
  await until(async () => (await listenerPids()).length > 0, 10_000, 'the gateway LISTENing');
});

afterAll(async () => {
  await db().query('DELETE FROM assets WHERE event_id = $1', [event.id]);
});

describe('the read cache', () => {
  it('answers a repeated GET and list page from memory, and noCache=true from the database', async () => {
    const id = await insertAssetRow(event, { state: 1, folder: 'read-cache', name: 'cached' });
    const list = `/api/asset/?eventId=${event.id}&states=COMPLETED`;
    await api('GET', `/api/asset/${id}/`);
    await api('GET', list);
    const before = await cacheReads();
    for (let i = 0; i < 5; i++) {
      expect((await api('GET', `/api/asset/${id}/`)).body.name).toBe('cached');
      expect((await api('GET', list)).status).toBe(200);
    }
    const after = await cacheReads();
    expect(after.hit! - before.hit!, 'ten reads answered by the cache').toBe(10);
    expect(after.miss).toBe(before.miss);
    // The bypass reads the database and leaves the counters alone.
    expect((await api('GET', `/api/asset/${id}/?noCache=true`)).body.name).toBe('cached');
    expect((await api('GET', `${list}&noCache=true`)).status).toBe(200);
    expect(await cacheReads()).toEqual(after);
  });

  it('a change committed in PostgreSQL is seen by the very next read, every time', async () => {
    const id = await insertAssetRow(event, { state: 1, folder: 'read-cache', name: 'round 0' });
    const list = `/api/asset/?eventId=${event.id}&states=COMPLETED`;
    for (let round = 1; round <= 25; round++) {
      // Read (and so cache) the current state, change it behind the gateway's back, read again at once.
      await api('GET', `/api/asset/${id}/`);
      await api('GET', list);
      await rename(id, `round ${round}`);
      expect((await api('GET', `/api/asset/${id}/`)).body.name, `round ${round}`).toBe(`round ${round}`);
    }
    const extra = await insertAssetRow(event, { state: 1, folder: 'read-cache', name: 'round extra' });
    const page = (await api('GET', list)).body as { id: string }[];
    expect(page.map((a) => a.id), 'a new row is on the cached page at once').toContain(extra);
    await db().query('DELETE FROM assets WHERE id = $1', [extra]);
    expect((await api('GET', `/api/asset/${extra}/`)).status, 'a deleted row is gone at once').toBe(404);
    expect(((await api('GET', list)).body as { id: string }[]).map((a) => a.id)).not.toContain(extra);
  });

  it("an event's vuflow change moves the cached asset URLs at once", async () => {
    const id = await insertAssetRow(event, { state: 1, folder: 'read-cache', name: 'vuflow' });
    const before = (await api('GET', `/api/asset/${id}/`)).body.url as string;
    const vuflow = await api('POST', '/api/vuflow/', { name: `read-cache ${randomUUID()}`, configurationJson: { storageUrlPublic: 'https://cdn.example.test/read-cache' } });
    expect(vuflow.status).toBe(200);
    // Cached again after the new vuflow's own notification, so only the event's change can move it.
    expect((await api('GET', `/api/asset/${id}/`)).body.url).toBe(before);
    await db().query('UPDATE events SET vuflow_id = $2 WHERE id = $1', [event.id, vuflow.body.id]);
    try {
      const after = (await api('GET', `/api/asset/${id}/`)).body.url as string;
      expect(after).not.toBe(before);
      expect(after.startsWith('https://cdn.example.test/read-cache/')).toBe(true);
    } finally {
      await db().query('UPDATE events SET vuflow_id = NULL WHERE id = $1', [event.id]);
    }
  });

  it('with the LISTEN connection gone, reads go to the database and see every change', async () => {
    const id = await insertAssetRow(event, { state: 1, folder: 'read-cache', name: 'before the loss' });
    await api('GET', `/api/asset/${id}/`);
    const [listener] = await listenerPids();
    expect(listener).toBeDefined();
    // The notification of this change goes to nobody.
    await db().query('SELECT pg_terminate_backend($1)', [listener]);
    await rename(id, 'while nobody listened');
    expect((await api('GET', `/api/asset/${id}/`)).body.name).toBe('while nobody listened');
    await until(async () => (await listenerPids()).some((pid) => pid !== listener), 10_000, 'a new LISTEN connection');
    // Listening again: cached and fresh as before.
    await api('GET', `/api/asset/${id}/`);
    await rename(id, 'after the reconnect');
    expect((await api('GET', `/api/asset/${id}/`)).body.name).toBe('after the reconnect');
  });

  it('a stalled LISTEN connection fails reads with a 503 within DB_QUERY_TIMEOUT_MS, then is replaced', async () => {
    const id = await insertAssetRow(event, { state: 1, folder: 'read-cache', name: 'before the stall' });
    await api('GET', `/api/asset/${id}/`);
    const [listener] = await listenerPids();
    expect(listener).toBeDefined();
    // The backend stops answering, its socket open: only the fence's own deadline can notice.
    process.kill(listener!, 'SIGSTOP');
    try {
      await rename(id, 'during the stall');
      const t0 = performance.now();
      const read = await api('GET', `/api/asset/${id}/`);
      const ms = performance.now() - t0;
      // As a read on any stalled connection: the API's 503, not a wait as long as the stall.
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ errorType: 'Unavailable' });
      expect(ms, 'the fence gave up at DB_QUERY_TIMEOUT_MS (3 s in the test stack)').toBeLessThan(5_000);
      // The stalled connection was dropped: the next read goes to the database and sees the change.
      expect((await api('GET', `/api/asset/${id}/`)).body.name).toBe('during the stall');
    } finally {
      process.kill(listener!, 'SIGCONT');
    }
    await until(async () => (await listenerPids()).some((pid) => pid !== listener), 10_000, 'a new LISTEN connection');
    await rename(id, 'after the stall');
    expect((await api('GET', `/api/asset/${id}/`)).body.name).toBe('after the stall');
  });
});

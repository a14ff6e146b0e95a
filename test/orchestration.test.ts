// Orchestration guarantees against the real Temporal dev server and real workers: priority
// overtaking, retries, immediate failure, cancellation, a worker killed mid-job, the gateway
// crash window, and serialized syncs.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/stack/free-port.js';
import { api, createEvent, db, stack, testVideo, waitForAsset, workflowCount } from './support/api.js';
import { type HlsOrigin, holdStackCpuWorker, imageFromOrigin, parentPid, pidsMatching, startStackHlsOrigin, until } from './support/hls-server.js';
import { createProcessPool } from './support/processes.js';

let origin: HlsOrigin;
let closeOrigin = async () => {};
let fileEvent = '';
let temporal: Client;
let connection: Connection;
const processes = createProcessPool();

async function image(eventId: string, name: string, priority?: number) {
  const r = await api('POST', '/api/asset/image/', { eventId, name, time: '00:00:01', ...(priority ? { priority } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { id: string; jobId: string; path: string };
}

const stalled = (key: string, name: string) => imageFromOrigin(origin, `/stall/${key}/index.m3u8`, name);

/** Attempts of the media activity (makeImage/makeGif/makeVideo) in a workflow's history. */
async function activityAttempts(workflowId: string): Promise<number[]> {
  const events = (await temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const mediaScheduled = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name?.startsWith('make')).map((e) => String(e.eventId)),
  );
  return events
    .filter((e) => e.activityTaskStartedEventAttributes && mediaScheduled.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)))
    .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
}

beforeAll(async () => {
  const vod = await testVideo('orchestration/vod.mp4', { seconds: 6 });
  fileEvent = (await createEvent(vod)).id;
  ({ origin, close: closeOrigin } = await startStackHlsOrigin(vod));
  connection = await Connection.connect({ address: stack().temporalAddress });
  temporal = new Client({ connection });
});

afterAll(async () => {
  processes.killAll();
  await closeOrigin();
  await connection?.close();
});

describe('orchestration', () => {
  it('runs a priority-1 request before a backlog of priority-10 requests', async () => {
    const hold = await holdStackCpuWorker(origin, 'prio');
    const backlog = [];
    for (let i = 0; i < 5; i++) backlog.push(await image(fileEvent, `low ${i}`, 10));
    const urgent = await image(fileEvent, 'urgent', 1);
    // Let every workflow schedule its activity before a slot frees.
    await until(async () => (await workflowCount(`WorkflowId STARTS_WITH 'image-' AND ExecutionStatus = 'Running'`)) >= 8, 10_000, 'workflows running');
    await new Promise((r) => setTimeout(r, 1000));
    origin.release('prioA'); // one slot frees
    await waitForAsset(urgent.id);
    expect(await hold.release()).toEqual(['COMPLETED', 'COMPLETED']);
    for (const a of backlog) expect((await waitForAsset(a.id)).stateString).toBe('COMPLETED');
    const times = await db().query('SELECT id, date_modified FROM assets WHERE id = ANY($1::uuid[])', [[urgent.id, ...backlog.map((b) => b.id)]]);
    const at = new Map(times.rows.map((r) => [r.id, (r.date_modified as Date).getTime()]));
    for (const b of backlog) expect(at.get(urgent.id)!).toBeLessThan(at.get(b.id)!);
  }, 120_000);

  it('retries a transient source failure and completes', async () => {
    const asset = await imageFromOrigin(origin, '/flaky/retry1/index.m3u8', 'flaky');
    const done = await waitForAsset(asset.id, 60_000);
    expect(done.stateString).toBe('COMPLETED');
    expect(origin.requests.filter((p) => p === '/flaky/retry1/index.m3u8').length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...(await activityAttempts(asset.jobId)))).toBe(2);
  }, 90_000);

  it('fails undecodable media at once, without retries', async () => {
    await writeFile(path.join(stack().storageRoot, 'orchestration/garbage.mp4'), Buffer.alloc(10_000, 1));
    const ev = await createEvent('orchestration/garbage.mp4');
    const asset = await image(ev.id, 'garbage');
    const done = await waitForAsset(asset.id);
    expect(done.stateString).toBe('FAILED');
    expect(done.failureReason).toMatch(/cannot be decoded/);
    expect(await activityAttempts(asset.jobId)).toEqual([1]);
    expect(await workflowCount(`WorkflowId = '${asset.jobId}' AND ExecutionStatus = 'Failed'`)).toBe(1);
  });

  it('cancels the job on delete: the process is killed and nothing is left', async () => {
    const asset = await stalled('cancel1', 'to cancel');
    await until(() => origin.waiting('cancel1') > 0, 30_000, 'job running');
    const pids = await pidsMatching('/stall/cancel1/');
    expect(pids.length).toBeGreaterThan(0);
    const del = await api('DELETE', `/api/asset/${asset.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ id: asset.id, cancelledJob: true });
    await until(async () => (await pidsMatching('/stall/cancel1/')).length === 0, 15_000, 'ffmpeg/ffprobe killed');
    await until(async () => (await workflowCount(`WorkflowId = '${asset.jobId}' AND ExecutionStatus = 'Canceled'`)) === 1, 15_000, 'workflow cancelled');
    expect((await api('GET', `/api/asset/${asset.id}`)).status).toBe(404);
    const scratch = await readdir(path.join(stack().storageRoot, '.scratch')).catch(() => []);
    expect(scratch).toEqual([]);
    expect(existsSync(path.join(stack().storageRoot, asset.path))).toBe(false);
  }, 60_000);

  it('finishes a job on another worker when its worker is SIGKILLed mid-job', async () => {
    // Fill the stack's CPU worker, then start a second worker: the next job can only go there.
    const hold = await holdStackCpuWorker(origin, 'killHold');
    const w2 = processes.start('workers/cpu/src/main.ts', { CPU_CONCURRENCY: '1', METRICS_PORT: String(await freePort()) });
    await w2.waitFor('polling');
    const victim = await stalled('killVictim', 'victim');
    await until(() => origin.waiting('killVictim') > 0, 30_000, 'victim job running on the second worker');
    const [toolPid] = await pidsMatching('/stall/killVictim/');
    expect(await parentPid(toolPid!)).toBe(w2.child.pid);
    w2.child.kill('SIGKILL');
    await w2.exited;
    origin.release('killVictim');
    const holds = hold.release();
    // The dead worker's heartbeat times out (20 s) and the job is retried on the stack's worker.
    const done = await waitForAsset(victim.id, 90_000);
    expect(done.stateString).toBe('COMPLETED');
    expect(Math.max(...(await activityAttempts(victim.jobId)))).toBeGreaterThanOrEqual(2);
    expect(await holds).toEqual(['COMPLETED', 'COMPLETED']);
    await until(async () => (await pidsMatching('/stall/killVictim/')).length === 0, 10_000, 'orphaned tool gone');
  }, 150_000);

  it('recovers the gateway crash window: a row without a workflow gets its workflow', async () => {
    const port = await freePort();
    const gw = processes.start('services/gateway/src/main.ts', { PORT: String(port), GRPC_PORT: String(await freePort()), FRAMESMITH_FAULT: 'crash-before-workflow-start' });
    await gw.waitFor('listening');
    const res = await fetch(`http://127.0.0.1:${port}/api/asset/image/`, {
      method: 'POST',
      headers: { 'API-KEY': stack().apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: fileEvent, name: 'crash window', time: '00:00:02' }),
    }).catch((e) => e);
    expect(res).toBeInstanceOf(Error); // the gateway died mid-request
    await gw.exited;
    expect(gw.child.signalCode).toBe('SIGKILL');
    const row = await db().query("SELECT id, job_id, state FROM assets WHERE name = 'crash window'");
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0].state).toBe(0);
    // The orchestrator's reconciler starts the missing workflow; the asset completes.
    const done = await waitForAsset(row.rows[0].id, 60_000);
    expect(done.stateString).toBe('COMPLETED');
    expect(await workflowCount(`WorkflowId = '${row.rows[0].job_id}'`)).toBe(1);
  }, 120_000);

  it('serializes two concurrent syncs of one event: the second joins the running one', async () => {
    const folder = 'orchestration-sync';
    const vod = await testVideo(`${folder}/vod.mp4`, { seconds: 2 });
    const ev = await createEvent(vod);
    for (let i = 0; i < 20; i++) await writeFile(path.join(stack().storageRoot, folder, `extra_${i}.jpg`), 'x');
    // Hold the first sync at its first insert (reads pass, inserts wait on the lock) so the
    // second request surely arrives while it runs: both must get the one run's result.
    const lock = await db().connect();
    let a!: ReturnType<typeof api>;
    let b!: ReturnType<typeof api>;
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE assets IN SHARE ROW EXCLUSIVE MODE');
      a = api('PUT', `/api/asset/sync/${ev.id}`);
      await until(async () => (await db().query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%insert into assets%'",
      )).rows[0].n > 0, 20_000, 'the first sync waiting at its insert');
      b = api('PUT', `/api/asset/sync/${ev.id}`);
      // The gateway starts (here: joins) the sync workflow within milliseconds of the request.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.status).toBe(200);
    expect(rb.status).toBe(200);
    expect(ra.body.createdAssetsCount).toBe(21);
    expect(rb.body).toEqual(ra.body);
    // A sync after it has nothing left to create.
    const after = await api('PUT', `/api/asset/sync/${ev.id}`);
    expect(after.body.createdAssetsCount).toBe(0);
    const n = (await db().query('SELECT count(*)::int AS n FROM assets WHERE event_id = $1 AND type = 0', [ev.id])).rows[0].n;
    expect(n).toBe(21);
  }, 60_000);
});

describe('progress', () => {
  it('WatchAsset streams the running activity heartbeat progress, then COMPLETED', async () => {
    const { createFramesmithClient } = await import('./support/grpc-client.js');
    const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    try {
      const asset = await stalled('watch1', 'watched');
      await until(() => origin.waiting('watch1') > 0, 30_000, 'job running');
      const updates: { state: string; progress: number | undefined }[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const s = c.assets.watchAsset({ id: asset.id });
        s.on('data', (u: any) => {
          updates.push({ state: u.asset.stateString, progress: u.progress });
          // Release the origin once the stream has shown the job running with a heartbeat.
          if (u.asset.stateString === 'GENERATING' && u.progress !== undefined) origin.release('watch1');
        });
        s.on('end', () => resolve());
        s.on('error', reject);
      });
      await done;
      expect(updates[0]).toMatchObject({ state: 'GENERATING' });
      expect(updates.some((u) => u.state === 'GENERATING' && u.progress === 0)).toBe(true);
      expect(updates[updates.length - 1]).toEqual({ state: 'COMPLETED', progress: 1 });
    } finally {
      c.close();
    }
  }, 60_000);
});

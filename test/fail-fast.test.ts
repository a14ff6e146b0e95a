// Faults against a stack of this file's own (its own PostgreSQL and Temporal dev server, so
// stopping them leaves the shared stack alone): a stalled database or Temporal gives 503s
// within 5 s and leaves nothing half-written; a namespace without our search attributes is
// named with the command that fixes it (or fixed, when allowed); a GENERATING row whose
// workflow closed gets the workflow's outcome.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestVideo } from '../scripts/stack/demo-media.js';
import { freePort } from '../scripts/stack/free-port.js';
import { startStack, type Stack } from '../scripts/stack/start-stack.js';
import { until } from './support/hls-server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const KEY = 'fail-fast-key';
const FAST_MS = 5_000;

let stack: Stack;
let dataDir = '';
let db: pg.Pool;
let eventId = '';
const processes: { child: ChildProcess; output: () => string }[] = [];
const stopped = new Set<number>();

function startProcess(entry: string, env: Record<string, string> = {}) {
  const chunks: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env: { ...stack.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c) => chunks.push(String(c)));
  child.stderr!.on('data', (c) => chunks.push(String(c)));
  const p = { child, output: () => chunks.join('') };
  processes.push(p);
  return p;
}

async function startWorker(entry: string) {
  const port = await freePort();
  const p = startProcess(entry, { METRICS_PORT: String(port) });
  await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)), 120_000, `${entry} ready`);
  return p;
}


/** A request that gives up after 15 s (the old code waited for the whole outage). */
async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const started = Date.now();
  const res = await fetch(`${stack.restUrl}${route}`, {
    method,
    headers: { 'API-KEY': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* plain text (/readyz) */
  }
  return { status: res.status, body: json, text, ms: Date.now() - started };
}

const readyz = () => call('GET', '/readyz');
const imageRequest = (name: string) => ({ eventId, name, time: '00:00:01' });

/** The event every test uses; made through the API once a gateway answers (needs no Temporal). */
async function ensureEvent(): Promise<void> {
  if (eventId) return;
  const event = await call('POST', '/api/event/', { title: 'fail fast', vodFile: 'ff/vod.mp4' });
  expect(event.status).toBe(200);
  eventId = event.body.id;
}

async function waitForState(id: string, timeoutMs = 60_000): Promise<any> {
  let asset: any;
  await until(async () => {
    asset = (await call('GET', `/api/asset/${id}/`)).body;
    return asset.stateString !== 'GENERATING';
  }, timeoutMs, `asset ${id} to leave GENERATING`);
  return asset;
}

// --- the processes to stop --------------------------------------------------------------

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may contain spaces, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** PostgreSQL is a postmaster and one process per connection: all of them stall. */
async function postgresPids(): Promise<number[]> {
  const postmaster = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return [postmaster, ...(await childrenOf(postmaster))];
}

/** The dev server this stack started: the one process using this stack's SQLite file. */
async function temporalPid(): Promise<number> {
  const file = path.join(dataDir, 'temporal.sqlite');
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0').includes(file) && cmd.includes('start-dev')) return Number(entry);
  }
  throw new Error('no Temporal dev server for this stack');
}

function pause(pids: number[]) {
  for (const pid of pids) {
    process.kill(pid, 'SIGSTOP');
    stopped.add(pid);
  }
}

function resume() {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  stopped.clear();
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-fail-fast-'));
  // Only PostgreSQL and a Temporal namespace without our search attributes (a fresh cluster);
  // the test starts the processes itself.
  stack = await startStack({
    env: { DATA_DIR: dataDir, PORT: String(await freePort()), API_KEYS: KEY, ORPHAN_AFTER_MS: '2000', CPU_CONCURRENCY: '1', TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'false' },
    components: [],
    searchAttributes: false,
    log: false,
  });
  db = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  const video = path.join(stack.config.storageRoot, 'ff', 'vod.mp4');
  await mkdir(path.dirname(video), { recursive: true });
  await makeTestVideo('ffmpeg', video, { seconds: 4, fps: 25, width: 160, height: 90, gop: 25, audio: false });
}, 240_000);

afterAll(async () => {
  resume();
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await db?.end();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 120_000);

describe('a Temporal namespace without our search attributes', () => {
  it('without permission to register them, /readyz names them, the command that creates them and the queues nobody polls', async () => {
    const gateway = startProcess('services/gateway/src/main.ts');
    await until(async () => (await readyz().catch(() => null)) !== null, 120_000, 'the gateway to answer /readyz');
    await ensureEvent();
    const r = await readyz();
    console.log(`[fail-fast] /readyz without search attributes:\n${r.text}`);
    expect(r.text).toContain('FramesmithAssetId (Keyword)');
    expect(r.text).toContain('FramesmithPriority (Int)');
    expect(r.text).toContain('temporal operator search-attribute create --address');
    expect(r.text).toContain(`no worker polls task queue ${stack.config.taskQueues.orchestration}`);

    // A create that reaches Temporal anyway fails as 503, and the log says why (gRPC status).
    const post = await call('POST', '/api/asset/image/', imageRequest('no attributes'));
    expect(post.status).toBe(503);
    expect(post.body.errorType).toBe('Unavailable');
    expect((await db.query('SELECT count(*)::int AS n FROM assets WHERE event_id = $1', [eventId])).rows[0].n).toBe(0);
    // One JSON line at level error, its message and the whole cause chain in `error`.
    const failedLine = () => gateway.output().split('\n').filter((l) => l.includes('"msg":"request failed"')).map((l) => JSON.parse(l))[0];
    await until(() => /INVALID_ARGUMENT.*Framesmith/.test(failedLine()?.error ?? ''), 10_000, 'the cause chain in the log');
    expect(failedLine().level).toBe('error');
    console.log(`[fail-fast] logged: ${gateway.output().split('\n').find((l) => l.includes('request failed'))?.slice(0, 600)}`);
    gateway.child.kill('SIGTERM');
    await new Promise((r) => gateway.child.once('exit', r));
  }, 180_000);

  it('with TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true they are created and jobs run', async () => {
    startProcess('services/gateway/src/main.ts', { TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'true' });
    await startWorker('services/orchestrator/src/main.ts');
    await startWorker('workers/cpu/src/main.ts');
    await until(async () => (await readyz().catch(() => null))?.status === 200, 120_000, 'the gateway to be ready');
    await ensureEvent();
    const post = await call('POST', '/api/asset/image/', imageRequest('with attributes'));
    expect(post.status, JSON.stringify(post.body)).toBe(200);
    expect((await waitForState(post.body.id)).stateString).toBe('COMPLETED');
    const r = await readyz();
    expect(r.text).not.toContain('search attribute');
    expect(r.text).toContain(`no worker polls task queue ${stack.config.taskQueues.gpu}`); // a note; still ready
  }, 240_000);
});

describe('PostgreSQL stalled', () => {
  it('GET, POST and /readyz answer 503 within 5 s, and everything works again after it resumes', async () => {
    const before = await call('POST', '/api/asset/image/', imageRequest('before the stall'));
    expect(before.status).toBe(200);
    await waitForState(before.body.id);
    const rowsBefore = (await db.query('SELECT count(*)::int AS n FROM assets WHERE event_id = $1', [eventId])).rows[0].n;

    pause(await postgresPids());
    try {
      const get = await call('GET', `/api/asset/${before.body.id}/`);
      const post = await call('POST', '/api/asset/image/', imageRequest('during the stall'));
      // Connect's JSON protocol; the API-KEY header is the `api-key` metadata.
      const rpc = await call('POST', '/framesmith.v1.AssetService/GetAsset', { id: before.body.id });
      const ready = await readyz();
      console.log(`[fail-fast] PostgreSQL stopped: GET ${get.status} in ${get.ms} ms, POST ${post.status} in ${post.ms} ms, Connect GetAsset ${rpc.status} in ${rpc.ms} ms, /readyz ${ready.status} in ${ready.ms} ms`);
      for (const r of [get, post]) {
        expect(r.status).toBe(503);
        expect(r.body).toMatchObject({ errorType: 'Unavailable', exceptionType: 'UnavailableException' });
        expect(r.body.exceptionMessage).toMatch(/^Unable to .* because the database is unavailable$/);
        expect(r.ms).toBeLessThan(FAST_MS);
      }
      expect(rpc.status).toBe(503);
      expect(rpc.body.code).toBe('unavailable');
      expect(rpc.ms).toBeLessThan(FAST_MS);
      expect(ready.status).toBe(503);
      expect(ready.text).toContain('PostgreSQL is unavailable');
      expect(ready.ms).toBeLessThan(FAST_MS);
    } finally {
      resume();
    }

    await until(async () => (await call('GET', `/api/asset/${before.body.id}/`)).status === 200, 20_000, 'GET after the stall');
    const after = await call('POST', '/api/asset/image/', imageRequest('after the stall'));
    expect(after.status).toBe(200);
    expect((await waitForState(after.body.id)).stateString).toBe('COMPLETED');
    // The refused request left no row: only the one made after the stall is new.
    expect((await db.query('SELECT count(*)::int AS n FROM assets WHERE event_id = $1', [eventId])).rows[0].n).toBe(rowsBefore + 1);
    await until(async () => (await readyz()).status === 200, 20_000, '/readyz after the stall');
  }, 120_000);
});

describe('Temporal stalled', () => {
  it('POST and /readyz answer 503 within 5 s, the refused asset leaves no row, reads still work', async () => {
    const existing = (await db.query('SELECT id FROM assets WHERE event_id = $1 LIMIT 1', [eventId])).rows[0].id;
    pause([await temporalPid()]);
    try {
      const post = await call('POST', '/api/asset/image/', imageRequest('temporal stalled'));
      const ready = await readyz();
      const get = await call('GET', `/api/asset/${existing}/`);
      console.log(`[fail-fast] Temporal stopped: POST ${post.status} in ${post.ms} ms, /readyz ${ready.status} in ${ready.ms} ms, GET ${get.status} in ${get.ms} ms`);
      expect(post.status).toBe(503);
      expect(post.body).toMatchObject({ errorType: 'Unavailable' });
      expect(post.ms).toBeLessThan(FAST_MS);
      expect(ready.status).toBe(503);
      expect(ready.text).toContain('Temporal is unavailable');
      expect(ready.ms).toBeLessThan(FAST_MS);
      expect(get.status).toBe(200);
      // The gateway removed the row it wrote before the start failed.
      expect((await db.query("SELECT count(*)::int AS n FROM assets WHERE name = 'temporal stalled'")).rows[0].n).toBe(0);
    } finally {
      resume();
    }
    await until(async () => (await readyz()).status === 200, 30_000, '/readyz after the stall');
    const after = await call('POST', '/api/asset/image/', imageRequest('after the temporal stall'));
    expect(after.status).toBe(200);
    expect((await waitForState(after.body.id)).stateString).toBe('COMPLETED');
    expect((await db.query("SELECT count(*)::int AS n FROM assets WHERE name = 'temporal stalled'")).rows[0].n).toBe(0);
  }, 120_000);
});

describe('a GENERATING row whose workflow has closed', () => {
  it('gets a completed workflow’s outcome', async () => {
    const post = await call('POST', '/api/asset/image/', imageRequest('completed, then reset'));
    expect(post.status).toBe(200);
    expect((await waitForState(post.body.id)).stateString).toBe('COMPLETED');
    await db.query('UPDATE assets SET state = 0, progress = 0 WHERE id = $1', [post.body.id]);
    const started = Date.now();
    expect((await waitForState(post.body.id, 30_000)).stateString).toBe('COMPLETED');
    console.log(`[fail-fast] reconciler applied a COMPLETED workflow after ${Date.now() - started} ms`);
  }, 90_000);

  it('gets a terminated workflow’s outcome as FAILED with the reason', async () => {
    const id = randomUUID();
    const jobId = `image-${id}`;
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection });
      // A workflow on a queue nobody polls, terminated as an operator would.
      const handle = await client.workflow.start('assetWorkflow', { taskQueue: `nobody-polls-${id}`, workflowId: jobId, args: [{}] });
      await handle.terminate('operator cleanup');
    } finally {
      await connection.close();
    }
    await db.query(
      `INSERT INTO assets (id, event_id, name, path, extension, state, type, job_id, content_id, priority, request, date_created)
       SELECT $1, id, 'terminated', $2, 'jpg', 0, 1, $3, content_id, 5, NULL, now() - interval '1 minute' FROM events WHERE id = $4`,
      [id, `ff/terminated-${id}.jpg`, jobId, eventId],
    );
    const asset = await waitForState(id, 30_000);
    expect(asset.stateString).toBe('FAILED');
    expect(asset.failureReason).toBe('the job was terminated (operator cleanup)');
  }, 90_000);
});

// Structured logs and request metrics across real processes: one REST request's transaction
// id is in the JSON lines of the gateway, the orchestrator (workflow's state activities) and
// the CPU worker (the job) for that asset; API keys are in no line; the gateway's /metrics has
// latency histograms by route template and status for REST and RPC.
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFramesmithClient } from './support/grpc-client.js';
import { api, createEvent, stack, testVideo, waitForAsset } from './support/api.js';
import { scrape } from './support/metrics.js';
import { until } from './support/hls-server.js';

interface Line {
  component: string;
  entry: Record<string, any>;
}

/** The stack's log so far: every JSON line with the process it came from. */
async function logLines(): Promise<Line[]> {
  const text = await readFile(stack().logFile, 'utf8');
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const bar = raw.indexOf(' | ');
    if (bar < 0) continue;
    const body = raw.slice(bar + 3);
    if (!body.startsWith('{')) continue;
    try {
      out.push({ component: raw.slice(0, bar).trim(), entry: JSON.parse(body) });
    } catch {
      // a line some tool printed that is not ours
    }
  }
  return out;
}

async function metricsText(): Promise<string> {
  return scrape(stack().restUrl);
}

describe('structured logs', () => {
  const txn = `log-test-${randomUUID()}`;
  let assetId = '';

  beforeAll(async () => {
    const event = await createEvent(await testVideo('logging-test/vod.mp4'));
    const r = await api('POST', '/api/asset/image/', { eventId: event.id, name: 'logged frame', time: '00:00:02' }, { 'X-Transaction-ID': txn });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-transaction-id')).toBe(txn);
    assetId = r.body.id;
    expect((await waitForAsset(assetId)).stateString).toBe('COMPLETED');
  });

  it("carries the request's transaction id from the gateway through the workflow into the activities' lines", async () => {
    // The state activity's line is written once the asset is COMPLETED: wait for it to reach the file.
    let mine: Line[] = [];
    await until(async () => {
      mine = (await logLines()).filter((l) => l.entry.txn === txn);
      return ['gateway', 'orchestrator', 'worker-cpu'].every((c) => mine.some((l) => l.component === c));
    }, 20_000, `lines with txn ${txn} from the gateway, the orchestrator and the CPU worker`);
    const gateway = mine.find((l) => l.component === 'gateway' && l.entry.msg === 'request finished')!;
    expect(gateway.entry).toMatchObject({ level: 'info', name: 'gateway', route: 'POST /api/asset/image', status: 200 });
    // The worker's line for the job names the asset, the activity and the workflow.
    const job = mine.find((l) => l.component === 'worker-cpu' && l.entry.activity === 'makeImage')!;
    expect(job.entry).toMatchObject({ name: 'worker-cpu', assetId, msg: 'activity completed', workflowId: `image-${assetId}` });
    const state = mine.find((l) => l.component === 'orchestrator' && l.entry.activity === 'completeAsset')!;
    expect(state.entry).toMatchObject({ name: 'orchestrator', assetId, txn });
    // Every line of every process is JSON with a level and a time.
    for (const l of mine) {
      expect(typeof l.entry.level).toBe('string');
      expect(Date.parse(l.entry.time)).not.toBeNaN();
    }
  });

  it('makes a transaction id when the client sends none, and logs it', async () => {
    const r = await api('GET', `/api/asset/${assetId}/`);
    const made = r.headers.get('x-transaction-id');
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    await until(async () => (await logLines()).some((l) => l.component === 'gateway' && l.entry.txn === made), 10_000, 'the gateway line with the made id');
  });

  it('replaces a transaction id that is not a plain token (it goes into logs and headers)', async () => {
    const r = await api('GET', `/api/asset/${assetId}/`, undefined, { 'X-Transaction-ID': 'a b"c' });
    expect(r.headers.get('x-transaction-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs RPCs with the transaction id from metadata', async () => {
    const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    try {
      const md = new Metadata();
      md.set('x-transaction-id', `${txn}-rpc`);
      await new Promise((resolve, reject) => c.assets.getAsset({ id: assetId, noCache: false }, md, (err: ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res))));
    } finally {
      c.close();
    }
    await until(
      async () => (await logLines()).some((l) => l.component === 'gateway' && l.entry.txn === `${txn}-rpc` && l.entry.route === '/framesmith.v1.AssetService/GetAsset' && l.entry.code === 'ok'),
      10_000,
      'the gateway line for the RPC',
    );
  });

  it('never logs an API key, accepted or refused: the headers are redacted', async () => {
    const refusedKey = `refused-key-${randomUUID()}`;
    const denied = await api('GET', '/api/asset/', undefined, { 'API-KEY': refusedKey, 'X-Transaction-ID': `${txn}-denied` });
    expect(denied.status).toBe(401);
    let lines: Line[] = [];
    await until(async () => (lines = await logLines()).some((l) => l.entry.txn === `${txn}-denied`), 10_000, 'the refused request line');
    const denial = lines.find((l) => l.entry.txn === `${txn}-denied`)!;
    expect(denial.entry.req.headers['api-key']).toBe('[Redacted]');
    expect(denial.entry.status).toBe(401);
    const accepted = lines.find((l) => l.entry.txn === txn && l.entry.msg === 'request finished')!;
    expect(accepted.entry.req.headers['api-key']).toBe('[Redacted]');
    const rpc = lines.find((l) => l.entry.txn === `${txn}-rpc`)!;
    expect(rpc.entry.req.headers['api-key']).toBe('[Redacted]');
    const text = await readFile(stack().logFile, 'utf8');
    for (const key of [stack().apiKey, 'second-key', refusedKey]) expect(text).not.toContain(key);
  });
});

describe('gateway request metrics', () => {
  it('has a latency histogram by route template and status for REST and for RPC', async () => {
    const missing = randomUUID();
    expect((await api('GET', `/api/asset/${missing}/`)).status).toBe(404);
    const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
    const err = await new Promise<ServiceError>((resolve) => c.assets.getAsset({ id: missing, noCache: false }, (e: ServiceError | null) => resolve(e!)));
    c.close();
    expect(err.code).toBe(5);
    // The public documents have a route of their own.
    await (await fetch(`${stack().restUrl}/api/openapi.json`)).text();
    const text = await metricsText();
    const count = (labels: string) => Number(new RegExp(`^framesmith_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect(count('protocol="rest",route="GET /api/asset/:id",status="404"')).toBeGreaterThan(0);
    expect(count('protocol="rest",route="POST /api/event",status="200"')).toBeGreaterThan(0);
    expect(count('protocol="rpc",route="/framesmith.v1.AssetService/GetAsset",status="not_found"')).toBeGreaterThan(0);
    expect(count('protocol="rest",route="/api/openapi.json",status="200"')).toBeGreaterThan(0);
    const buckets = text.split('\n').filter((l) => l.startsWith('framesmith_request_duration_seconds_bucket{') && l.includes('route="GET /api/asset/:id"') && l.includes('status="404"'));
    expect(buckets.some((l) => l.includes('le="0.1"'))).toBe(true);
    // Templates, not paths: no id ever becomes a label value.
    expect(text).not.toContain(missing);
  });
});

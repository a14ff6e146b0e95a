// Operators' view: health and metrics endpoints, job metrics that move, and a worker that
// drains on SIGTERM.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/stack/free-port.js';
import { api, createEvent, stack, testVideo, waitForAsset } from './support/api.js';
import { type HlsOrigin, holdStackCpuWorker, imageFromOrigin, parentPid, pidsMatching, startStackHlsOrigin, until } from './support/hls-server.js';
import { machineHasNvidiaGpu, strategyFromCapabilityMetrics } from './support/gpu-strategy.js';
import { counterBefore, metricValue } from './support/metrics.js';
import { createProcessPool } from './support/processes.js';

const ROOT = path.resolve(import.meta.dirname, '..');
let origin: HlsOrigin;
let closeOrigin = async () => {};
let fileEvent = '';
const processes = createProcessPool();

const urlImage = (p: string, name: string) => imageFromOrigin(origin, p, name);

beforeAll(async () => {
  const vod = await testVideo('operations/vod.mp4', { seconds: 6 });
  fileEvent = (await createEvent(vod)).id;
  ({ origin, close: closeOrigin } = await startStackHlsOrigin(vod));
});

afterAll(async () => {
  processes.killAll();
  await closeOrigin();
});

describe('operations', () => {
  it('every process answers /healthz and /readyz', async () => {
    const s = stack();
    for (const url of [`${s.restUrl}`, ...Object.values(s.metricsPorts).map((p) => `http://127.0.0.1:${p}`)]) {
      expect((await fetch(`${url}/healthz`)).status, url).toBe(200);
      expect((await fetch(`${url}/readyz`)).status, url).toBe(200);
    }
  });

  it('job metrics on the CPU worker move when jobs run', async () => {
    const url = `http://127.0.0.1:${stack().metricsPorts['worker-cpu']}/metrics`;
    const before = await (await fetch(url)).text();
    const r = await api('POST', '/api/asset/image/', { eventId: fileEvent, name: 'metrics', time: '00:00:03' });
    expect((await waitForAsset(r.body.id)).stateString).toBe('COMPLETED');
    const after = await (await fetch(url)).text();
    expect(metricValue(after, 'framesmith_jobs_total', { kind: 'image', outcome: 'completed' })).toBe(
      counterBefore(before, 'framesmith_jobs_total', { kind: 'image', outcome: 'completed' }) + 1,
    );
    expect(metricValue(after, 'framesmith_job_duration_seconds_count', { kind: 'image' })).toBeGreaterThan(
      counterBefore(before, 'framesmith_job_duration_seconds_count', { kind: 'image' }),
    );
    expect(after).toMatch(/framesmith_queue_wait_seconds_count\{kind="image"\} \d+/);
    expect(metricValue(after, 'framesmith_jobs_in_flight', { kind: 'image' })).toBe(0);
    // ffmpeg's own speed (x realtime) from its -progress output, here from a GIF's extraction.
    const gif = await api('POST', '/api/asset/gif/', { clip: { eventId: fileEvent, start: '00:00:01', end: '00:00:03' }, name: 'metrics gif', fps: 10 });
    expect((await waitForAsset(gif.body.id)).stateString).toBe('COMPLETED');
    const withGif = await (await fetch(url)).text();
    expect(metricValue(withGif, 'framesmith_ffmpeg_speed_ratio', { kind: 'gif' })).toBeGreaterThan(0);
    // The Temporal SDK's own metrics ride along on the same scrape.
    expect(after).toMatch(/^temporal_activity_execution_latency\w*\{/m);
  });

  it('drains on SIGTERM: the running job finishes, the worker exits 0, no child is left', async () => {
    // Fill the stack's CPU worker so the job lands on the worker we will stop.
    const hold = await holdStackCpuWorker(origin, 'drainHold');
    const w = processes.start('workers/cpu/src/main.ts', { CPU_CONCURRENCY: '1', METRICS_PORT: String(await freePort()), DRAIN_GRACE_MS: '20000' });
    await w.waitFor('polling');
    const job = await urlImage('/stall/drainJob/index.m3u8', 'drain job');
    await until(() => origin.waiting('drainJob') > 0, 30_000, 'job on the draining worker');
    const [tool] = await pidsMatching('/stall/drainJob/');
    expect(await parentPid(tool!)).toBe(w.child.pid);
    w.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.child.exitCode).toBeNull(); // still finishing its job
    origin.release('drainJob');
    expect(await w.exited).toBe(0);
    expect((await waitForAsset(job.id)).stateString).toBe('COMPLETED');
    expect(await pidsMatching('/stall/drainJob/')).toEqual([]);
    const holds = hold.release();
    expect(await holds).toEqual(['COMPLETED', 'COMPLETED']);
  }, 120_000);

  it('drains on SIGTERM past the grace period: the job is cancelled here and retried elsewhere', async () => {
    const hold = await holdStackCpuWorker(origin, 'graceHold');
    const w = processes.start('workers/cpu/src/main.ts', { CPU_CONCURRENCY: '1', METRICS_PORT: String(await freePort()), DRAIN_GRACE_MS: '1500' });
    await w.waitFor('polling');
    const job = await urlImage('/stall/graceJob/index.m3u8', 'grace job');
    await until(() => origin.waiting('graceJob') > 0, 30_000, 'job on the draining worker');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    // The cancelled attempt killed its process; release the origin and free the stack's worker.
    await until(async () => (await pidsMatching('/stall/graceJob/')).length === 0, 10_000, 'tool killed');
    origin.release('graceJob');
    const holds = hold.release();
    expect((await waitForAsset(job.id, 60_000)).stateString).toBe('COMPLETED');
    expect(await holds).toEqual(['COMPLETED', 'COMPLETED']);
  }, 120_000);
});

describe('GPU worker telemetry', () => {
  it('shows GPU figures from recorded nvidia-smi output (an H100 without NVENC) on /metrics', async () => {
    const port = await freePort();
    const w = processes.start('workers/gpu/src/main.ts', {
      METRICS_PORT: String(port),
      NVIDIA_SMI_XML_FILE: path.join(ROOT, 'workers/gpu/test/fixtures/h100-80gb-hbm3.xml'),
      TASK_QUEUE_GPU: 'framesmith-gpu-telemetry-test',
    });
    await w.waitFor('polling');
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metricValue(text, 'framesmith_gpu_memory_total_bytes', { gpu: '0' })).toBeGreaterThan(80e9);
    expect(text).toMatch(/framesmith_gpu_utilization_ratio\{gpu="0"\} [\d.]+/);
    expect(text).toMatch(/framesmith_gpu_decoder_utilization_ratio\{gpu="0"\} [\d.]+/);
    expect(text).toMatch(/framesmith_gpu_temperature_celsius\{gpu="0"\} \d+/);
    expect(metricValue(text, 'framesmith_gpu_encoder_sessions', { gpu: '0' })).toBe(0);
    // The trials are real: without a GPU they fail, so the gauges say so and jobs use the CPU;
    // on a GPU machine the strategy must follow what the trials found.
    const strategy = strategyFromCapabilityMetrics(text);
    if (!(await machineHasNvidiaGpu())) {
      expect(metricValue(text, 'framesmith_gpu_capability', { gpu: '0', feature: 'nvenc' })).toBe(0);
      expect(strategy).toBe('cpu');
    }
    expect(w.output()).toMatch(new RegExp(`"strategy":"${strategy}"`));
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  }, 90_000);
});

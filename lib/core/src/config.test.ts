import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { DEFAULT_WORKFLOW_TIMEOUTS } from './temporal/activity-policy.js';

describe('loadConfig bounds', () => {
  it('accepts the defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.grpcPort).toBe(8081);
    expect(c.workflowTimeouts).toEqual(DEFAULT_WORKFLOW_TIMEOUTS);
  });

  it.each([
    ['PORT', '0', 'PORT must be between 1 and 65535, got 0'],
    ['PORT', '70000', 'PORT must be between 1 and 65535, got 70000'],
    ['GRPC_PORT', '-1', 'GRPC_PORT must be between 1 and 65535, got -1'],
    ['METRICS_PORT', '65536', 'METRICS_PORT must be between 0 and 65535, got 65536'],
    ['CPU_CONCURRENCY', '0', 'CPU_CONCURRENCY must be at least 1, got 0'],
    ['GPU_CONCURRENCY_PER_DEVICE', '0', 'GPU_CONCURRENCY_PER_DEVICE must be at least 1, got 0'],
    ['MAX_CLIP_SECONDS', '0', 'MAX_CLIP_SECONDS must be at least 1, got 0'],
    ['MAX_GIF_FPS', '-5', 'MAX_GIF_FPS must be at least 1, got -5'],
    ['MAX_BODY_BYTES', '0', 'MAX_BODY_BYTES must be at least 1, got 0'],
    ['PROCESS_TIMEOUT_MS', '0', 'PROCESS_TIMEOUT_MS must be at least 100, got 0'],
    ['ORPHAN_AFTER_MS', '-1', 'ORPHAN_AFTER_MS must be at least 100, got -1'],
    ['DRAIN_GRACE_MS', '-1', 'DRAIN_GRACE_MS must be at least 0, got -1'],
    ['ACTIVITY_HEARTBEAT_TIMEOUT_MS', '10', 'ACTIVITY_HEARTBEAT_TIMEOUT_MS must be between 1000 and 600000, got 10'],
    ['MEDIA_MAX_ATTEMPTS', '0', 'MEDIA_MAX_ATTEMPTS must be between 1 and 100, got 0'],
    ['S3_PRESIGN_SECONDS', '30', 'S3_PRESIGN_SECONDS must be between 60 and 604800, got 30'],
    ['CPU_CONCURRENCY', '1.5', 'CPU_CONCURRENCY must be an integer, got "1.5"'],
  ])('refuses %s=%s at start-up', (name, value, message) => {
    const env: Record<string, string> = { [name]: value };
    if (name === 'S3_PRESIGN_SECONDS') env.STORAGE_URL = 's3://bucket/prefix';
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes values at the bounds', () => {
    const c = loadConfig({ PORT: '65535', METRICS_PORT: '0', DRAIN_GRACE_MS: '0', SMART_CUT_MIN_COPIED_PIXELS: '0', CPU_CONCURRENCY: '1', MEDIA_MAX_ATTEMPTS: '1' });
    expect(c.port).toBe(65_535);
    expect(c.grpcPort).toBe(65_535);
    expect(c.metricsPort).toBe(0);
    expect(c.drainGraceMs).toBe(0);
    expect(c.limits.smartCutMinCopiedPixels).toBe(0);
    expect(c.cpuConcurrency).toBe(1);
    expect(c.workflowTimeouts.media.maxAttempts).toBe(1);
  });

  it('hands the tuned media limits to the workflows and keeps the rest', () => {
    const c = loadConfig({ ACTIVITY_HEARTBEAT_TIMEOUT_MS: '5000', MEDIA_ACTIVITY_TIMEOUT_MS: '60000', MEDIA_MAX_ATTEMPTS: '2' });
    expect(c.workflowTimeouts.media).toEqual({ ...DEFAULT_WORKFLOW_TIMEOUTS.media, heartbeatMs: 5_000, startToCloseMs: 60_000, maxAttempts: 2 });
    expect(c.workflowTimeouts.local).toEqual(DEFAULT_WORKFLOW_TIMEOUTS.local);
  });
});

import { describe, expect, it } from 'vitest';
import { clampProgress, DEFAULT_WORKFLOW_TIMEOUTS, heartbeatIntervalMs, MEDIA_NON_RETRYABLE, phaseProgress, progressOf } from './activity-policy.js';

describe('activity policy', () => {
  it('clamps a reported fraction onto 0..1', () => {
    expect([clampProgress(-0.5), clampProgress(0.25), clampProgress(1.2)]).toEqual([0, 0.25, 1]);
  });

  it('reads progress from heartbeat details, null when absent or not a number', () => {
    expect(progressOf({ progress: 0.4, attempt: 1 })).toBe(0.4);
    expect(progressOf({ progress: 3 })).toBe(1);
    expect(progressOf({ progress: '0.5' })).toBeNull();
    expect(progressOf({ progress: Number.NaN })).toBeNull();
    expect(progressOf(null)).toBeNull();
    expect(progressOf(undefined)).toBeNull();
  });

  it('maps a phase’s units onto its share of the job', () => {
    const share = { from: 0.05, to: 0.85 };
    expect(phaseProgress(share, 0, 100)).toBeCloseTo(0.05);
    expect(phaseProgress(share, 50, 100)).toBeCloseTo(0.45);
    expect(phaseProgress(share, 150, 100)).toBeCloseTo(0.85);
    expect(phaseProgress(share, 0, 0)).toBeCloseTo(0.05); // an unknown total starts the phase
  });

  it('heartbeats ten times per heartbeat timeout, the default one when none is set', () => {
    expect(heartbeatIntervalMs(20_000)).toBe(2_000);
    expect(heartbeatIntervalMs(5_000)).toBe(500);
    expect(heartbeatIntervalMs(undefined)).toBe(DEFAULT_WORKFLOW_TIMEOUTS.media.heartbeatMs / 10);
  });

  it('never retries a job whose input is at fault', () => {
    expect(MEDIA_NON_RETRYABLE).toEqual(['SourceError', 'BadInputError', 'MediaError']);
  });
});

// B11: live highlights. A live HLS playlist on storage gains a 1 s segment every second
// (scripts/stack/live-origin.ts); each request is a frame-accurate VIDEO clip whose end lies
// 10 s past the live edge, so its workflow waits for the edge (docs/api.md, Live rules). The
// measure is readiness latency: from the moment the segment holding the clip's end is
// published to the moment the client sees COMPLETED. Requests are spaced so that their
// jobs rarely overlap: what is timed is the wait's reaction plus one clip, not a queue.
import path from 'node:path';
import { liveSegments, startLiveOrigin } from '../../scripts/stack/live-origin.js';
import { type Scenario, type ScenarioOutcome, seconds, sleep } from '../lib/scenario.js';
import { medianByKey, summarize } from '../lib/stats.js';
import { judge } from '../lib/targets.js';
import { workflowTimes } from '../lib/workflow-phases.js';

const AHEAD_MS = 10_000;
const iso = (ms: number) => new Date(ms).toISOString();

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

export const liveEdge: Scenario = {
  id: 'B11',
  title: (p) => `live highlights: ${p.liveRequests} clips ending 10 s past the live edge, ready after the last segment`,
  async run(ctx): Promise<ScenarioOutcome> {
    const n = ctx.params.liveRequests;
    const spacingMs = 4_000;
    const rel = 'bench-live';
    const dir = path.join(ctx.storageRoot, rel);
    // Long enough for every request's end, plus the window before the first one.
    const segments = await liveSegments(dir, Math.ceil((n * spacingMs + AHEAD_MS) / 1000) + 40);
    const origin = await startLiveOrigin({ dir, segments, startAt: 20, window: 120, storageFile: path.join(dir, 'live.m3u8') });
    try {
      const eventId = await ctx.rest.createEvent('bench B11', `${rel}/live.m3u8`);
      const runs = [];
      for (let i = 0; i < n; i++) {
        // Ends off the segment boundaries (0..0.9 s into a segment), as real requests are.
        const end = origin.edgeMs() + AHEAD_MS + (i % 10) * 90;
        const start = end - 4_000;
        const submitted = await ctx.rest.submit('video', { name: `b11 ${i}`, clip: { eventId, start: iso(start), end: iso(end) }, frameAccurate: true });
        const publishedAt = origin.publishedAtMs(Math.floor((end - 1 - origin.t0) / 1000));
        // Settled at once: a failure is reported after the others, not as an unhandled rejection.
        runs.push(
          ctx.rest.waitDone(submitted, { timeoutMs: 120_000 }).then(
            (f) => ({ latencyMs: f.tDone - publishedAt, waitedMs: publishedAt - submitted.t0, publishedAt, tDone: f.tDone, jobId: f.asset.jobId, error: null }),
            (err: Error) => ({ latencyMs: NaN, waitedMs: NaN, publishedAt: NaN, tDone: NaN, jobId: '', error: err }),
          ),
        );
        await sleep(spacingMs);
      }
      const settled = await Promise.all(runs);
      const failed = settled.find((d) => d.error);
      if (failed) throw failed.error!;
      const done = settled;
      const latencies = done.map((d) => d.latencyMs);
      const s = summarize(latencies);
      const p = p95(latencies);
      ctx.log(`B11 latencies (ms): ${latencies.map((l) => Math.round(l)).join(', ')}`);
      // Where the time after publication goes: noticing it (the wait's last read and the
      // workflow task), the queue for a GPU-worker slot, the clip itself, the state write.
      const phases = [];
      if (ctx.temporal) {
        for (const d of done) {
          const t = await workflowTimes(ctx.temporal, d.jobId);
          const h = await liveReads(ctx.temporal, d.jobId, d.publishedAt);
          phases.push({ ...h, react: (t.mediaScheduled - d.publishedAt) / 1000, queue: (t.mediaStarted - t.mediaScheduled) / 1000, work: (t.mediaCompleted - t.mediaStarted) / 1000, finish: (d.tDone - t.mediaCompleted) / 1000 });
        }
      }
      const m = medianByKey(phases);
      const phaseLine = phases.length
        ? `medians: react ${seconds(m.react! * 1000)} (the finding read began ${seconds(m.readBegan! * 1000)} after publication, its timer fired ${seconds(m.timerLate! * 1000)} late, the read took ${seconds(m.read! * 1000)}), queue ${seconds(m.queue! * 1000)}, clip ${seconds(m.work! * 1000)}, finish ${seconds(m.finish! * 1000)}`
        : 'no Temporal: no phases';
      return {
        row: { pipeline: `p95 ${seconds(p)} (median ${seconds(s.median)}, max ${seconds(s.max)})`, baseline: '—', ratio: '—' },
        ...judge('B11', { p95Ms: p }),
        headline: `p95 ${seconds(p)}`,
        breakdown: [`${n} clips, each waited ~${seconds(summarize(done.map((d) => d.waitedMs)).median)} for its last segment; readiness after it: median ${seconds(s.median)}, p95 ${seconds(p)}`, phaseLine],
        data: { requests: n, latenciesMs: latencies, phases, p95Ms: p, medianMs: s.median, aheadMs: AHEAD_MS, spacingMs },
      };
    } finally {
      await origin.close();
    }
  },
};

type Ts = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;
const tsMs = (t: Ts): number => (t ? Number(t.seconds?.toString() ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);

/** The wait's last playlist read (the one that found the segment) and the timer before it, in seconds. */
async function liveReads(temporal: NonNullable<import('../lib/scenario.js').BenchContext['temporal']>, workflowId: string, publishedAt: number) {
  const events = (await temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const reads = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'readLiveEdge');
  const last = reads[reads.length - 1];
  const id = String(last?.eventId);
  const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === id);
  const done = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id);
  const timers = events.filter((e) => e.timerStartedEventAttributes);
  const timer = timers[timers.length - 1];
  const fired = events.find((e) => e.timerFiredEventAttributes && e.timerFiredEventAttributes.timerId === timer?.timerStartedEventAttributes?.timerId);
  const duration = timer?.timerStartedEventAttributes?.startToFireTimeout;
  const late = fired && timer ? tsMs(fired.eventTime) - tsMs(timer.eventTime) - tsMs(duration as Ts) : NaN;
  return { readBegan: (tsMs(started?.eventTime) - publishedAt) / 1000, read: (tsMs(done?.eventTime) - tsMs(started?.eventTime)) / 1000, timerLate: late / 1000 };
}

// B10: mixed load. A batch of requests (70% IMAGE, 20% GIF, 10% frame-accurate VIDEO; 200 in
// the full run) posted at once through the pipeline, against the same jobs run with the raw
// commands the other scenarios use as baselines (B2's grab, B1's ffmpeg + gifski pair, B3's
// full re-encode), by two pools the size of the workers' job slots (the CPU worker's for
// IMAGE and GIF, the GPU worker's for VIDEO), as the stack runs them. Throughput is requests
// ÷ (first POST → last COMPLETED seen), or ÷ the pools' makespan. None may be lost: every
// request must reach COMPLETED with its output in storage.
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatOffset } from '@framesmith/core/time';
import { countKinds, type MixedJob, mixedPlan } from '../lib/mixed-plan.js';
import type { Asset } from '../lib/rest-client.js';
import { timeCommand } from '../lib/media-checks.js';
import { pool } from '@framesmith/core/concurrency';
import { type BenchContext, ratioText, type Scenario, type ScenarioOutcome, seconds, sleep } from '../lib/scenario.js';
import { judge } from '../lib/targets.js';
import { clipFrames, offset, reencodeByHand, videoRequest } from './clip.js';
import { gifByHand, gifRequest, type GifSpec } from './gif.js';
import { grabByHand } from './image.js';

/** POSTs in flight at once, as B5 and B7 post their batches. */
const POSTS_IN_FLIGHT = 8;
const POLL_MS = 200;

interface Timed {
  job: MixedJob;
  /** Range as request text (ms precision), the same on both sides. */
  start: string;
  end: string;
}

const gifSpec = (ctx: BenchContext, t: Timed): GifSpec => ({ ...ctx.params.gif, start: t.start, end: t.end });

function request(ctx: BenchContext, eventId: string, t: Timed, name: string): Record<string, unknown> {
  switch (t.job.kind) {
    case 'image':
      return { eventId, name, time: t.start };
    case 'gif':
      return gifRequest({ ...ctx, eventId }, name, gifSpec(ctx, t));
    case 'video':
      return videoRequest({ ...ctx, eventId }, name, true, { start: t.start, end: t.end });
  }
}

/** Activity slots of a worker process, from the Temporal SDK's gauge on its /metrics (read while idle). */
async function activitySlots(metricsPort: number): Promise<number | null> {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => (r.ok ? r.text() : ''), () => '');
  const values = text
    .split('\n')
    .filter((l) => l.startsWith('temporal_worker_task_slots_available{') && l.includes('worker_type="ActivityWorker"'))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
  return values.length && values.every(Number.isFinite) ? values.reduce((a, b) => a + b, 0) : null;
}

/** The job slots of the CPU and GPU workers, and where each number came from. */
async function slots(ctx: BenchContext): Promise<{ cpu: number; gpu: number; from: string }> {
  const cpuPorts = ctx.workers?.running().map((w) => w.metricsPort) ?? [];
  const cpuRead = cpuPorts.length ? await Promise.all(cpuPorts.map(activitySlots)) : [];
  const cpuFromMetrics = cpuRead.length > 0 && cpuRead.every((v) => v !== null);
  const cpu = cpuFromMetrics ? cpuRead.reduce((a, b) => a! + b!, 0)! : ctx.cpuConcurrency;
  const gpuPort = ctx.stack?.metricsPorts['worker-gpu'];
  const gpuRead = gpuPort ? await activitySlots(gpuPort) : null;
  const gpu = gpuRead ?? 1;
  const from = `CPU ${cpu} (${cpuFromMetrics ? 'its workers’ /metrics' : 'CPU_CONCURRENCY'}), GPU ${gpu} (${gpuRead !== null ? 'its worker’s /metrics' : 'assumed: no metrics port known'})`;
  return { cpu, gpu, from };
}

/** The pipeline side: every request posted at once; done when all are COMPLETED or FAILED. */
async function throughPipeline(ctx: BenchContext, jobs: Timed[], deadlineMs: number) {
  const n = jobs.length;
  const eventId = await ctx.rest.createEvent('bench B10', ctx.mp4Rel);
  const t0 = performance.now();
  const posted = await pool(n, POSTS_IN_FLIGHT, (i) =>
    ctx.rest.submit(jobs[i]!.job.kind, request(ctx, eventId, jobs[i]!, `b10 ${i} ${jobs[i]!.job.kind}`)).then(
      (s) => ({ id: s.asset.id, error: null }),
      (err: Error) => ({ id: null, error: err.message }),
    ),
  );
  const ids = new Set(posted.flatMap((p) => (p.id ? [p.id] : [])));
  // When the client first saw each asset leave GENERATING (ms from t0).
  const seenAt = new Map<string, number>();
  let final: Asset[] = [];
  for (;;) {
    final = (await ctx.rest.listAll(eventId, 'COMPLETED,FAILED')).filter((a) => ids.has(a.id));
    for (const a of final) if (!seenAt.has(a.id)) seenAt.set(a.id, performance.now() - t0);
    if (final.length >= ids.size || performance.now() - t0 > deadlineMs) break;
    await sleep(POLL_MS);
  }
  const byId = new Map(final.map((a) => [a.id, a]));
  const lost: string[] = posted.flatMap((p, i) => (p.error ? [`request ${i} (${jobs[i]!.job.kind}) not accepted: ${p.error.slice(0, 120)}`] : []));
  const kindOf = new Map(posted.map((p, i) => [p.id, jobs[i]!.job.kind]));
  for (const id of ids) {
    const a = byId.get(id);
    if (!a) lost.push(`${id} (${kindOf.get(id)}) still GENERATING after ${seconds(deadlineMs)}`);
    else if (a.stateString !== 'COMPLETED') lost.push(`${id} (${kindOf.get(id)}) ${a.stateString}: ${a.failureReason ?? ''}`);
    else if (!((await stat(path.join(ctx.storageRoot, a.path)).catch(() => null))?.size ?? 0)) lost.push(`${id} (${kindOf.get(id)}) COMPLETED without its output ${a.path}`);
  }
  const lane = (kinds: string[]) => Math.max(0, ...[...seenAt].filter(([id]) => kinds.includes(kindOf.get(id)!)).map(([, ms]) => ms)) / 1000;
  return { seconds: Math.max(0, ...seenAt.values()) / 1000, cpuLane: lane(['image', 'gif']), gpuLane: lane(['video']), lost, eventId };
}

/** The raw side: the same jobs with the raw commands, two pools the size of the worker slots. */
async function byHand(ctx: BenchContext, jobs: Timed[], s: { cpu: number; gpu: number }, deadlineMs: number) {
  const dir = path.join(ctx.workDir, 'b10-by-hand');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const src = path.join(ctx.storageRoot, ctx.mp4Rel);
  const { fps } = ctx.media.spec;
  const t0 = performance.now();
  const run = async (t: Timed) => {
    if (performance.now() - t0 > deadlineMs) throw new Error(`B10 by hand: past ${seconds(deadlineMs)}`);
    const out = path.join(dir, `${t.job.i}`);
    if (t.job.kind === 'image') await timeCommand('ffmpeg', grabByHand(src, t.start, `${out}.jpg`));
    else if (t.job.kind === 'gif') await gifByHand(ctx, `${out}.gif`, gifSpec(ctx, t));
    else {
      const { first, last } = clipFrames(offset(t.start), offset(t.end), fps);
      await timeCommand('ffmpeg', reencodeByHand(src, first, last - first + 1, fps, `${out}.mp4`));
    }
  };
  const lanes = { cpu: jobs.filter((t) => t.job.kind !== 'video'), gpu: jobs.filter((t) => t.job.kind === 'video') };
  const laneRun = async (list: Timed[], size: number) => {
    await pool(list.length, size, (i) => run(list[i]!));
    return (performance.now() - t0) / 1000;
  };
  try {
    const [cpuLane, gpuLane] = await Promise.all([laneRun(lanes.cpu, s.cpu), laneRun(lanes.gpu, s.gpu)]);
    return { seconds: Math.max(cpuLane, gpuLane), cpuLane, gpuLane };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const mixedLoad: Scenario = {
  id: 'B10',
  title: (p) => `mixed load: ${p.mixed.requests} requests (70% IMAGE, 20% GIF, 10% frame-accurate VIDEO of ${p.mixed.clipSeconds} s) vs the raw tools at the same concurrency`,
  async run(ctx): Promise<ScenarioOutcome> {
    const m = ctx.params.mixed;
    const g = ctx.params.gif;
    const plan = mixedPlan(m.requests, { sourceSeconds: ctx.media.spec.seconds, gifSeconds: offset(g.end) - offset(g.start), clipSeconds: m.clipSeconds });
    const jobs: Timed[] = plan.map((job) => ({ job, start: formatOffset(job.start), end: formatOffset(job.end) }));
    const s = await slots(ctx);
    const deadlineMs = m.deadlineSeconds * 1000;
    const pipe = await throughPipeline(ctx, jobs, deadlineMs);
    const hand = await byHand(ctx, jobs, s, deadlineMs);
    const n = jobs.length;
    const tp = { pipeline: n / pipe.seconds, raw: n / hand.seconds };
    const ratio = tp.pipeline / tp.raw;
    const kinds = countKinds(plan);
    const lost = pipe.lost.length;
    return {
      row: {
        pipeline: `${tp.pipeline.toFixed(2)} req/s (${n} in ${seconds(pipe.seconds * 1000)}), ${lost} lost`,
        baseline: `${tp.raw.toFixed(2)} req/s (${seconds(hand.seconds * 1000)})`,
        ratio: ratioText(ratio),
      },
      ...judge('B10', { throughputRatio: ratio, noneLost: lost === 0 }),
      headline: `${ratioText(ratio)} of the raw tools`,
      breakdown: [
        `${kinds.image} IMAGE, ${kinds.gif} GIF (${g.fps} fps, ${g.width} px, ${offset(g.end) - offset(g.start)} s), ${kinds.video} frame-accurate VIDEO (${m.clipSeconds} s), times spread over the source; posted ${POSTS_IN_FLIGHT} at a time`,
        `job slots: ${s.from}; the raw side runs IMAGE and GIF in a pool of ${s.cpu} and VIDEO in a pool of ${s.gpu}, at once`,
        `last IMAGE/GIF done: pipeline ${seconds(pipe.cpuLane * 1000)}, raw ${seconds(hand.cpuLane * 1000)}; last VIDEO done: pipeline ${seconds(pipe.gpuLane * 1000)}, raw ${seconds(hand.gpuLane * 1000)} (VIDEO raw is B3's full re-encode, the pipeline's a smart cut)`,
        ...pipe.lost.slice(0, 5).map((l) => `lost: ${l}`),
      ],
      data: { requests: n, kinds, slots: s, throughput: tp, ratio, pipeline: pipe, raw: hand, clipSeconds: m.clipSeconds, deadlineSeconds: m.deadlineSeconds },
    };
  },
};

// B7: IMAGE throughput with one CPU worker process and with two, CPU_CONCURRENCY=1 each, so
// the comparison is processes, not slots. One stack throughout: the harness starts the
// stack without its CPU worker and starts (and stops) the worker processes itself, which
// is cheaper than two stacks on 2 cores and keeps PostgreSQL, Temporal and the gateway
// identical between the two measurements.
import { formatOffset } from '@framesmith/core/time';
import { pool } from '@framesmith/core/concurrency';
import { type BenchContext, type CpuWorker, ratioText, type Scenario, type ScenarioOutcome, SkipScenario, sleep } from '../lib/scenario.js';
import { summarize } from '../lib/stats.js';
import { judge } from '../lib/targets.js';

async function batch(ctx: BenchContext, label: string): Promise<number> {
  const n = ctx.params.throughputJobs;
  const eventId = await ctx.rest.createEvent(`bench B7 ${label}`, ctx.mp4Rel);
  const duration = ctx.media.spec.seconds;
  const at = (i: number) => formatOffset(((i * 5.93) % (duration - 2)) + 0.25);
  const t0 = Date.now();
  await pool(n, 8, (i) => ctx.rest.submit('image', { eventId, name: `b7 ${label} ${i}`, time: at(i) }));
  for (;;) {
    const done = await ctx.rest.listAll(eventId, 'COMPLETED,FAILED');
    if (done.length >= n) {
      const failed = done.filter((a) => a.stateString === 'FAILED');
      if (failed.length) throw new Error(`${failed.length} B7 assets FAILED: ${failed[0]!.failureReason}`);
      return n / ((Date.now() - t0) / 1000);
    }
    if (Date.now() - t0 > 20 * 60_000) throw new Error(`B7: ${done.length} of ${n} finished in 20 minutes`);
    await sleep(200);
  }
}

export const throughput: Scenario = {
  id: 'B7',
  title: (p) => `throughput: ${p.throughputJobs} IMAGE requests, 1 vs 2 worker processes`,
  async run(ctx): Promise<ScenarioOutcome> {
    const workers = ctx.workers;
    if (!workers) throw new SkipScenario('needs a stack started by the harness (it starts the worker processes)');
    const before = workers.running().length;
    for (const w of workers.running()) await workers.stop(w);
    let second: CpuWorker | null = null;
    const one: number[] = [];
    const two: number[] = [];
    try {
      await workers.start(1);
      for (let r = 0; r < ctx.params.throughputRuns; r++) {
        if (second) {
          await workers.stop(second);
          second = null;
        }
        one.push(await batch(ctx, `1p run ${r}`));
        second = await workers.start(1);
        two.push(await batch(ctx, `2p run ${r}`));
      }
    } finally {
      for (const w of workers.running()) await workers.stop(w);
      // Back to the stack's usual worker for any scenario that follows.
      for (let i = 0; i < Math.max(1, before); i++) await workers.start(ctx.cpuConcurrency);
    }
    const a = summarize(one);
    const b = summarize(two);
    const ratio = b.median / a.median;
    const f = (s: typeof a) => `${s.median.toFixed(2)} jobs/s${s.n > 1 ? ` (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : ''}`;
    return {
      row: { pipeline: `1 process ${f(a)}; 2 processes ${f(b)}`, baseline: '—', ratio: ratioText(ratio) },
      ...judge('B7', {}),
      headline: `2p/1p ${ratioText(ratio)}`,
      breakdown: [`${ctx.params.throughputJobs} IMAGE requests per batch, posted 8 at a time; jobs/s = requests / (first POST → last COMPLETED)`],
      data: { oneProcess: a, twoProcesses: b, ratio, jobs: ctx.params.throughputJobs },
    };
  },
};

// B9: many WatchAsset streams on one gateway while assets complete. The assets are rows made
// and completed through the repo (insertAsset, then completeAsset: the orchestrator's own
// completion path), not media jobs, so the numbers are the control plane's alone: the time
// from the completing UPDATE to each stream's COMPLETED message, and the CPU the gateway and
// PostgreSQL spend meanwhile (from /proc/<pid>/stat), with the streams idle and while they fire.
import { randomUUID } from 'node:crypto';
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import { AssetState, AssetType } from '@framesmith/core/domain/asset';
import { createPool } from '@framesmith/core/db/pool';
import { createRepo } from '@framesmith/core/db/repo';
import { apiKeyInterceptor, AssetServiceClient, type AssetUpdate } from '../../test/support/grpc-client.js';
import { cpuPercent as pct, cpuSeconds, postgresCpuSeconds } from '../lib/process-cpu.js';
import { type Scenario, type ScenarioOutcome, SkipScenario } from '../lib/scenario.js';
import { judge } from '../lib/targets.js';

// The numbers in --quick mode too: no media is involved, the run takes seconds.
const STREAMS = 1000;
const ASSETS = 100;
const OPEN_BATCH = 100;
const CONNECTIONS = 4; // the gateway allows 1,000 streams per HTTP/2 connection
function resolvers() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // A stream can fail before the promise is awaited (while the others still open): marked
  // handled so Node does not end the whole run on it; the await below still throws, and B9
  // is a FAILED row.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('B9: streams did not open in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

export const watchFanout: Scenario = {
  id: 'B9',
  title: () => `WatchAsset fan-out: ${STREAMS.toLocaleString('en-US')} streams on one gateway while ${ASSETS} assets complete`,
  async run(ctx): Promise<ScenarioOutcome> {
    const stack = ctx.stack;
    if (!stack) throw new SkipScenario('B9 reads the stack processes’ CPU: it needs the stack the harness starts (not --url)');
    const gatewayPid = stack.pidOf('gateway');
    const postgresPid = stack.pidOf('postgres');
    if (!gatewayPid || !postgresPid) throw new SkipScenario('B9 needs the gateway and PostgreSQL PIDs');
    const streamsTotal = STREAMS;
    const assetCount = ASSETS;

    const pool = createPool(stack.databaseUrl, null, 2);
    const repo = createRepo(pool, { pathRoots: [] });
    const clients = Array.from({ length: CONNECTIONS }, () =>
      new AssetServiceClient(stack.grpcAddress, credentials.createInsecure(), { interceptors: [apiKeyInterceptor(stack.apiKey)], 'grpc.use_local_subchannel_pool': 1 }),
    );
    const calls: ClientReadableStream<AssetUpdate>[] = [];
    const ids: string[] = [];
    try {
      const event = await repo.getEvent(ctx.eventId);
      if (!event) throw new Error('the bench event is missing');
      for (let i = 0; i < assetCount; i++) {
        const id = randomUUID();
        ids.push(id);
        // A job id no workflow has: the gateway still asks Temporal for its progress, once per
        // period per asset, as it would for a running job.
        await repo.insertAsset(repo.db, {
          id, eventId: event.id, name: `b9 ${i}`, path: `bench-b9/${id}.jpg`, extension: 'jpg', state: AssetState.GENERATING,
          type: AssetType.IMAGE, jobId: `bench-b9-${id}`, contentId: event.contentId, priority: 5,
        });
      }
      const committedAt = new Map<string, number>();
      const latencies: number[] = [];
      let opened = 0;
      let finished = 0;
      let failures = 0;
      const allOpen = resolvers();
      const allDone = resolvers();
      const openTimeout = setTimeout(() => allOpen.reject(new Error(`only ${opened} of ${streamsTotal} streams opened in 120 s`)), 120_000);
      // Clients arrive in batches of OPEN_BATCH, each batch open before the next: a thousand
      // first reads in the same millisecond would only measure the pool's queue.
      for (let s = 0; s < streamsTotal; s++) {
        const id = ids[s % assetCount]!;
        const call = clients[s % CONNECTIONS]!.watchAsset({ id });
        calls.push(call);
        let first = true;
        call.on('data', (u: AssetUpdate) => {
          if (first && !(first = false) && ++opened === streamsTotal) allOpen.resolve();
          if (u.asset?.stateString === 'COMPLETED') {
            latencies.push(performance.now() - committedAt.get(id)!);
            if (++finished === streamsTotal) allDone.resolve();
          }
        });
        call.on('error', (err) => {
          failures++;
          if (failures <= 5) ctx.log(`B9 stream error: ${err.message}`);
          allOpen.reject(err);
          if (++finished === streamsTotal) allDone.resolve();
        });
        if ((s + 1) % OPEN_BATCH === 0) await until(() => opened === s + 1 || failures > 0, 60_000);
      }
      await allOpen.promise.finally(() => clearTimeout(openTimeout));

      // Idle: every stream open on a GENERATING asset and nothing changing.
      const idleMs = 5_000;
      const idle0 = { gw: await cpuSeconds(gatewayPid, false), pg: await postgresCpuSeconds(postgresPid), t: performance.now() };
      await new Promise((r) => setTimeout(r, idleMs));
      const idle1 = { gw: await cpuSeconds(gatewayPid, false), pg: await postgresCpuSeconds(postgresPid), t: performance.now() };

      // Completion: one asset every 20 ms; the clock starts before the UPDATE is sent (its
      // commit can only come later), so the latencies are upper bounds.
      const run0 = { gw: idle1.gw, pg: idle1.pg, t: performance.now() };
      for (const id of ids) {
        committedAt.set(id, performance.now());
        if (!(await repo.completeAsset(id))) throw new Error(`asset ${id} did not complete`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const doneTimeout = setTimeout(() => allDone.reject(new Error(`only ${finished} of ${streamsTotal} streams saw the final state in 30 s`)), 30_000);
      await allDone.promise.finally(() => clearTimeout(doneTimeout));
      const run1 = { gw: await cpuSeconds(gatewayPid, false), pg: await postgresCpuSeconds(postgresPid), t: performance.now() };

      const sorted = [...latencies].sort((a, b) => a - b);
      const p50 = quantile(sorted, 0.5);
      const p95 = quantile(sorted, 0.95);
      const max = sorted[sorted.length - 1] ?? NaN;
      const idleCpu = { gateway: pct(idle1.gw - idle0.gw, idle1.t - idle0.t), postgres: pct(idle1.pg - idle0.pg, idle1.t - idle0.t) };
      const runCpu = { gateway: pct(run1.gw - run0.gw, run1.t - run0.t), postgres: pct(run1.pg - run0.pg, run1.t - run0.t) };
      const ms = (x: number) => `${Math.round(x)} ms`;
      const seen = latencies.length;
      return {
        row: {
          pipeline: `commit → stream p50 ${ms(p50)}, p95 ${ms(p95)}, max ${ms(max)}; ${seen}/${streamsTotal} streams`,
          baseline: `CPU idle: gateway ${idleCpu.gateway}%, PostgreSQL ${idleCpu.postgres}%; completing: ${runCpu.gateway}%, ${runCpu.postgres}%`,
          ratio: '—',
        },
        ...judge('B9', { maxMs: max, allSeen: failures === 0 && seen === streamsTotal }),
        headline: `max ${ms(max)}`,
        breakdown: [
          `${streamsTotal} streams over ${CONNECTIONS} HTTP/2 connections, ${streamsTotal / assetCount} per asset; ${assetCount} assets completed by repo.completeAsset, one every 20 ms`,
          `CPU in % of one core: idle ${idleMs / 1000} s with all streams open: gateway ${idleCpu.gateway}%, PostgreSQL ${idleCpu.postgres}%; from the first completion to the last stream's final state (${ms(run1.t - run0.t)}): gateway ${runCpu.gateway}%, PostgreSQL ${runCpu.postgres}%`,
          'the harness (gRPC clients) runs on the same cores as the gateway and PostgreSQL',
        ],
        data: { streams: streamsTotal, assets: assetCount, failures, latencyMs: { p50, p95, max }, cpuPercent: { idle: idleCpu, completing: runCpu }, idleMs, completingMs: run1.t - run0.t },
      };
    } finally {
      for (const c of calls) c.cancel();
      for (const c of clients) c.close();
      for (const id of ids) await repo.deleteAsset(id).catch(() => null);
      await pool.end();
    }
  },
};

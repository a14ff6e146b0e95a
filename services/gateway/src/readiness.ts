// The gateway's /readyz: PostgreSQL and Temporal answer, the namespace has our search
// attributes, and a worker polls the orchestration queue. Every check has a deadline, so a
// stalled dependency makes the gateway not-ready within seconds (the Helm probe allows 3 s).
// CPU and GPU queues without a poller are reported but keep the gateway ready: their pools may
// scale to zero (KEDA wakes them on backlog, which needs the gateway to accept jobs).
import type { Config } from '@framesmith/core/config';
import type { Pool } from '@framesmith/core/db/pool';
import type { Readiness } from '@framesmith/core/ops/health-server';
import type { Storage } from '@framesmith/core/storage';
import { callWithDeadline } from '@framesmith/core/temporal/call-with-deadline';
import type { Connection } from '@temporalio/client';

/** Poller lists are cached this long: /readyz is probed every few seconds by every instance. */
const POLLERS_CACHE_MS = 5_000;
/** An idle worker re-polls about every minute (the server's long-poll expiry); a silent one is gone. */
const POLLER_FRESH_MS = 120_000;
// temporal.api.enums.v1: TaskQueueKind NORMAL, TaskQueueType WORKFLOW / ACTIVITY.
const KIND_NORMAL = 1;
const TYPE_WORKFLOW = 1;
const TYPE_ACTIVITY = 2;

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

function timestampMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) return 0;
  const s = t.seconds as { toNumber?: () => number } | number | string | null | undefined;
  const seconds = typeof s === 'object' && s?.toNumber ? s.toNumber() : Number(s ?? 0);
  return seconds * 1000 + (t.nanos ?? 0) / 1e6;
}

export function createGatewayReadiness(deps: {
  config: Config;
  pool: Pool;
  connection: Connection;
  searchAttributes: () => Promise<string | null>;
  /** The configured storage (folder or bucket); its check names what is wrong. */
  storage?: Storage;
}): () => Promise<Readiness> {
  const checkMs = deps.config.timeouts.readinessCheckMs;
  const { config, pool, connection } = deps;
  const queues = [
    { name: config.taskQueues.orchestration, type: TYPE_WORKFLOW, required: true },
    { name: config.taskQueues.cpu, type: TYPE_ACTIVITY, required: false },
    { name: config.taskQueues.gpu, type: TYPE_ACTIVITY, required: false },
  ];
  let pollers: { at: number; result: Promise<{ name: string; required: boolean; polled: boolean }[]> } | null = null;

  const describePollers = () =>
    Promise.all(
      queues.map(async (q) => {
        const r = await callWithDeadline(connection, checkMs, `to describe task queue ${q.name}`, () =>
          connection.workflowService.describeTaskQueue({ namespace: config.temporalNamespace, taskQueue: { name: q.name, kind: KIND_NORMAL }, taskQueueType: q.type }),
        );
        const polled = (r.pollers ?? []).some((p) => Date.now() - timestampMs(p.lastAccessTime) < POLLER_FRESH_MS);
        return { name: q.name, required: q.required, polled };
      }),
    );

  return async () => {
    if (!pollers || Date.now() - pollers.at >= POLLERS_CACHE_MS) {
      const result = describePollers();
      pollers = { at: Date.now(), result };
      // A failed look-up is not cached: the next probe asks again.
      result.catch(() => (pollers = null));
    }
    const [db, temporal, sa, polled, stored] = await Promise.allSettled([
      within(checkMs, 'PostgreSQL', pool.query('SELECT 1')),
      within(checkMs, 'Temporal', callWithDeadline(connection, checkMs, 'to the health check', () => connection.healthService.check({}))),
      within(checkMs, 'Temporal (search attributes)', deps.searchAttributes()),
      within(checkMs, 'Temporal (task queues)', pollers.result),
      within(checkMs, 'storage', deps.storage?.check() ?? Promise.resolve()),
    ]);
    const problems: string[] = [];
    const notes: string[] = [];
    if (db.status === 'rejected') problems.push(`PostgreSQL is unavailable: ${(db.reason as Error).message}`);
    if (temporal.status === 'rejected') problems.push(`Temporal is unavailable: ${(temporal.reason as Error).message}`);
    if (stored.status === 'rejected') problems.push(`storage is unavailable: ${(stored.reason as Error).message}`);
    if (sa.status === 'rejected') problems.push(`Temporal search attributes: ${(sa.reason as Error).message}`);
    else if (sa.value) problems.push(sa.value);
    if (polled.status === 'fulfilled') {
      for (const q of polled.value) {
        if (q.polled) continue;
        (q.required ? problems : notes).push(`no worker polls task queue ${q.name}${q.required ? '' : ' (its jobs wait until one starts)'}`);
      }
    } else if (temporal.status === 'fulfilled') {
      problems.push(`task queues could not be described: ${(polled.reason as Error).message}`);
    }
    return { ready: problems.length === 0, reasons: [...problems, ...notes] };
  };
}

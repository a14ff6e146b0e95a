// B5: one priority-1 IMAGE request posted behind a backlog of priority-10 IMAGE requests.
// Temporal's history says when each media activity was scheduled and when a worker started
// it; the urgent job should start as soon as a job slot frees, so the low-priority jobs that
// were already waiting and still started before it must be at most one slot's worth (the
// CPU worker's concurrency: jobs already handed to the worker as slots freed).
import { formatOffset } from '@framesmith/core/time';
import type { Submitted } from '../lib/rest-client.js';
import { pool } from '@framesmith/core/concurrency';
import { type Scenario, type ScenarioOutcome, seconds, sleep } from '../lib/scenario.js';
import { judge } from '../lib/targets.js';
import { workflowTimes } from '../lib/workflow-phases.js';

export const priority: Scenario = {
  id: 'B5',
  title: (p) => `priority: 1 priority-1 request behind ${p.priorityBacklog} priority-10`,
  async run(ctx): Promise<ScenarioOutcome> {
    if (!ctx.temporal) throw new Error('needs Temporal (pass --temporal with --url) to read when jobs started');
    const temporal = ctx.temporal;
    const n = ctx.params.priorityBacklog;
    const eventId = await ctx.rest.createEvent('bench B5', ctx.mp4Rel);
    const duration = ctx.media.spec.seconds;
    // Grabs spread over the source (every GOP position), same cost profile as B2.
    const at = (i: number) => formatOffset(((i * 7.37) % (duration - 2)) + 0.5);
    const low: Submitted[] = await pool(n, 4, (i) => ctx.rest.submit('image', { eventId, name: `b5 low ${i}`, time: at(i), priority: 10 }));
    // Let every backlog workflow schedule its media activity before the urgent one arrives.
    await sleep(1000);
    const urgent = await ctx.rest.submit('image', { eventId, name: 'b5 urgent', time: at(n), priority: 1 });
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      const done = await ctx.rest.listAll(eventId, 'COMPLETED,FAILED');
      if (done.length >= n + 1) {
        const failed = done.filter((a) => a.stateString === 'FAILED');
        if (failed.length) throw new Error(`${failed.length} B5 assets FAILED: ${failed[0]!.failureReason}`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`B5: only ${done.length} of ${n + 1} assets finished in 20 minutes`);
      await sleep(250);
    }
    ctx.shared.busyEventId = eventId;
    const u = await workflowTimes(temporal, urgent.asset.jobId);
    const lows = [];
    for (const s of low) lows.push(await workflowTimes(temporal, s.asset.jobId));
    const waiting = lows.filter((w) => w.mediaScheduled <= u.mediaScheduled && w.mediaStarted > u.mediaScheduled);
    const overtook = waiting.filter((w) => w.mediaStarted < u.mediaStarted).length;
    const startedAfter = lows.filter((w) => w.mediaStarted > u.mediaStarted).length;
    const slots = ctx.cpuConcurrency;
    const wait = u.mediaStarted - u.mediaScheduled;
    const breakdown = [
      `${waiting.length} priority-10 jobs were waiting when the urgent job was scheduled; ${overtook} of them started before it, ${startedAfter} after; it waited ${seconds(wait)} in the queue (POST → scheduled ${seconds(u.mediaScheduled - urgent.t0)})`,
    ];
    if (waiting.length < 3 * slots) breakdown.push(`warning: the backlog had drained to ${waiting.length} jobs, too few for a strong test`);
    return {
      row: { pipeline: `${overtook} of ${waiting.length} waiting started first (${slots} job slots); queue wait ${seconds(wait)}`, baseline: '—', ratio: '—' },
      ...judge('B5', { overtakenPerSlot: overtook / slots }),
      headline: `${overtook} ahead`,
      breakdown,
      data: { backlog: n, waiting: waiting.length, overtook, startedAfter, queueWaitMs: wait, slots },
    };
  },
};

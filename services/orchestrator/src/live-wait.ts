// Workflow code: waits until a live window's edge reaches what the job needs. Durable and
// idle: a Temporal timer between short playlist reads (an activity), so nothing holds a worker
// slot, a restarted orchestrator resumes the same wait, and cancelling the workflow (deleting
// the asset) ends the timer at once. The state shows in the workflow's memo and `liveWait`
// query, which the gateway reads for the asset's `detail`.
import { ApplicationFailure, defineQuery, proxyActivities, setHandler, sleep, upsertMemo } from '@temporalio/workflow';
import type { SourceRef } from '@framesmith/core/domain/job';
import type { LiveWait, LiveWaitStatus } from '@framesmith/core/media/live-window';
import type { LiveActivities } from './live-activities.js';

export const liveWaitQuery = defineQuery<LiveWaitStatus | null>('liveWait');
export const LIVE_WAIT_MEMO = 'liveWait';

const live = proxyActivities<LiveActivities>({
  // One playlist read; a read cut short by a restarted orchestrator is retried soon.
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['SourceError'] },
});

// RFC 8216 6.3.4: a client reloads an unchanged playlist after half the target duration.
const MIN_POLL_MS = 250;

const iso = (ms: number) => new Date(ms).toISOString();

function liveFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'LiveEdgeNotReached', nonRetryable: true });
}

export async function waitForLiveEdge(source: SourceRef, wait: LiveWait): Promise<void> {
  let status: LiveWaitStatus = { waiting: true, untilMs: wait.untilMs, edgeMs: null, checkedAtMs: null };
  setHandler(liveWaitQuery, () => status);
  const show = (next: LiveWaitStatus) => {
    status = next;
    upsertMemo({ [LIVE_WAIT_MEMO]: next });
  };
  show(status);
  let lastEdgeMs = -Infinity;
  let movedAtMs = Date.now(); // workflow time: deterministic on replay
  for (;;) {
    const w = await live.readLiveEdge({ source });
    const now = Date.now();
    if (w.edgeMs >= wait.untilMs) {
      show({ waiting: false, untilMs: wait.untilMs, edgeMs: w.edgeMs, checkedAtMs: now });
      return;
    }
    if (w.edgeMs !== status.edgeMs) show({ waiting: true, untilMs: wait.untilMs, edgeMs: w.edgeMs, checkedAtMs: now });
    if (w.endList) throw liveFailure(`the live stream ended at ${iso(w.edgeMs)}, before ${iso(wait.untilMs)} that the request needs`);
    if (w.edgeMs > lastEdgeMs) {
      lastEdgeMs = w.edgeMs;
      movedAtMs = now;
    }
    const stallMs = wait.stallTargetDurations * w.targetDurationSeconds * 1000;
    if (now - movedAtMs >= stallMs) {
      throw liveFailure(
        `the live stream stalled: no new segment for ${(stallMs / 1000).toFixed(0)} s (${wait.stallTargetDurations} target durations) ` +
          `with its edge at ${iso(w.edgeMs)}, before ${iso(wait.untilMs)} that the request needs`,
      );
    }
    if (now >= wait.giveUpAtMs) throw liveFailure(`the live edge did not reach ${iso(wait.untilMs)} by ${iso(wait.giveUpAtMs)}`);
    await sleep(Math.max(MIN_POLL_MS, (w.targetDurationSeconds * 1000) / 2));
  }
}

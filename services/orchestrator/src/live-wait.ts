// Workflow code: waits until a live window's edge reaches what the job needs. Durable and
// idle: a Temporal timer between short playlist reads (an activity), so nothing holds a worker
// slot, a restarted orchestrator resumes the same wait, and cancelling the workflow (deleting
// the asset) ends the timer at once. The state shows in the workflow's memo and `liveWait`
// query, which the gateway reads for the asset's `detail`.
import { ApplicationFailure, defineQuery, proxyActivities, setHandler, sleep, upsertMemo } from '@temporalio/workflow';
import type { SourceRef } from '@framesmith/core/domain/job';
import type { LiveWait, LiveWaitStatus } from '@framesmith/core/media/live-window';
import type { WorkflowTimeouts } from '@framesmith/core/temporal/activity-policy';
import type { LiveActivities } from './activity-types.js';
import { liveReadOptions } from './activity-options.js';

export const liveWaitQuery = defineQuery<LiveWaitStatus | null>('liveWait');
export const LIVE_WAIT_MEMO = 'liveWait';

// RFC 8216 6.3.4: a client reloads an unchanged playlist after half the target duration.
const MIN_POLL_MS = 100;
// Reloading this long after the needed segment is due absorbs the jitter of reads and writes.
const DUE_MARGIN_MS = 50;
// Reads while far away come every 3/4 target duration, not every one: reads locked to the
// stream's cadence would always land at the same time after a publication and the lag estimate
// (the smallest read-minus-edge gap) would never get better than that phase.
const FAR_READ_FRACTION = 0.75;

const iso = (ms: number) => new Date(ms).toISOString();

function liveFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'LiveEdgeNotReached', nonRetryable: true });
}

export async function waitForLiveEdge(source: SourceRef, wait: LiveWait, timeouts: WorkflowTimeouts['liveRead']): Promise<void> {
  const live = proxyActivities<LiveActivities>(liveReadOptions(timeouts));
  let status: LiveWaitStatus = { waiting: true, untilMs: wait.untilMs, edgeMs: null, checkedAtMs: null };
  setHandler(liveWaitQuery, () => status);
  const show = (next: LiveWaitStatus) => {
    status = next;
    upsertMemo({ [LIVE_WAIT_MEMO]: next });
  };
  show(status);
  let lastEdgeMs = -Infinity;
  let movedAtMs = Date.now(); // workflow time: deterministic on replay
  // How long after its end instant a segment shows in the playlist: the smallest gap seen
  // between a read and the edge it found (the encoder's and packager's latency, from above).
  let lagMs = Infinity;
  // From asking for a read to the read beginning (timer, task dispatch): the next read is asked
  // for that much earlier. The smallest seen, as for the lag.
  let startLatencyMs = Infinity;
  for (;;) {
    const askedAtMs = Date.now();
    const w = await live.readLiveEdge({ source });
    const now = Date.now();
    lagMs = Math.min(lagMs, w.readAtMs - w.edgeMs);
    startLatencyMs = Math.min(startLatencyMs, Math.max(0, w.readAtMs - askedAtMs));
    if (w.edgeMs >= wait.untilMs) {
      show({ waiting: false, untilMs: wait.untilMs, edgeMs: w.edgeMs, checkedAtMs: now });
      return;
    }
    if (w.edgeMs !== status.edgeMs) show({ waiting: true, untilMs: wait.untilMs, edgeMs: w.edgeMs, checkedAtMs: now });
    if (w.endList) throw liveFailure(`the live stream ended at ${iso(w.edgeMs)}, before ${iso(wait.untilMs)} that the request needs`);
    const moved = w.edgeMs > lastEdgeMs;
    if (moved) {
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
    // The delay is counted to when the read will begin, not to when it is asked for.
    await sleep(nextReadDelay(w, wait.untilMs, { nowMs: now + (Number.isFinite(startLatencyMs) ? startLatencyMs : 0), lagMs, moved }));
  }
}

/**
 * When to read the playlist next (ms). Segments come at the stream's cadence, so the one
 * holding `untilMs` is due at the end of its segment plus the publication lag (`lagMs`): the
 * read is aimed just after that, so the job starts right after publication with few reads
 * while far away; at most 3/4 of a target duration apart (stall detection, and a phase that
 * drifts so the lag estimate tightens), and an unchanged playlist is not reread within half a
 * target duration (RFC 8216 6.3.4).
 */
export function nextReadDelay(
  w: { edgeMs: number; targetDurationSeconds: number; lastSegmentSeconds: number },
  untilMs: number,
  o: { nowMs: number; lagMs: number; moved: boolean },
): number {
  const targetMs = w.targetDurationSeconds * 1000;
  const segmentMs = w.lastSegmentSeconds > 0 ? w.lastSegmentSeconds * 1000 : targetMs;
  const dueEdgeMs = w.edgeMs + Math.ceil((untilMs - w.edgeMs) / segmentMs) * segmentMs;
  const lag = Number.isFinite(o.lagMs) ? Math.max(0, o.lagMs) : 0;
  const untilDueMs = dueEdgeMs + lag + DUE_MARGIN_MS - o.nowMs;
  const floor = o.moved ? MIN_POLL_MS : Math.max(MIN_POLL_MS, targetMs / 2);
  return Math.round(Math.min(targetMs * FAR_READ_FRACTION, Math.max(floor, untilDueMs)));
}

// Where an asset's time went, read from its Temporal workflow history: the media activity's
// ActivityTaskScheduled → Started (queue wait) → Completed (the worker's own time). For
// activities with retries Temporal writes the Started event late, but stamps it with the
// real start time, so the timestamps hold.
import type { Client } from '@temporalio/client';

export interface WorkflowTimes {
  workflowStarted: number;
  mediaScheduled: number;
  mediaStarted: number;
  mediaCompleted: number;
  workflowClosed: number | null;
  attempts: number;
}

type Ts = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;
const ms = (t: Ts): number => (t ? Number(t.seconds?.toString() ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);

export async function workflowTimes(client: Client, workflowId: string): Promise<WorkflowTimes> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const started = events.find((e) => e.workflowExecutionStartedEventAttributes);
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name?.startsWith('make'));
  const lastScheduled = scheduled[scheduled.length - 1];
  if (!started || !lastScheduled) throw new Error(`workflow ${workflowId} has no media activity in its history`);
  const id = String(lastScheduled.eventId);
  const act = events.find((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === id);
  const done = events.find((e) => e.activityTaskCompletedEventAttributes && String(e.activityTaskCompletedEventAttributes.scheduledEventId) === id);
  const closed = events.find((e) => e.workflowExecutionCompletedEventAttributes || e.workflowExecutionFailedEventAttributes);
  return {
    workflowStarted: ms(started.eventTime),
    mediaScheduled: ms(lastScheduled.eventTime),
    mediaStarted: ms(act?.eventTime),
    mediaCompleted: ms(done?.eventTime),
    workflowClosed: closed ? ms(closed.eventTime) : null,
    attempts: act?.activityTaskStartedEventAttributes?.attempt ?? 0,
  };
}

/**
 * One pipeline run split into phases (seconds) that add up to its total:
 * submit (POST, workflow start, first workflow task), queue (waiting for a worker slot),
 * work (the media activity on the worker), finish (the state write and the client seeing it).
 */
export function pipelinePhases(t0: number, tDone: number, w: WorkflowTimes): Record<string, number> {
  return {
    submit: (w.mediaScheduled - t0) / 1000,
    queue: (w.mediaStarted - w.mediaScheduled) / 1000,
    work: (w.mediaCompleted - w.mediaStarted) / 1000,
    finish: (tDone - w.mediaCompleted) / 1000,
  };
}

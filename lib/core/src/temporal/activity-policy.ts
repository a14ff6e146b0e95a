// What the workflows and the activities agree on: the failure types that no retry can fix, the
// activities' timeouts and retry intervals, the shape of a job's heartbeat progress, and the
// sync's result. Pure (no @temporalio/activity, no Node built-ins): the workflow bundle imports it.

/** Failure types, named where the error is born (worker-kit's activity kit, sync, live reads, webhooks). */
export const FAILURE_TYPE = {
  source: 'SourceError',
  badInput: 'BadInputError',
  media: 'MediaError',
  webhookRefused: 'WebhookRefused',
} as const;

/** A media job failing with one of these fails its asset at once: the input is at fault. */
export const MEDIA_NON_RETRYABLE: string[] = [FAILURE_TYPE.source, FAILURE_TYPE.badInput, FAILURE_TYPE.media];

/**
 * The activities' timeouts and retry intervals, in ms. The orchestrator's configuration
 * (config.ts, `workflowTimeouts`) is handed to each workflow in its input, so the workflow code
 * reads no environment and replays the same.
 */
export interface WorkflowTimeouts {
  media: {
    /** A worker that stops heartbeating for this long loses the job to another one; the activity heartbeats every tenth of it. */
    heartbeatMs: number;
    startToCloseMs: number;
    retryInitialMs: number;
    retryMaxIntervalMs: number;
    maxAttempts: number;
  };
  /** State writes and the webhook's read in the orchestrator: one short PostgreSQL statement each. */
  local: { startToCloseMs: number; retryInitialMs: number; retryMaxIntervalMs: number };
  /** One read of a live playlist; a read cut short by a restarted orchestrator is retried soon. */
  liveRead: { startToCloseMs: number; retryInitialMs: number; retryMaxIntervalMs: number; maxAttempts: number };
  sync: { startToCloseMs: number; maxAttempts: number };
}

/**
 * The defaults, and what a workflow uses when its input predates `timeouts` (recorded
 * histories replay with the values they ran with).
 */
export const DEFAULT_WORKFLOW_TIMEOUTS: WorkflowTimeouts = {
  media: { heartbeatMs: 20_000, startToCloseMs: 30 * 60_000, retryInitialMs: 1_000, retryMaxIntervalMs: 30_000, maxAttempts: 5 },
  local: { startToCloseMs: 30_000, retryInitialMs: 500, retryMaxIntervalMs: 30_000 },
  liveRead: { startToCloseMs: 10_000, retryInitialMs: 500, retryMaxIntervalMs: 5_000, maxAttempts: 10 },
  sync: { startToCloseMs: 5 * 60_000, maxAttempts: 3 },
};

/**
 * How often a media activity heartbeats: a tenth of its heartbeat timeout (2 s of 20 s), so a
 * worker is declared dead only after many missed beats; the default's tenth when none is set.
 */
export function heartbeatIntervalMs(heartbeatTimeoutMs: number | undefined): number {
  return (heartbeatTimeoutMs || DEFAULT_WORKFLOW_TIMEOUTS.media.heartbeatMs) / 10;
}

/** A job's progress as its heartbeat details carry it (written by the activity kit, read by the gateway). */
export interface HeartbeatProgress {
  /** 0..1 */
  progress: number;
  attempt: number;
  [detail: string]: unknown;
}

/** The one mapping of a reported fraction onto 0..1 (a phase may overshoot its share). */
export function clampProgress(fraction: number): number {
  return Math.max(0, Math.min(1, fraction));
}

/**
 * Progress inside one phase of a job: `done` of `total` units (frames) mapped onto the phase's
 * share [from, to] of the whole (GIF extract/encode, a clip's runs).
 */
export function phaseProgress(share: { from: number; to: number }, done: number, total: number): number {
  return share.from + (share.to - share.from) * Math.min(1, done / Math.max(1, total));
}

/** The progress in a pending activity's heartbeat details; null when it has none. */
export function progressOf(details: unknown): number | null {
  const p = (details as Partial<HeartbeatProgress> | null | undefined)?.progress;
  return typeof p === 'number' && Number.isFinite(p) ? clampProgress(p) : null;
}

/** What a sync reports (POST /api/event/{id}/sync): the sync workflow's result. */
export interface SyncResult {
  hasVodFileChanged: boolean;
  createdAssetsCount: number;
  deletedAssetsCount: number;
  pathEvaluated: string;
}

/** What whoever starts a workflow adds to its input; absent in inputs recorded before it existed. */
export interface WithTimeouts {
  timeouts?: WorkflowTimeouts;
}

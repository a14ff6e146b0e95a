// What every media activity does around its work: heartbeats carrying progress (so a job on a
// dead worker times out and moves elsewhere, and the UI shows how far it got), the
// cancellation signal handed to the process runner, metrics, and the decision of which
// failures are worth a retry, made here where the error is born.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { SourceError } from '@framesmith/core/media/source-errors';
import { BinaryMissingError, ProcessCancelledError, ProcessError, ProcessTimeoutError } from '@framesmith/core/media/run-process';
import { ffmpegSpeed, jobDuration, jobsInFlight, jobsTotal, queueWait } from '@framesmith/core/ops/metrics';
import { clampProgress, FAILURE_TYPE, type HeartbeatProgress, heartbeatIntervalMs } from '@framesmith/core/temporal/activity-policy';

/** Bad input that no retry can fix: the asset fails at once with this reason. */
export class BadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = FAILURE_TYPE.badInput;
  }
}

export interface JobContext {
  signal: AbortSignal;
  /** Runs `cleanup` when the job ends, however it ends (temporary files of the source). */
  defer(cleanup: () => Promise<void>): void;
  /**
   * Runs `check` when the work ends: what it throws replaces the outcome. A remote source's
   * proxy uses it, since ffmpeg skips an HLS segment it could not open (here: one the egress
   * policy refused) and would otherwise report success.
   */
  guard?(check: () => void): void;
  /**
   * Runs the guards now. Called right before an output is published, so a job that a guard
   * fails leaves no file behind on storage under its FAILED asset.
   */
  checkGuards?(): void;
  /** Records progress 0..1 (and anything else useful) in the next heartbeat; `speed` (ffmpeg's x realtime) also feeds the metric. */
  progress(fraction: number, details?: Record<string, unknown>): void;
}

export async function runMediaActivity<T extends { strategy: string }>(kind: string, work: (ctx: JobContext) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const scheduled = ctx.info.currentAttemptScheduledTimestampMs;
  if (scheduled) queueWait.labels(kind).observe(Math.max(0, Date.now() - scheduled) / 1000);
  let details: HeartbeatProgress = { progress: 0, attempt: ctx.info.attempt };
  ctx.heartbeat(details);
  // Heartbeat on a timer, not only on progress, so a long silent phase (seeking, gifski's
  // final write) still proves the worker is alive; the workflow's heartbeat timeout sets the pace.
  const beat = setInterval(() => ctx.heartbeat(details), heartbeatIntervalMs(ctx.info.heartbeatTimeoutMs));
  jobsInFlight.labels(kind).inc();
  const started = Date.now();
  const cleanups: (() => Promise<void>)[] = [];
  const guards: (() => void)[] = [];
  const guarded = () => {
    for (const check of guards) check();
  };
  try {
    const result = await work({
      signal: ctx.cancellationSignal,
      defer: (cleanup) => void cleanups.push(cleanup),
      guard: (check) => void guards.push(check),
      checkGuards: guarded,
      progress(fraction, extra = {}) {
        details = { ...details, ...extra, progress: clampProgress(fraction) };
        if (typeof extra.speed === 'number' && Number.isFinite(extra.speed)) ffmpegSpeed.labels(kind).set(extra.speed);
      },
    }).catch((err: unknown) => {
      guarded();
      throw err;
    });
    guarded();
    jobsTotal.labels(kind, 'completed').inc();
    jobDuration.labels(kind, result.strategy).observe((Date.now() - started) / 1000);
    return result;
  } catch (err) {
    const failure = classify(err, ctx.cancellationSignal);
    jobsTotal.labels(kind, failure instanceof CancelledFailure ? 'cancelled' : failure.nonRetryable ? 'failed' : 'retried').inc();
    throw failure;
  } finally {
    clearInterval(beat);
    jobsInFlight.labels(kind).dec();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

function classify(err: unknown, signal: AbortSignal): ApplicationFailure | CancelledFailure {
  if (err instanceof ProcessCancelledError || signal.aborted) {
    const why = Context.current().cancellationDetails;
    if (!why?.cancelRequested) {
      // Stopped by this worker draining (or losing the job), not by the user: fail the
      // attempt as retryable so Temporal runs the job on another worker.
      return ApplicationFailure.create({ message: 'the worker stopped during the job', type: 'WorkerShutdown', nonRetryable: false });
    }
    return err instanceof CancelledFailure ? err : new CancelledFailure('job cancelled');
  }
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof SourceError) return ApplicationFailure.create({ message: err.message, type: FAILURE_TYPE.source, nonRetryable: true });
  if (err instanceof BadInputError) return ApplicationFailure.create({ message: err.message, type: FAILURE_TYPE.badInput, nonRetryable: true });
  if (err instanceof ProcessTimeoutError || err instanceof BinaryMissingError) {
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: false });
  }
  if (err instanceof ProcessError) {
    // A tool that ran and refused the input will refuse it again: undecodable media.
    return ApplicationFailure.create({
      message: `${err.message}`,
      type: FAILURE_TYPE.media,
      nonRetryable: true,
      details: [{ stderrTail: err.stderrTail }],
    });
  }
  const e = err as Error;
  return ApplicationFailure.create({ message: e?.message ?? String(err), type: e?.name ?? 'Error', nonRetryable: false, cause: e instanceof Error ? e : undefined });
}

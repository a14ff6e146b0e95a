// A deadline on Temporal client calls. Without one, the SDK waits for a stalled frontend as
// long as it stays stalled, and retries an unreachable one (UNAVAILABLE) for ~20 s.
import type { Client, Connection } from '@temporalio/client';

export class TemporalDeadlineError extends Error {
  constructor(what: string, ms: number, options?: { cause?: unknown }) {
    super(`Temporal did not answer ${what} within ${ms} ms`, options);
    this.name = 'TemporalDeadlineError';
  }
}

/**
 * Runs `fn`'s Temporal calls with a gRPC deadline and an abort signal, and gives up after `ms`
 * however the SDK's own retries behave. `what` names the call in the error ("to start the workflow").
 */
export async function callWithDeadline<T>(target: Client | Connection, ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new TemporalDeadlineError(what, ms));
    }, ms);
  });
  try {
    const call = target.withAbortSignal(abort.signal, () => target.withDeadline(Date.now() + ms, fn));
    return await Promise.race([call, expired]);
  } catch (err) {
    // The gRPC deadline and the abort surface as DEADLINE_EXCEEDED / CANCELLED: say which call.
    if (abort.signal.aborted || (err as { code?: unknown }).code === 4) throw new TemporalDeadlineError(what, ms, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

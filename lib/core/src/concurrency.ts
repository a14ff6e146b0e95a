// Bounded concurrency for a batch of independent async calls: enough in flight to hide each
// call's latency (a storage round trip, a HEAD per HLS segment, a part of an upload), never an
// unbounded burst.

/**
 * Runs `fn` for 0..n-1 with at most `limit` at a time; results in index order. After a call
 * fails no new call starts, and the batch rejects with the first failure only once the calls
 * already running have settled: a caller that cleans up after a failure (aborting an upload
 * whose parts were in flight) knows nothing of the batch is still running.
 */
export async function pool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < n && !failed) {
      const i = next++;
      try {
        out[i] = await fn(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(0, Math.min(limit, n)) }, lane));
  const failure = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failure) throw failure.reason;
  return out;
}

// Bounded concurrency for a batch of independent async calls: enough in flight to hide each
// call's latency (a storage round trip, a HEAD per HLS segment), never an unbounded burst.

/** Runs `fn` for 0..n-1 with at most `limit` at a time; results in index order. */
export async function pool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(limit, n)) }, lane));
  return out;
}

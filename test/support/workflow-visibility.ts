// Temporal's visibility index (list/count) is written a moment after a workflow starts, so a
// count of 0 read right after a request proves nothing on its own: a stray start would not be
// listed yet either.
import { api, workflowCount } from './api.js';
import { until } from './hls-server.js';

/**
 * Starts a sentinel IMAGE job on `eventId` after the requests under test, waits until the index
 * lists it, then counts the workflows matching `query`. The dev server indexes its starts in
 * order (one history shard), so once the later sentinel is listed an earlier stray start would
 * be too.
 */
export async function workflowCountAfterSentinel(query: string, eventId: string, timeoutMs = 20_000): Promise<number> {
  const sentinel = await api('POST', '/api/asset/image/', { eventId, name: `visibility sentinel ${Date.now()}`, time: '00:00:01' });
  if (sentinel.status !== 200) throw new Error(`sentinel refused: ${sentinel.status} ${JSON.stringify(sentinel.body)}`);
  const jobId: string = sentinel.body.jobId;
  await until(async () => (await workflowCount(`WorkflowId = '${jobId}'`)) === 1, timeoutMs, `the sentinel ${jobId} in the visibility index`);
  return workflowCount(query);
}

// What the gateway measures and logs per request, shared by the HTTP (REST, docs, content,
// health) and RPC (Connect, gRPC, gRPC-Web) observers: the latency histogram on /metrics and
// the transaction id each request is known by in every log line.
import { randomUUID } from 'node:crypto';
import client from 'prom-client';
import { registry } from '@framesmith/core/ops/metrics';
import type { ReadCacheStats } from './service/read-cache.js';

/**
 * `route` is a template (`GET /api/asset/:id`, `/framesmith.v1.AssetService/GetAsset`), never
 * a raw path, so ids never become label values; `status` is the HTTP status for REST and the
 * gRPC code name (ok, not_found, ...) for RPC.
 */
export const requestDuration = new client.Histogram({
  name: 'framesmith_request_duration_seconds',
  help: 'Gateway request latency by protocol (rest, rpc, http), route template and status',
  labelNames: ['protocol', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

type Protocol = 'rest' | 'rpc' | 'http';
const children = new Map<string, ReturnType<typeof requestDuration.labels>>();

/**
 * Times one request. The histogram's child per label set is kept (prom-client's labels() hashes
 * the labels on every call); the sets are bounded because routes are templates.
 */
export function observeRequest(protocol: Protocol, route: string, status: string, seconds: number): void {
  const key = `${protocol} ${route} ${status}`;
  let child = children.get(key);
  if (!child) children.set(key, (child = requestDuration.labels(protocol, route, status)));
  child.observe(seconds);
}

/** A client's id is kept when it is a plain token (it goes into logs and Temporal headers); otherwise one is made. */
const CLIENT_TXN = /^[\w.:@-]{1,128}$/;

export function transactionIdFrom(header: string | string[] | null | undefined): string {
  return typeof header === 'string' && CLIENT_TXN.test(header) ? header : randomUUID();
}

/** The read cache's counters, read from the cache itself when /metrics is scraped. */
export function observeReadCache(stats: () => ReadCacheStats): void {
  new client.Counter({
    name: 'framesmith_read_cache_reads_total',
    help: 'Asset reads (GET and list) through the read cache: hit, miss; refused counts the misses not kept because a change arrived while they read',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const s = stats();
      this.reset();
      this.inc({ outcome: 'hit' }, s.hits);
      this.inc({ outcome: 'miss' }, s.misses);
      this.inc({ outcome: 'refused' }, s.refused);
    },
  });
  new client.Gauge({
    name: 'framesmith_read_cache_entries',
    help: 'Entries in the read cache: single assets and list pages',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const s = stats();
      this.set({ kind: 'asset' }, s.assets);
      this.set({ kind: 'list' }, s.lists);
    },
  });
}

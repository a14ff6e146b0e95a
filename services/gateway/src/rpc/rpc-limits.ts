// Size limits for the RPC side, so MAX_BODY_BYTES means the same on Connect, gRPC-Web and gRPC
// as on REST. Without `readMaxBytes` connect-node allocates whatever an envelope header or a
// Content-Length announces (up to ~4 GiB): one 50 MB CreateGif grew the gateway by ~170 MB.
import http from 'node:http';
import type { ServerOptions } from 'node:http2';

/** Options for `connectNodeAdapter`: an oversized message is RESOURCE_EXHAUSTED before it is buffered. */
export function rpcAdapterLimits(maxBodyBytes: number) {
  return { readMaxBytes: maxBodyBytes } as const;
}

/**
 * Options for the HTTP/2 gRPC server. Headers get the same bound as HTTP/1.1 (Node's
 * `maxHeaderSize`), and a connection may hold only so many streams and so much buffered data:
 * Node's defaults allow ~4 billion concurrent streams per connection.
 */
export const GRPC_SERVER_OPTIONS = {
  // Per connection, in MB: frames, headers and queued writes past this are refused (ENHANCE_YOUR_CALM).
  maxSessionMemory: 10,
  settings: {
    maxHeaderListSize: http.maxHeaderSize,
    // Enough for the long-lived WatchAsset streams of a busy internal client.
    maxConcurrentStreams: 1000,
  },
} satisfies ServerOptions;

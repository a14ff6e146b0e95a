// The one way the system fetches a URL it was given (playlists, completion webhooks): the
// egress policy on the host, then again on the address the socket connects to, and no
// redirects (a 3xx is refused; following it would let an allowed origin send us anywhere).
// Built on node:http(s) rather than global fetch because their `lookup` hook is where the
// connect-time check lives; global fetch's undici is not a dependency we can hook without
// adding the `undici` package.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { checkedLookup, type EgressPolicy, EgressRefusedError, type Lookup, resolveChecked } from './egress-policy.js';

export interface EgressFetchInit {
  policy: EgressPolicy;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** For tests: the resolver behind the connect-time check. */
  lookup?: Lookup;
}

/** The destination answered a redirect, which egressFetch never follows. */
export class EgressRedirectError extends Error {
  constructor(readonly status: number) {
    super(`answered a redirect (HTTP ${status}), which is not followed`);
    this.name = 'EgressRedirectError';
  }
}

const NO_BODY = new Set([101, 204, 205, 304]);

export async function egressFetch(url: string | URL, init: EgressFetchInit): Promise<Response> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new EgressRefusedError(u.host, `scheme ${u.protocol} is not http or https`);
  // Literal addresses never reach a lookup, so the host is checked here as well.
  await resolveChecked(init.policy, u.hostname, init.lookup);
  const client = u.protocol === 'https:' ? https : http;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = client.request(
      u,
      { method: init.method ?? 'GET', headers: init.headers, signal: init.signal, lookup: checkedLookup(init.policy, init.lookup) as never, agent: false },
      resolve,
    );
    req.on('error', reject);
    req.end(init.body);
  });
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    res.destroy();
    throw new EgressRedirectError(status);
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) for (const value of Array.isArray(v) ? v : [v]) headers.append(k, value);
  }
  if (NO_BODY.has(status) || status < 200 || status > 599) {
    res.resume();
    return new Response(null, { status: NO_BODY.has(status) && status !== 101 ? status : 502, headers });
  }
  return new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, headers });
}

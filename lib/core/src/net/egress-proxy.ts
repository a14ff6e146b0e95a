// ffmpeg has its own HTTP client: it resolves names, follows redirects and opens every HLS
// segment itself, so checking a URL before handing it over does not decide where ffmpeg
// connects. Every ffmpeg that reads a remote source is therefore given `-http_proxy` pointing
// here: plain http arrives as absolute-form requests, https as CONNECT tunnels (ffmpeg's tls
// protocol honours the proxy), and each request, redirect hop and segment is checked against
// the egress policy and connected to the very address that was checked.
//
// Why a proxy and not fetching in the worker: a clip or GIF may read minutes of segments at
// ffmpeg's pace with seeking and range requests; re-serving them from the worker would mean
// reimplementing ffmpeg's HTTP reader. One proxy per opened source (not per process) costs a
// listening socket and lets the job say which refused address made ffmpeg fail.
//
// It can also serve a few private documents of its own (a live window's VOD snapshot), so
// ffmpeg opens them over http with the proxy option set: ffmpeg's HLS reader passes
// `http_proxy` on to segment requests only from an http parent, not from a local file.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { checkedLookup, type EgressPolicy, EgressRefusedError, type Lookup, resolveChecked } from './egress-policy.js';
import { describeNetworkError } from './network-error.js';

export interface EgressProxy {
  /** `http://127.0.0.1:<port>` for ffmpeg's `-http_proxy`. */
  url: string;
  /** Destinations refused so far, in our words (`the address of x is not allowed (...)`). */
  refused: string[];
  /** Serves `body` at a private URL on the proxy itself; returns that URL. */
  serve(name: string, body: string, contentType: string): string;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'proxy-connection', 'proxy-authorization', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

export async function startEgressProxy(policy: EgressPolicy, opts: { lookup?: Lookup } = {}): Promise<EgressProxy> {
  const served = new Map<string, { body: string; contentType: string }>();
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const lookup = checkedLookup(policy, opts.lookup) as never;
  let self = '';

  const refuse = (err: unknown): string => {
    const why = err instanceof EgressRefusedError ? err.message : describeNetworkError(err);
    if (err instanceof EgressRefusedError && !refused.includes(why)) refused.push(why);
    return why;
  };

  const server = http.createServer((req, res) => {
    const raw = req.url ?? '/';
    const target = raw.startsWith('/') ? new URL(raw, `http://${self}`) : safeUrl(raw);
    const own = target && target.host === self ? served.get(target.pathname) : undefined;
    if (own) {
      res.writeHead(200, { 'content-type': own.contentType, 'content-length': Buffer.byteLength(own.body) });
      res.end(own.body);
      return;
    }
    if (!target || raw.startsWith('/') || target.protocol !== 'http:') {
      res.writeHead(400).end();
      return;
    }
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    resolveChecked(policy, target.hostname, opts.lookup).then(
      () => {
        const upstream = http.request(target, { method: req.method, headers, lookup, agent: false }, (up) => {
          for (const h of HOP_BY_HOP) delete up.headers[h];
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', (err) => {
          refuse(err);
          if (!res.headersSent) res.writeHead(err instanceof EgressRefusedError ? 403 : 502).end();
          else res.destroy();
        });
        req.pipe(upstream);
      },
      (err) => {
        refuse(err);
        res.writeHead(err instanceof EgressRefusedError ? 403 : 502).end();
      },
    );
  });

  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(req.url ?? '');
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const host = m[1]!.replace(/^\[|\]$/g, '');
    resolveChecked(policy, host, opts.lookup).then(
      () => {
        const upstream = net.connect({ host, port, lookup });
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        let established = false;
        upstream.once('connect', () => {
          established = true;
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          if (head.length > 0) upstream.write(head);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on('error', (err) => {
          refuse(err);
          if (established) client.destroy();
          else client.end(`HTTP/1.1 ${err instanceof EgressRefusedError ? 403 : 502} Refused\r\n\r\n`);
        });
      },
      (err) => {
        refuse(err);
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      },
    );
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  self = `127.0.0.1:${address.port}`;
  const token = randomUUID();
  return {
    url: `http://${self}`,
    refused,
    serve(name, body, contentType) {
      const p = `/${token}/${encodeURIComponent(name)}`;
      served.set(p, { body, contentType });
      return `http://${self}${p}`;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

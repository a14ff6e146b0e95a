// /healthz (alive), /readyz (dependencies reachable, polling) and /metrics for workers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registry } from './metrics.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** A readiness answer with its reasons: what is wrong (not ready) or worth knowing (notes). */
export interface Readiness {
  ready: boolean;
  reasons: string[];
}

type ReadyFn = () => Promise<boolean | Readiness>;

export function isHealthPath(pathname: string): boolean {
  return pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics';
}

export async function handleHealth(pathname: string, res: http.ServerResponse, ready: ReadyFn, extraMetrics?: () => Promise<string>) {
  if (pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (pathname === '/readyz') {
    const r = await ready().catch((err: unknown): Readiness => ({ ready: false, reasons: [(err as Error)?.message ?? String(err)] }));
    const { ready: ok, reasons } = typeof r === 'boolean' ? { ready: r, reasons: [] } : r;
    const body = [ok ? 'ready' : 'not ready', ...reasons.map((line) => `- ${line}`)].join('\n') + '\n';
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(body);
  } else {
    const extra = extraMetrics ? await extraMetrics().catch(() => '') : '';
    const text = (await registry.metrics()) + (extra ? '\n' + extra : '');
    res.writeHead(200, { 'content-type': registry.contentType }).end(text);
  }
}

export function startHealthServer(port: number, host: string, ready: ReadyFn, extraMetrics?: () => Promise<string>): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (!isHealthPath(pathname)) {
      res.writeHead(404).end();
      return;
    }
    void handleHealth(pathname, res, ready, extraMetrics);
  });
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

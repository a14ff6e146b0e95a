// /healthz (alive), /readyz (dependencies reachable, polling) and /metrics for workers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registry } from './metrics.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export function isHealthPath(pathname: string): boolean {
  return pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics';
}

export async function handleHealth(pathname: string, res: http.ServerResponse, ready: () => Promise<boolean>, extraMetrics?: () => Promise<string>) {
  if (pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (pathname === '/readyz') {
    const ok = await ready().catch(() => false);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
  } else {
    const extra = extraMetrics ? await extraMetrics().catch(() => '') : '';
    const text = (await registry.metrics()) + (extra ? '\n' + extra : '');
    res.writeHead(200, { 'content-type': registry.contentType }).end(text);
  }
}

export function startHealthServer(port: number, host: string, ready: () => Promise<boolean>, extraMetrics?: () => Promise<string>): Promise<HealthServer> {
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

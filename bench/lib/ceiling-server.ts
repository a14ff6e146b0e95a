// B6's ceiling: a bare node:http server answering fixed bodies from memory, by request path,
// in a process of its own as the gateway is, so the same autocannon run against it measures
// what this machine, this Node and this load generator allow for the same responses.
// Started by startCeilingServer (fork): the parent sends the responses, the child answers
// with its port.
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** What the ceiling answers: request path (with its query) → status 200 with this body. */
export type CeilingResponses = Record<string, { contentType: string; body: string }>;

export interface CeilingServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const READY_MS = 30_000;

export async function startCeilingServer(responses: CeilingResponses): Promise<CeilingServer> {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ceiling server did not start within ${READY_MS} ms`)), READY_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve((m as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ceiling server exited during start-up (code ${code})`));
    });
    child.send(responses);
  }).catch((err: Error) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The child: serve the table sent by the parent until told to stop. */
function serve(responses: CeilingResponses): void {
  const table = new Map(Object.entries(responses).map(([p, r]) => [p, { contentType: r.contentType, body: Buffer.from(r.body) }]));
  const server = http.createServer((req, res) => {
    const r = table.get(req.url ?? '');
    if (!r) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': r.contentType, 'content-length': r.body.length });
    res.end(r.body);
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  process.once('SIGTERM', () => process.exit(0));
  // The harness died without stopping it: do not outlive it.
  process.once('disconnect', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  process.once('message', (m) => serve(m as CeilingResponses));
}

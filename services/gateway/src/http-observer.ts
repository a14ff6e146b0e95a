// Every HTTP request on the gateway's REST port runs inside its log context (the transaction
// id, echoed as X-Transaction-ID and made when the client sent none), ends with one access
// line, and is timed into the request histogram. Connect and gRPC-Web calls on the same port
// are left to the RPC observer (rpc/rpc-observer.ts), which knows their method and status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHealthPath } from '@framesmith/core/ops/health-server';
import { log } from '@framesmith/core/ops/lifecycle';
import { withLogContext } from '@framesmith/core/ops/log-context';
import { isApiDocsPath } from './api-docs-route.js';
import { isOpenApiPath, OPENAPI_PATH } from './api-schema/openapi.js';
import { observeRequest, transactionIdFrom } from './request-metrics.js';

/** `/<package>.<Service>/<Method>`: a Connect or gRPC-Web call. */
const RPC_PATH = /^\/[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+\/[A-Za-z_]\w*$/;

const routes = new WeakMap<IncomingMessage, string>();

/** Called by the REST router once it matched: the route's template labels the request. */
export function noteRoute(req: IncomingMessage, template: string): void {
  routes.set(req, template);
}

function fallbackRoute(pathname: string): string {
  if (isHealthPath(pathname)) return pathname;
  // The public documents (no key): the reference page with its files, and the OpenAPI document.
  if (isApiDocsPath(pathname)) return '/api/docs';
  if (isOpenApiPath(pathname)) return OPENAPI_PATH;
  // Unknown /api paths and refused keys: one label, whatever the path held.
  return pathname.startsWith('/api/') ? 'unmatched' : 'other';
}

/** `pathname`: the request's path, parsed once by the server for this and its routing. */
export function observeHttp(req: IncomingMessage, res: ServerResponse, pathname: string, handle: () => void): void {
  // Connect and gRPC-Web calls get their context, id and log line from the RPC observer: entering
  // a context here too would make a second id for a call that sent none.
  if (RPC_PATH.test(pathname)) return handle();
  const txn = transactionIdFrom(req.headers['x-transaction-id']);
  res.setHeader('X-Transaction-ID', txn);
  const started = process.hrtime.bigint();
  res.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = routes.get(req) ?? fallbackRoute(pathname);
    // A reply cut off before its status line counts as 499, nginx's "client closed request".
    const status = res.headersSent ? res.statusCode : 499;
    observeRequest('rest', route, String(status), seconds);
    // The id is written directly: 'close' may run outside the request's context, and entering
    // it again per request only to log one line costs a context switch.
    log('gateway', 'request finished', { txn, req: { method: req.method, url: req.url, headers: req.headers }, route, status, durationMs: Math.round(seconds * 1000) }, isHealthPath(pathname) ? 'debug' : 'info');
  });
  withLogContext({ txn }, handle);
}

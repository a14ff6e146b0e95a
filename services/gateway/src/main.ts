// The gateway: REST /api (external clients), Connect + gRPC-Web on the same port, gRPC over
// HTTP/2 on GRPC_PORT (internal services), /content for stored files, health and metrics.
import http from 'node:http';
import http2 from 'node:http2';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@framesmith/core/config';
import { temporalConnectionOptions } from '@framesmith/core/temporal/connection-options';
import { createPool } from '@framesmith/core/db/pool';
import { migrate } from './db/migrate.js';
import { createRepo } from '@framesmith/core/db/repo';
import { handleHealth, isHealthPath } from '@framesmith/core/ops/health-server';
import { log, onShutdown, runMain } from '@framesmith/core/ops/lifecycle';
import { createStorage } from '@framesmith/core/storage';
import { Client, Connection } from '@temporalio/client';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { serveContent } from './content-route.js';
import { createRestHandler } from './rest/rest-routes.js';
import { GRPC_SERVER_OPTIONS, rpcAdapterLimits } from './rpc/rpc-limits.js';
import { registerRpc } from './rpc/rpc-routes.js';
import { AssetService } from './service/asset-service.js';
import { createAssetChanges } from './service/asset-changes.js';
import { createSourceInspector } from './service/source-inspector.js';
import { createTemporalJobs } from './temporal-jobs.js';
import { createGatewayReadiness } from './readiness.js';
import { createSearchAttributeCheck } from '@framesmith/core/temporal/search-attributes';
import { transactionClientInterceptor } from '@framesmith/core/temporal/transaction-interceptors';
import { observeHttp } from './http-observer.js';
import { observeReadCache } from './request-metrics.js';
import { registerReflection } from './rpc/reflection.js';
import { rpcObserver } from './rpc/rpc-observer.js';
import { apiKeyInterceptor } from './rpc/api-key-interceptor.js';
import { isApiDocsPath, serveApiDocs } from './api-docs-route.js';

const DEFAULT_VUFLOW_ID = '00000000-0000-4000-8000-000000000001';

async function main() {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required (npm start provides an embedded PostgreSQL)');
  // Migrations may wait for another gateway's lock and run long: no fail-fast timeouts there.
  const migrationPool = createPool(config.databaseUrl, null, 1);
  const applied = await migrate(migrationPool).finally(() => migrationPool.end());
  const pool = createPool(config.databaseUrl, config.timeouts);
  if (applied.length) log('gateway', 'applied migrations', { applied });
  const repo = createRepo(pool);
  await repo.upsertDefaultVuflow(DEFAULT_VUFLOW_ID, config.storageUrlPublic);
  const storage = createStorage(config);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  // Workflows started while handling a request carry its transaction id (a Temporal header).
  const client = new Client({ connection, namespace: config.temporalNamespace, interceptors: { workflow: [transactionClientInterceptor] } });
  let jobs = createTemporalJobs(client, config);
  if (process.env.FRAMESMITH_FAULT === 'crash-before-workflow-start') {
    // Fault injection for the crash-window test: die after the row is written and before the
    // workflow starts, exactly like a gateway losing its node at the worst moment.
    jobs = { ...jobs, startAsset: async () => void process.kill(process.pid, 'SIGKILL') };
  }
  // One LISTEN connection for every WatchAsset stream of this gateway.
  const changes = createAssetChanges(config.databaseUrl, config.timeouts.dbQueryMs);
  const service = new AssetService({ config, repo, storage, jobs, inspector: createSourceInspector(config, storage), changes });
  observeReadCache(() => service.readCacheStats());

  const rest = createRestHandler(service, {
    apiKeys: config.apiKeys,
    maxBodyBytes: config.limits.maxBodyBytes,
    lingerMs: config.timeouts.refusedBodyLingerMs,
    onError: (err) => log('gateway', 'request failed', { error: err }),
  });
  const searchAttributes = createSearchAttributeCheck(connection, config);
  const saProblem = await searchAttributes();
  if (saProblem) log('gateway', 'not ready', { reason: saProblem });
  // Start-up says which folder or bucket cannot be used and why; /readyz keeps saying it.
  await storage.check().catch((err: Error) => log('gateway', 'not ready', { reason: `storage is unavailable: ${err.message}` }));
  const ready = createGatewayReadiness({ config, pool, connection, searchAttributes, storage });
  const rpcRoutes = registerRpc(service, async () => (await ready()).ready);
  const rpc = connectNodeAdapter({
    routes: (router) => {
      rpcRoutes(router);
      registerReflection(router);
    },
    // The observer outermost, so a refused key is timed and logged like any other call.
    interceptors: [rpcObserver, apiKeyInterceptor(config.apiKeys)],
    ...rpcAdapterLimits(config.limits.maxBodyBytes),
  });
  const contentPrefix = contentPathPrefix(config.storageUrlPublic, config.port);
  const content = { storage, isServable: (p: string) => repo.isContentServable(p, config.contentServeVod), signingSecret: config.contentSigning?.secret ?? null };

  // Each request in its log context (transaction id), timed and logged once it ends.
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    observeHttp(req, res, url.pathname, () => route(req, res, url));
  });
  const route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    // The reference page is public and static: before the REST handler and its API-key check.
    if (isApiDocsPath(url.pathname)) {
      return void serveApiDocs(url.pathname, req, res).catch((err: unknown) => {
        log('gateway', 'api docs failed', { error: err });
        if (res.headersSent) res.destroy();
        else res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable\n');
      });
    }
    if (url.pathname.startsWith('/api/')) return void rest(req, res, url);
    if (contentPrefix && url.pathname.startsWith(contentPrefix + '/')) {
      return void serveContent(content, url.pathname.slice(contentPrefix.length + 1), req, res).catch((err: unknown) => {
        log('gateway', 'content failed', { error: err });
        if (res.headersSent) res.destroy();
        else res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable\n');
      });
    }
    if (isHealthPath(url.pathname)) return void handleHealth(url.pathname, res, ready);
    // Connect and gRPC-Web clients reach the RPC service on this port too.
    return rpc(req, res);
  };
  const grpcServer = http2.createServer(GRPC_SERVER_OPTIONS, rpc);
  await new Promise<void>((r) => server.listen(config.port, config.host, r));
  await new Promise<void>((r) => grpcServer.listen(config.grpcPort, config.host, r));
  log('gateway', 'listening', { rest: `http://${config.host}:${config.port}/api/`, grpc: `${config.host}:${config.grpcPort}`, instance: randomUUID() });

  onShutdown(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await new Promise<void>((r) => grpcServer.close(() => r()));
    await connection.close();
    await changes.close();
    await pool.end();
  });
}

/** The path under which the gateway serves files, when the public base points at it. */
function contentPathPrefix(base: string, port: number): string | null {
  try {
    const u = new URL(base);
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) && Number(u.port || 80) === port;
    return local ? u.pathname.replace(/\/+$/, '') : null;
  } catch {
    return null;
  }
}

runMain('gateway', main);

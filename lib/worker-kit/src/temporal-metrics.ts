// The Temporal SDK's own metrics (poll latency, slots, task failures) exported by its native
// runtime on a private loopback port and appended to our /metrics, so each process is one
// scrape target.
import net from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { processLogger } from '@framesmith/core/ops/logger';

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Installs the runtime with a Prometheus exporter; returns a reader of its text. Call before any Worker/NativeConnection. */
export async function installTemporalMetrics(): Promise<() => Promise<string>> {
  const port = await freeLoopbackPort();
  Runtime.install({
    // The SDK's INFO lines (every worker state change) drown the stack's own log.
    // Written by our logger, so they are JSON lines like the rest (with the workflow's or activity's attributes).
    logger: new DefaultLogger((process.env.TEMPORAL_SDK_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN', (entry) => {
      const level = entry.level === 'TRACE' ? 'trace' : entry.level === 'DEBUG' ? 'debug' : entry.level === 'INFO' ? 'info' : entry.level === 'WARN' ? 'warn' : 'error';
      processLogger()[level]({ component: 'temporal-sdk', ...entry.meta }, entry.message);
    }),
    telemetryOptions: {
      // The native core's lines too (it prints to the console otherwise, in its own format).
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${port}`, useSecondsForDurations: true }, metricPrefix: 'temporal_' },
    },
  });
  return async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
    return res?.ok ? await res.text() : '';
  };
}

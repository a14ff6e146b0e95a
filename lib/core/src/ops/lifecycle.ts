// Process lifecycle shared by every service: graceful stop on SIGTERM/SIGINT, and exit when
// the launcher that started us is gone, so a killed `npm start` leaves nothing running.
import { formatError } from './format-error.js';
import { processLogger, setProcessName } from './logger.js';

/** Calls `handler` once, on SIGTERM, SIGINT, or the launcher's death (FRAMESMITH_EXIT_WITH_PARENT). */
function onceStopRequested(handler: (signal: string) => void): void {
  let requested = false;
  const fire = (signal: string) => {
    if (requested) return;
    requested = true;
    handler(signal);
  };
  process.on('SIGTERM', () => fire('SIGTERM'));
  process.on('SIGINT', () => fire('SIGINT'));
  if (process.env.FRAMESMITH_EXIT_WITH_PARENT === '1') {
    const parent = process.ppid;
    setInterval(() => {
      // Re-parented: the launcher died without stopping us.
      if (process.ppid !== parent) fire('parent-exit');
    }, 1000).unref();
  }
}

/** For servers: stop, then exit (0, or 1 when stopping failed). */
export function onShutdown(stop: (signal: string) => Promise<void>): void {
  onceStopRequested((signal) =>
    stop(signal).then(
      () => process.exit(0),
      (err) => {
        log('lifecycle', 'shutdown failed', { error: err });
        process.exit(1);
      },
    ),
  );
}

/**
 * For workers: the signal only starts the drain; the caller's main flow exits once the worker
 * has stopped.
 */
export function onDrainSignal(drain: (signal: string) => void): void {
  onceStopRequested((signal) => {
    log('lifecycle', `draining on ${signal}`);
    drain(signal);
  });
}

/**
 * One log line (JSON, ops/logger.ts) from `component`. An Error among the fields is written
 * with its whole cause chain (gRPC status and details, SQLSTATE, ...) and, under `stack`,
 * where it was thrown; a line carrying an Error is logged at level error, others at `level`.
 */
export function log(component: string, message: string, fields: Record<string, unknown> = {}, level: 'info' | 'warn' | 'error' | 'debug' = 'info'): void {
  const out: Record<string, unknown> = { component };
  let failed = false;
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) {
      failed = true;
      out[k] = formatError(v);
      out.stack ??= v.stack?.split('\n').slice(1, 6).map((l) => l.trim()).join(' | ');
    } else {
      out[k] = v;
    }
  }
  processLogger()[failed ? 'error' : level](out, message);
}

/** Runs a process's main; a failure to start or run is logged and exits 1. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  setProcessName(name);
  main().catch((err) => {
    processLogger().fatal({ component: name, error: formatError(err), stack: (err as Error)?.stack }, 'failed');
    process.exit(1);
  });
}

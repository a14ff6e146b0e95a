// Process lifecycle shared by every service: graceful stop on SIGTERM/SIGINT, and exit when
// the launcher that started us is gone, so a killed `npm start` leaves nothing running.
import { formatError } from './format-error.js';

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
        console.error(`[shutdown] ${formatError(err)}`);
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
 * One log line. An Error among the fields is written with its whole cause chain (gRPC status
 * and details, SQLSTATE, ...) and, under `stack`, where it was thrown.
 */
export function log(component: string, message: string, fields: Record<string, unknown> = {}): void {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) {
      out[k] = formatError(v);
      out.stack ??= v.stack?.split('\n').slice(1, 6).map((l) => l.trim()).join(' | ');
    } else {
      out[k] = v;
    }
  }
  const extra = Object.keys(out).length ? ' ' + JSON.stringify(out) : '';
  console.log(`[${component}] ${message}${extra}`);
}

/** Runs a process's main; a failure to start or run is logged and exits 1. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((err) => {
    console.error(`[${name}] failed: ${formatError(err)}\n${(err as Error)?.stack ?? ''}`);
    process.exit(1);
  });
}

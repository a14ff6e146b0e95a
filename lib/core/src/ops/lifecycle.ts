// Process lifecycle shared by every service: graceful stop on SIGTERM/SIGINT, and exit when
// the launcher that started us is gone, so a killed `npm start` leaves nothing running.
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
        console.error(`[shutdown] ${(err as Error).stack ?? err}`);
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

export function log(component: string, message: string, fields: Record<string, unknown> = {}): void {
  const extra = Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
  console.log(`[${component}] ${message}${extra}`);
}

/** Runs a process's main; a failure to start or run is logged and exits 1. */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((err) => {
    console.error(`[${name}] failed:`, err);
    process.exit(1);
  });
}

// Process lifecycle shared by every service: graceful stop on SIGTERM/SIGINT, and exit when
// the launcher that started us is gone, so a killed `npm start` leaves nothing running.
export function onShutdown(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (err) => {
        console.error(`[shutdown] ${(err as Error).stack ?? err}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
  if (process.env.FRAMESMITH_EXIT_WITH_PARENT === '1') {
    const parent = process.ppid;
    setInterval(() => {
      // Re-parented (the launcher died without stopping us): shut down like on SIGTERM.
      if (process.ppid !== parent) handler('parent-exit');
    }, 1000).unref();
  }
}

/**
 * For workers: SIGTERM/SIGINT (or the launcher's death) only starts the drain; the caller's
 * main flow exits once the worker has stopped.
 */
export function onDrainSignal(drain: (signal: string) => void): void {
  let draining = false;
  const handler = (signal: string) => {
    if (draining) return;
    draining = true;
    log('lifecycle', `draining on ${signal}`);
    drain(signal);
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
  if (process.env.FRAMESMITH_EXIT_WITH_PARENT === '1') {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) handler('parent-exit');
    }, 1000).unref();
  }
}

export function log(component: string, message: string, fields: Record<string, unknown> = {}): void {
  const extra = Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
  console.log(`[${component}] ${message}${extra}`);
}

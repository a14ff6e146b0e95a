// Extra stack processes a test starts itself (a second worker, a faulty gateway), with their
// output kept for waiting on, and killed at the end of the file.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { stack } from './api.js';
import { until } from './hls-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface TestProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the process printed `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once it exited. */
  exited: Promise<number | null>;
}

export function createProcessPool() {
  const spawned: ChildProcess[] = [];
  return {
    start(entry: string, env: Record<string, string>): TestProcess {
      const chunks: string[] = [];
      const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env: { ...stack().env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (c) => chunks.push(String(c)));
      child.stderr!.on('data', (c) => chunks.push(String(c)));
      spawned.push(child);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const output = () => chunks.join('');
      return { child, output, exited, waitFor: (text, timeoutMs = 60_000) => until(() => output().includes(text), timeoutMs, `"${text}" from ${entry}`) };
    },
    killAll() {
      for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}

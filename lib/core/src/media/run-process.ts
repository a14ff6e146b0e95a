// The one process runner: every ffmpeg, ffprobe and gifski call goes through here.
// No shell is ever involved (arguments are an array), every run has a hard deadline,
// cancellation kills the child, and failures carry the tail of stderr.
import { spawn } from 'node:child_process';

const STDERR_TAIL_BYTES = 4096;

export class ProcessError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'ProcessError';
  }
}

export class ProcessTimeoutError extends ProcessError {
  override name = 'ProcessTimeoutError';
}

/** Raised when the caller's AbortSignal stopped the run; distinct so callers can rethrow cancellation. */
export class ProcessCancelledError extends ProcessError {
  override name = 'ProcessCancelledError';
}

/**
 * A tool that ran and exited with a failure (a step that may fall back), as opposed to a
 * cancelled job, a deadline or a bug, which must propagate whatever the caller's fallback.
 */
export function isExitFailure(err: unknown): err is ProcessError {
  return err instanceof ProcessError && !(err instanceof ProcessCancelledError) && !(err instanceof ProcessTimeoutError);
}

/** `fallback` for an exit failure; anything else is rethrown. */
export function onExitFailure<T>(fallback: T): (err: unknown) => T {
  return (err) => {
    if (isExitFailure(err)) return fallback;
    throw err;
  };
}

export class BinaryMissingError extends Error {
  constructor(readonly binary: string) {
    super(
      `${binary} was not found on PATH. Install it with: apt-get install -y ffmpeg ` +
        `(or set FFMPEG_PATH / FFPROBE_PATH)`,
    );
    this.name = 'BinaryMissingError';
  }
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Receives stdout as it arrives (progress output); stdout is not buffered when set. */
  onStdout?: (chunk: Buffer) => void;
  /** Stream stdout to a consumer that wants raw bytes, e.g. rawvideo frames. */
  maxStdoutBytes?: number;
  cwd?: string;
}

export interface RunResult {
  stdout: Buffer;
  stderrTail: string;
}

export function runProcess(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const name = command.split('/').pop() ?? command;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new ProcessCancelledError(`${name} cancelled before start`, name, null, ''));
      return;
    }
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
    const out: Buffer[] = [];
    let outBytes = 0;
    let tail = '';
    let settled = false;
    let reason: 'timeout' | 'cancel' | 'overflow' | null = null;

    const kill = (why: 'timeout' | 'cancel' | 'overflow') => {
      if (reason) return;
      reason = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
    const onAbort = () => kill('cancel');
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (err: Error | null, result?: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(result!);
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (opts.onStdout) {
        opts.onStdout(chunk);
        return;
      }
      outBytes += chunk.length;
      if (opts.maxStdoutBytes !== undefined && outBytes > opts.maxStdoutBytes) {
        kill('overflow');
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(err.code === 'ENOENT' ? new BinaryMissingError(name) : err);
    });
    child.on('close', (code) => {
      if (reason === 'cancel') {
        finish(new ProcessCancelledError(`${name} was cancelled`, name, code, tail));
      } else if (reason === 'timeout') {
        finish(new ProcessTimeoutError(`${name} ran past its ${opts.timeoutMs} ms deadline`, name, code, tail));
      } else if (reason === 'overflow') {
        finish(new ProcessError(`${name} wrote more than ${opts.maxStdoutBytes} bytes`, name, code, tail));
      } else if (code !== 0) {
        finish(new ProcessError(`${name} exited with code ${code}: ${lastLine(tail)}`, name, code, tail));
      } else {
        finish(null, { stdout: Buffer.concat(out), stderrTail: tail });
      }
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

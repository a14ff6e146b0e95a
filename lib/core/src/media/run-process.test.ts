import { describe, expect, it } from 'vitest';
import { BinaryMissingError, ProcessCancelledError, ProcessError, ProcessTimeoutError, runProcess } from './run-process.js';

// These exercise the runner with the shell-free `node` binary itself so they stay fast.
const node = process.execPath;

describe('runProcess', () => {
  it('returns stdout and keeps arguments literal (no shell)', async () => {
    const r = await runProcess(node, ['-e', 'process.stdout.write(process.argv[1])', '$(echo pwned); rm -rf /'], { timeoutMs: 5000 });
    expect(r.stdout.toString()).toBe('$(echo pwned); rm -rf /');
  });
  it('carries the stderr tail on failure', async () => {
    const err = await runProcess(node, ['-e', 'console.error("boom: bad input"); process.exit(3)'], { timeoutMs: 5000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ProcessError);
    expect(err.exitCode).toBe(3);
    expect(err.stderrTail).toContain('boom: bad input');
  });
  it('kills at the deadline', async () => {
    const err = await runProcess(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(ProcessTimeoutError);
  });
  it('kills on cancellation with a distinct error', async () => {
    const ac = new AbortController();
    const p = runProcess(node, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 10_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toBeInstanceOf(ProcessCancelledError);
  });
  it('names the install command when the binary is missing', async () => {
    await expect(runProcess('/nonexistent/ffmpeg', [], { timeoutMs: 1000 })).rejects.toBeInstanceOf(BinaryMissingError);
  });
});

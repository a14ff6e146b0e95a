// When a test run fails, the stack's last log lines are printed before vitest's own summary, so
// the summary (which files and tests failed) stays at the end of the output. CI keeps only the
// tail of a failed run's output: printed after the summary, as an exit hook used to, the stack's
// lines hid which test had failed.
import type { Reporter, TestRunEndReason } from 'vitest/node';

const TAIL_KEY = Symbol.for('framesmith.test.stackLogTail');

/** Called by test/global-setup.ts (same process as the reporters) to offer its log's tail. */
export function offerStackLogTail(tail: () => string[]): void {
  (globalThis as Record<symbol, unknown>)[TAIL_KEY] = tail;
}

export class StackLogReporter implements Reporter {
  onTestRunEnd(_modules: unknown, _errors: unknown, reason: TestRunEndReason): void {
    if (reason === 'passed') return;
    const tail = (globalThis as Record<symbol, unknown>)[TAIL_KEY] as (() => string[]) | undefined;
    const lines = tail?.() ?? [];
    if (lines.length === 0) return;
    console.error(`\n--- the stack's last ${lines.length} log lines, before vitest's summary ---`);
    console.error(lines.join('\n'));
    console.error('--- end of the stack log ---\n');
  }
}

// One real stack for the integration tests: embedded PostgreSQL, the Temporal dev server,
// and the gateway, orchestrator and workers as real processes.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../scripts/stack/free-port.js';
import { startStack, type Stack } from '../scripts/stack/start-stack.js';
import { offerStackLogTail } from './support/stack-log-reporter.js';

let stack: Stack | null = null;
let dataDir = '';

export async function setup(project: TestProject) {
  dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-test-'));
  const port = await freePort();
  const logLines: string[] = [];
  // Every process's output, for the tests that read the stack's log lines (test/logging.test.ts).
  const logFile = createWriteStream(path.join(dataDir, 'stack.log'));
  // A stack that fails to start shows its last lines (the failure's own words) in the test output.
  const startFailed = (err: unknown) => {
    console.error(logLines.slice(-80).join('\n'));
    throw err;
  };
  stack = await startStack({
    env: { DATA_DIR: dataDir, PORT: String(port), API_KEYS: 'test-key,second-key', ORPHAN_AFTER_MS: '3000', CPU_CONCURRENCY: '2',
      // Test clips are tiny; smart cut them anyway so the tests exercise it.
      SMART_CUT_MIN_COPIED_PIXELS: '0',
      // Test origins listen on 127.0.0.1; the rest of 127/8 stays refused (test/egress.test.ts's canary is on 127.0.0.2).
      OUTBOUND_ALLOW: '127.0.0.1/32',
      // Completion webhooks: signed with this secret, retried 200 ms, 400 ms, ... up to 1 s apart
      // so a receiver's outage costs the tests seconds (production: 1 s doubling to 15 min).
      WEBHOOK_SIGNING_SECRET: 'test-webhook-secret', WEBHOOK_RETRY_INITIAL_MS: '200', WEBHOOK_RETRY_MAX_INTERVAL_MS: '1000' },
    log: (line) => {
      logFile.write(`${line}\n`);
      if (process.env.STACK_LOG) console.log(line);
      logLines.push(line);
      if (logLines.length > 400) logLines.shift();
    },
  }).catch(startFailed);
  // Printed by the reporter, before vitest's summary, when the run fails.
  offerStackLogTail(() => logLines.slice(-80));
  project.provide('stack', {
    restUrl: stack.restUrl,
    grpcAddress: stack.grpcAddress,
    temporalAddress: stack.temporalAddress,
    databaseUrl: stack.databaseUrl,
    storageRoot: stack.config.storageRoot,
    dataDir,
    logFile: path.join(dataDir, 'stack.log'),
    apiKey: 'test-key',
    env: stack.env,
    metricsPorts: stack.metricsPorts,
  });
}

export async function teardown() {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      restUrl: string;
      grpcAddress: string;
      temporalAddress: string;
      databaseUrl: string;
      storageRoot: string;
      dataDir: string;
      /** The stack's processes' output, one `component | line` per line. */
      logFile: string;
      apiKey: string;
      env: Record<string, string>;
      metricsPorts: Partial<Record<'orchestrator' | 'worker-cpu' | 'worker-gpu', number>>;
    };
  }
}

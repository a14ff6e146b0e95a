// The worker ends of transaction-id propagation: activities (here) and workflows
// (transaction-workflow-interceptors.ts, loaded by path into the workflow bundle); the client
// end is @framesmith/core/temporal/transaction-interceptors.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { log } from '@framesmith/core/ops/lifecycle';
import { withLogContext } from '@framesmith/core/ops/log-context';
import { formatError } from '@framesmith/core/ops/format-error';
import { readTransactionId } from '@framesmith/core/temporal/transaction-header';

/**
 * For a Worker: every activity runs in a log context with the transaction id, the asset and
 * the workflow, so each line it logs says which request it serves; one line when it ends.
 */
export const transactionActivityInterceptor: ActivityInterceptorsFactory = (ctx) => {
  let txn: string | undefined;
  return {
    inbound: {
      async execute(input, next) {
        txn = readTransactionId(input.headers);
        const first = input.args[0] as { assetId?: unknown } | undefined;
        const fields = {
          txn,
          assetId: typeof first?.assetId === 'string' ? first.assetId : undefined,
          activity: ctx.info.activityType,
          workflowId: ctx.info.workflowExecution?.workflowId,
        };
        return withLogContext(fields, async () => {
          const started = Date.now();
          try {
            const result = await next(input);
            log('activity', 'activity completed', { attempt: ctx.info.attempt, durationMs: Date.now() - started });
            return result;
          } catch (err) {
            log('activity', 'activity failed', { attempt: ctx.info.attempt, durationMs: Date.now() - started, reason: formatError(err) }, 'warn');
            throw err;
          }
        });
      },
    },
    // Lines written with the SDK's own activity logger (Context.current().log) carry it too.
    outbound: { getLogAttributes: (input, next) => next(txn ? { ...input, txn } : input) },
  };
};

/** Worker.create's `interceptors` for every worker of this project. */
export function workerInterceptors() {
  return {
    activity: [transactionActivityInterceptor],
    // Beside this file: .ts from source, .js compiled (the image's prebuilt bundle is made from it).
    workflowModules: [fileURLToPath(new URL(`./transaction-workflow-interceptors${path.extname(import.meta.url)}`, import.meta.url))],
  };
}

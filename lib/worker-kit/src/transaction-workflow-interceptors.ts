// Workflow interceptors (bundled into the workflow sandbox via `workflowModules`): the header
// the workflow was started with is copied onto every activity, local activity and child
// workflow it schedules, and onto its own log lines. Deterministic: headers are not part of
// the replayed commands' identity.
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { readTransactionId, withTransactionId } from '@framesmith/core/temporal/transaction-header';

export const interceptors = (): WorkflowInterceptors => {
  // One closure per workflow execution: the SDK calls this factory for each.
  let txn: string | undefined;
  return {
    inbound: [
      {
        execute(input, next) {
          txn = readTransactionId(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next({ ...input, headers: withTransactionId(input.headers, txn) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: withTransactionId(input.headers, txn) }),
        startChildWorkflowExecution: (input, next) => next({ ...input, headers: withTransactionId(input.headers, txn) }),
        getLogAttributes: (input, next) => next(txn ? { ...input, txn } : input),
      },
    ],
  };
};

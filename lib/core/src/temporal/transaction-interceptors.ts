// The client end of transaction-id propagation (the worker ends are in lib/worker-kit:
// activity-interceptors.ts and transaction-workflow-interceptors.ts).
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { currentTransactionId } from '../ops/log-context.js';
import { withTransactionId } from './transaction-header.js';

/** For a Client: a workflow started while handling a request carries its transaction id. */
export const transactionClientInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next({ ...input, headers: withTransactionId(input.headers, currentTransactionId()) }),
  signalWithStart: (input, next) => next({ ...input, headers: withTransactionId(input.headers, currentTransactionId()) }),
};

// Fields that every log line written while handling one request carries (its transaction id),
// without passing a logger through every call: the gateway sets them per HTTP request or RPC,
// the workers per activity (from the Temporal header, temporal/transaction-header.ts).
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  /** The request's X-Transaction-ID, from the client or made by the gateway. */
  txn?: string;
  [field: string]: unknown;
}

const store = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to the current context (nested calls keep the outer fields). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return store.run({ ...store.getStore(), ...fields }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return store.getStore();
}

/** The transaction id of the request being handled here, if any. */
export function currentTransactionId(): string | undefined {
  return store.getStore()?.txn;
}

// The request's transaction id travels from the gateway through the workflow to every activity
// as a Temporal header (not an argument or memo: no workflow signature changes, and headers
// are what interceptors propagate). Pure: the workflow bundle imports it too.
import { defaultPayloadConverter, type Headers } from '@temporalio/common';

export const TRANSACTION_HEADER = 'framesmith-transaction-id';

export function readTransactionId(headers: Headers | undefined): string | undefined {
  const payload = headers?.[TRANSACTION_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

/** `headers` plus the transaction id; unchanged without one. */
export function withTransactionId(headers: Headers, txn: string | undefined): Headers {
  return txn ? { ...headers, [TRANSACTION_HEADER]: defaultPayloadConverter.toPayload(txn) } : headers;
}

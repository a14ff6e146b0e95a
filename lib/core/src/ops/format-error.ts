// One line that tells an operator what failed and why: the error and every cause below it,
// with what each layer knows (gRPC status and details, SQLSTATE, errno, Temporal failure type).
// "Failed to start Workflow" alone hides that the namespace lacks a search attribute.

const GRPC_STATUS = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

const MAX_DEPTH = 10;

function describeOne(err: unknown): string {
  if (!(err instanceof Error)) return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  const e = err as Error & Record<string, unknown>;
  const tags: string[] = [];
  // gRPC (grpc-js ServiceError) and Connect errors carry a numeric status code.
  if (typeof e.code === 'number' && GRPC_STATUS[e.code]) {
    tags.push(`grpc ${e.code} ${GRPC_STATUS[e.code]}`);
    if (typeof e.details === 'string' && e.details && !e.message.includes(e.details)) tags.push(`details: ${e.details}`);
  } else if (typeof e.code === 'string') {
    tags.push(`code ${e.code}`); // SQLSTATE or errno
  }
  if (typeof e.detail === 'string' && e.detail) tags.push(`detail: ${e.detail}`); // PostgreSQL
  if (typeof e.type === 'string' && e.type) tags.push(`type ${e.type}`); // Temporal ApplicationFailure
  if (typeof e.errorType === 'string') tags.push(e.errorType); // ApiError
  const head = `${e.name || 'Error'}: ${e.message}`;
  return tags.length ? `${head} [${tags.join('; ')}]` : head;
}

/** `Outer: msg ← caused by Inner: msg [grpc 3 INVALID_ARGUMENT] ← ...`; AggregateErrors list each error. */
export function formatError(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && parts.length < MAX_DEPTH && !seen.has(current)) {
    seen.add(current);
    let text = describeOne(current);
    if (current instanceof AggregateError && current.errors.length) {
      text += ` {${current.errors.map((e) => formatError(e)).join(' | ')}}`;
    }
    parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' ← caused by ');
}

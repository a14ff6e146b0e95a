// Running a schema at the edge: the first problem becomes the contract's ValidationError,
// worded by the field's schema and naming the field by its path (`clip.eventId`).
import type * as z from 'zod';
import { type ApiError, validation } from '@framesmith/core/errors';

/** `['clip', 'eventId']` -> `clip.eventId`; `['extensions', 1]` -> `extensions[1]`; the root is `body`. */
export function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const key of path) name += typeof key === 'number' ? `[${key}]` : name ? `.${String(key)}` : String(key);
  return name || 'body';
}

export function toValidationError(error: z.ZodError): ApiError {
  const issue = error.issues[0]!;
  const params = (issue as { params?: Record<string, unknown> }).params ?? {};
  return validation(issue.message, { field: fieldName(issue.path), ...params });
}

/** Parses a typed input (a gRPC message mapped onto the schema's input shape), or throws the contract's 400. */
export function parseRequest<S extends z.ZodType>(schema: S, input: z.input<S>): z.output<S> {
  return parseBody(schema, input);
}

/** Parses input of unknown shape (a JSON body), or throws the contract's 400. */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw toValidationError(result.error);
  return result.data;
}

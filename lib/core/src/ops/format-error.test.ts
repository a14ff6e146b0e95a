import { describe, expect, it } from 'vitest';
import { formatError } from './format-error.js';

describe('formatError', () => {
  it('follows the cause chain and names the gRPC status and details of each layer', () => {
    const grpc = Object.assign(new Error('3 INVALID_ARGUMENT: Namespace default has no mapping defined for search attribute FramesmithAssetId'), {
      code: 3,
      details: 'Namespace default has no mapping defined for search attribute FramesmithAssetId',
    });
    const service = new Error('Failed to start Workflow', { cause: grpc });
    service.name = 'ServiceError';
    const api = Object.assign(new Error('Unable to start the job because the orchestration service is unavailable', { cause: service }), {
      name: 'ApiError',
      errorType: 'Unavailable',
    });
    expect(formatError(api)).toBe(
      'ApiError: Unable to start the job because the orchestration service is unavailable [Unavailable]' +
        ' ← caused by ServiceError: Failed to start Workflow' +
        ' ← caused by Error: 3 INVALID_ARGUMENT: Namespace default has no mapping defined for search attribute FramesmithAssetId [grpc 3 INVALID_ARGUMENT]',
    );
  });

  it('shows gRPC details missing from the message, SQLSTATEs, errnos and the members of an AggregateError', () => {
    const deadline = Object.assign(new Error('Deadline exceeded'), { code: 4, details: 'after 4000 ms' });
    expect(formatError(deadline)).toBe('Error: Deadline exceeded [grpc 4 DEADLINE_EXCEEDED; details: after 4000 ms]');
    const pgErr = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const both = new AggregateError([pgErr, refused], 'two failures');
    expect(formatError(new Error('query failed', { cause: both }))).toBe(
      'Error: query failed ← caused by AggregateError: two failures' +
        ' {Error: canceling statement due to statement timeout [code 57014] | Error: connect ECONNREFUSED 127.0.0.1:5432 [code ECONNREFUSED]}',
    );
  });

  it('stops on a cause cycle and prints non-errors as they are', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(formatError(a)).toBe('Error: a ← caused by Error: b');
    expect(formatError('plain text')).toBe('plain text');
    expect(formatError(new Error('x', { cause: { status: 7 } }))).toBe('Error: x ← caused by {"status":7}');
  });
});

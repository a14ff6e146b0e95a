// The API's few named error types. Each carries the HTTP status and the stable `errorType`
// clients branch on; the gRPC adapter maps the same errors onto status codes.
export type ErrorType =
  | 'ValidationError'
  | 'Unauthorized'
  | 'AssetNotFound'
  | 'EventNotFound'
  | 'VuflowNotFound'
  | 'RouteNotFound'
  | 'MethodNotAllowed'
  | 'SystemAssetProtected'
  | 'EventHasNoVodFile'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'Conflict'
  | 'IdempotencyKeyReused'
  | 'Unavailable'
  | 'InternalError';

const STATUS: Record<ErrorType, number> = {
  ValidationError: 400,
  Unauthorized: 401,
  AssetNotFound: 404,
  EventNotFound: 404,
  VuflowNotFound: 404,
  RouteNotFound: 404,
  MethodNotAllowed: 405,
  SystemAssetProtected: 403,
  EventHasNoVodFile: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Conflict: 409,
  // The same Idempotency-Key with a different request (docs/api.md, Idempotent requests).
  IdempotencyKeyReused: 422,
  Unavailable: 503,
  InternalError: 500,
};

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly errorType: ErrorType,
    message: string,
    readonly data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.status = STATUS[errorType];
  }
}

export const validation = (message: string, data: Record<string, unknown> = {}) =>
  new ApiError('ValidationError', message, data);

/** The contract's error body: `{exceptionType, exceptionMessage, errorType, data}`. */
export interface ErrorBody {
  exceptionType: string;
  exceptionMessage: string;
  errorType: ErrorType;
  data: Record<string, unknown>;
}

/** The platform's messages read "Unable to ... because ..."; field errors get that frame. */
export function contractMessage(message: string): string {
  return message.startsWith('Unable to ') ? message : `Unable to process the request because ${message}`;
}

export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ApiError) {
    return {
      status: err.status,
      body: { exceptionType: err.errorType + 'Exception', exceptionMessage: contractMessage(err.message), errorType: err.errorType, data: err.data },
    };
  }
  return {
    status: 500,
    body: {
      exceptionType: 'InternalErrorException',
      exceptionMessage: 'Unable to complete the request because of an internal error',
      errorType: 'InternalError',
      data: {},
    },
  };
}

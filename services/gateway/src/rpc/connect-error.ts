// ApiErrors as gRPC statuses: the code by errorType, the errorType, message and data in an
// ErrorDetail, and the `x-error-type` trailer. Used by the handlers and the API-key interceptor.
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { ApiError, type ErrorType } from '@framesmith/core/errors';
import { ErrorDetailSchema } from '@framesmith/core/gen/es/framesmith/v1/assets_pb';

const CODES: Record<ErrorType, Code> = {
  ValidationError: Code.InvalidArgument,
  Unauthorized: Code.Unauthenticated,
  AssetNotFound: Code.NotFound,
  EventNotFound: Code.NotFound,
  VuflowNotFound: Code.NotFound,
  RouteNotFound: Code.Unimplemented,
  MethodNotAllowed: Code.Unimplemented,
  SystemAssetProtected: Code.PermissionDenied,
  EventHasNoVodFile: Code.FailedPrecondition,
  PayloadTooLarge: Code.ResourceExhausted,
  UnsupportedMediaType: Code.InvalidArgument,
  Conflict: Code.AlreadyExists,
  IdempotencyKeyReused: Code.FailedPrecondition,
  Unavailable: Code.Unavailable,
  InternalError: Code.Internal,
};

export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const api = err instanceof ApiError ? err : new ApiError('InternalError', 'Unable to complete the request because of an internal error');
  const detail = create(ErrorDetailSchema, { errorType: api.errorType, message: api.message, dataJson: JSON.stringify(api.data) });
  const e = new ConnectError(api.message, CODES[api.errorType], undefined, [{ desc: ErrorDetailSchema, value: detail }], err);
  e.metadata.set('x-error-type', api.errorType);
  return e;
}

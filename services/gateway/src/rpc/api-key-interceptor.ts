// The API-key rule (auth/api-key.ts) for every call to the Asset and Event services, whatever
// the protocol (Connect, gRPC-Web, gRPC). Health checks and reflection (schema only) need no key.
import { createContextKey, type Interceptor } from '@connectrpc/connect';
import { AssetService, EventService } from '@framesmith/core/gen/es/framesmith/v1/assets_pb';
import { createApiKeyCheck } from '../auth/api-key.js';
import { toConnectError } from './connect-error.js';

/** The checked API key of the call, for the handlers (its Idempotency-Key scope). */
export const CALLER_API_KEY = createContextKey<string | null>(null);

const GUARDED = new Set([AssetService.typeName, EventService.typeName]);

export function apiKeyInterceptor(apiKeys: Iterable<string>): Interceptor {
  const check = createApiKeyCheck(apiKeys);
  return (next) => async (req) => {
    if (!GUARDED.has(req.service.typeName)) return next(req);
    let key: string;
    try {
      key = check((name) => req.header.get(name));
    } catch (err) {
      throw toConnectError(err);
    }
    req.contextValues.set(CALLER_API_KEY, key);
    return next(req);
  };
}

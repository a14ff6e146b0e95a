// The one API-key rule of the gateway, for every protocol: which headers (or gRPC metadata)
// carry the key, how it is checked, and the error a missing or unknown key gets. The REST
// router (rest/rest-routes.ts) and the Connect interceptor (rpc/api-key-interceptor.ts) apply it.
import { ApiError } from '@framesmith/core/errors';

/** API-KEY, or X-Auth-Key from older clients; gRPC metadata uses the same names. The first non-empty one counts. */
const API_KEY_HEADERS = ['api-key', 'x-auth-key'] as const;

/** Reads one header (lower-case name) of a request, however the protocol stores them. */
export type HeaderRead = (name: string) => string | null | undefined;

/** The error of a request without a known key (401 on REST, UNAUTHENTICATED on RPC). */
export function unauthorised(): ApiError {
  return new ApiError('Unauthorized', 'Unable to authorise the request because the API-KEY or X-Auth-Key header (api-key metadata over gRPC) is missing or unknown');
}

/** Returns the check: the caller's API key when it is one of `apiKeys`, else the Unauthorized error. */
export function createApiKeyCheck(apiKeys: Iterable<string>): (read: HeaderRead) => string {
  const known = new Set(apiKeys);
  return (read) => {
    for (const name of API_KEY_HEADERS) {
      const key = read(name);
      if (key) {
        if (known.has(key)) return key;
        break;
      }
    }
    throw unauthorised();
  };
}

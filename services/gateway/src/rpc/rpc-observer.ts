// A Connect interceptor for every RPC (Connect, gRPC-Web and gRPC): the call runs in its log
// context (x-transaction-id metadata, or a new id, returned in the response headers or
// trailers), is timed by method and gRPC code into the request histogram, and ends with one
// log line. A streaming call is timed until its stream ends.
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { log } from '@framesmith/core/ops/lifecycle';
import { withLogContext } from '@framesmith/core/ops/log-context';
import { observeRequest, transactionIdFrom } from '../request-metrics.js';

/** `not_found`, `invalid_argument`, ...: the gRPC status names in lower case. */
const codeName = (code: Code | 0) => (code === 0 ? 'ok' : Code[code].replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase());

export const rpcObserver: Interceptor = (next) => async (req) => {
  const txn = transactionIdFrom(req.header.get('x-transaction-id'));
  const route = `/${req.service.typeName}/${req.method.name}`;
  const started = process.hrtime.bigint();
  const finish = (code: Code | 0, err?: ConnectError) => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    observeRequest('rpc', route, codeName(code), seconds);
    const fields: Record<string, unknown> = { req: { headers: Object.fromEntries(req.header) }, route, code: codeName(code), durationMs: Math.round(seconds * 1000) };
    if (err && (code === Code.Internal || code === Code.Unknown || code === Code.Unavailable)) fields.reason = err.message;
    log('gateway', 'rpc finished', fields);
  };
  return withLogContext({ txn }, async () => {
    let res;
    try {
      res = await next(req);
    } catch (e) {
      const err = ConnectError.from(e);
      err.metadata.set('x-transaction-id', txn);
      finish(err.code, err);
      throw err;
    }
    res.header.set('x-transaction-id', txn);
    if (!res.stream) {
      finish(0);
      return res;
    }
    const messages = res.message;
    return {
      ...res,
      message: (async function* () {
        // A stream the client abandons ends here without an error: cancelled.
        let code: Code | 0 = Code.Canceled;
        let err: ConnectError | undefined;
        try {
          yield* messages;
          code = 0;
        } catch (e) {
          err = ConnectError.from(e);
          code = err.code;
          throw e;
        } finally {
          finish(code, err);
        }
      })(),
    };
  });
};

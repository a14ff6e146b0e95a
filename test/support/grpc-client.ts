// The typed client internal services use: ts-proto code on @grpc/grpc-js, with the API key
// attached to every call as `api-key` metadata.
//
//   const { assets, events, close } = createFramesmithClient('gateway:8081', process.env.FRAMESMITH_API_KEY!);
//   const asset = await promisify(assets.getAsset.bind(assets))({ id, noCache: false });
import { credentials, type ChannelCredentials, type Interceptor, InterceptingCall, Metadata } from '@grpc/grpc-js';
import { AssetServiceClient, EventServiceClient } from '@framesmith/core/gen/grpc/framesmith/v1/assets';
import { HealthClient } from '@framesmith/core/gen/grpc/grpc/health/v1/health';

export * from '@framesmith/core/gen/grpc/framesmith/v1/assets';

export function apiKeyInterceptor(apiKey: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata: Metadata, listener, next) {
        metadata.set('api-key', apiKey);
        next(metadata, listener);
      },
    });
}

export function createFramesmithClient(address: string, apiKey: string, creds: ChannelCredentials = credentials.createInsecure()) {
  const opts = { interceptors: [apiKeyInterceptor(apiKey)] };
  const assets = new AssetServiceClient(address, creds, opts);
  const events = new EventServiceClient(address, creds, opts);
  const health = new HealthClient(address, creds);
  return {
    assets,
    events,
    health,
    close() {
      assets.close();
      events.close();
      health.close();
    },
  };
}

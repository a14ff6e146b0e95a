// One place that turns configuration into Temporal connection options, for the client
// (gateway, reconciler) and the native worker connection alike.
import type { Config } from '../config.js';

export function temporalConnectionOptions(config: Config) {
  return {
    address: config.temporalAddress,
    ...(config.temporalTls ? { tls: true as const } : {}),
    ...(config.temporalApiKey ? { apiKey: config.temporalApiKey } : {}),
  };
}

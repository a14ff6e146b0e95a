// The egress policy as configuration defines it: OUTBOUND_ALLOW, plus the operator's own
// object storage (S3_ENDPOINT), whose presigned URLs the system must be able to fetch even
// when that server sits on a private network.
import type { Config } from '../config.js';
import { createEgressPolicy, type EgressPolicy } from './egress-policy.js';

type EgressConfig = Pick<Config, 'outboundAllow'> & { objectStorage?: { endpoint: string | null } | null };

const cache = new WeakMap<object, EgressPolicy>();

export function egressPolicyFromConfig(config: EgressConfig): EgressPolicy {
  let policy = cache.get(config);
  if (!policy) {
    const endpoint = config.objectStorage?.endpoint;
    const trusted = endpoint ? [new URL(endpoint).hostname.replace(/^\[|\]$/g, '')] : [];
    policy = createEgressPolicy([...config.outboundAllow, ...trusted]);
    cache.set(config, policy);
  }
  return policy;
}

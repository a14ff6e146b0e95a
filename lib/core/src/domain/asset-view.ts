// The asset object as clients see it (GET /api/asset/{id}), built in one place because two
// processes hand it out: the gateway in its answers, the orchestrator in completion webhooks.
import type { Config } from '../config.js';
import { type AssetObject, type AssetRecord, toAssetObject } from './asset.js';
import { contentExpiry, contentExpiryChangesAt, signedContentUrl } from './content-signature.js';

/**
 * A URL served by this deployment's /content (the configured public base) is signed when
 * CONTENT_SIGNING_SECRET is set; a vuflow's own base (a CDN) is left as it is.
 */
export function presentAsset(a: AssetRecord & { urlBase: string }, config: Pick<Config, 'contentSigning' | 'storageUrlPublic'>, nowMs = Date.now()): AssetObject {
  const obj = toAssetObject(a, a.urlBase);
  const signing = config.contentSigning;
  if (signing && obj.url && a.urlBase === config.storageUrlPublic) {
    obj.url = signedContentUrl(obj.url, signing.secret, a.path, contentExpiry(nowMs, signing.ttlSeconds));
  }
  return obj;
}

/** Until when (ms) what `presentAsset` gives at `nowMs` stays the same: signed URLs change with their expiry. */
export function presentedUntil(config: Pick<Config, 'contentSigning'>, nowMs: number): number {
  return config.contentSigning ? contentExpiryChangesAt(nowMs, config.contentSigning.ttlSeconds) : Infinity;
}

// The egress policy at request time, names resolved, for every URL a request hands the system
// (an event's sourceUrl, a callbackUrl, a vuflow's default callback). The worker, or for a
// callback the orchestrator, checks again where it connects.
import type { Config } from '@framesmith/core/config';
import { ApiError, validation } from '@framesmith/core/errors';
import { egressPolicyFromConfig } from '@framesmith/core/net/egress-config';
import { EgressRefusedError, resolveChecked, timedLookup } from '@framesmith/core/net/egress-policy';
import { describeNetworkError, networkErrorCode } from '@framesmith/core/net/network-error';

export async function checkEgressUrl(config: Config, url: string | null, field: string): Promise<void> {
  if (url === null) return;
  try {
    await resolveChecked(egressPolicyFromConfig(config), new URL(url).hostname, timedLookup);
  } catch (err) {
    if (err instanceof EgressRefusedError) throw validation(`${field} is not allowed: ${err.message}`, { field });
    if (networkErrorCode(err) === 'ENOTFOUND') throw validation(`${field}'s host name does not resolve`, { field });
    throw new ApiError('Unavailable', `Unable to check ${field} because its host name could not be resolved (${describeNetworkError(err)})`, { field });
  }
}

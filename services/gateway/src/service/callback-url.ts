// Where a new asset's completion webhook goes (docs/api.md, Completion webhooks): the request's
// own callbackUrl, else the default in the configuration of the event's vuflow (the default
// vuflow for events without one). Format rules live in the request schema; the egress check
// at request time is the caller's (the same one sourceUrl gets).
import type { Config } from '@framesmith/core/config';
import type { Repo } from '@framesmith/core/db/repo';
import type { EventRecord } from '@framesmith/core/domain/event';
import { validation } from '@framesmith/core/errors';

const NO_SECRET = 'callbackUrl cannot be used because this server has no WEBHOOK_SIGNING_SECRET to sign webhooks with';

/** A vuflow's default callback, as its configuration carries it (checked when the vuflow was created). */
export function vuflowCallbackUrl(configurationJson: Record<string, unknown>): string | null {
  const v = configurationJson.callbackUrl;
  return typeof v === 'string' && v !== '' ? v : null;
}

/** A server that cannot sign refuses a callbackUrl rather than send webhooks nobody can trust. */
export function requireSigningSecret(config: Pick<Config, 'webhooks'>, field: string): void {
  if (!config.webhooks.signingSecret) throw validation(NO_SECRET, { field });
}

export async function callbackUrlFor(d: { config: Config; repo: Repo }, given: string | null, event: EventRecord): Promise<string | null> {
  if (given !== null) {
    requireSigningSecret(d.config, 'callbackUrl');
    return given;
  }
  // Without a secret a vuflow default is ignored: the request did not ask for it.
  if (!d.config.webhooks.signingSecret) return null;
  const vuflow = event.vuflowId ? await d.repo.getVuflow(event.vuflowId) : await d.repo.getDefaultVuflow();
  return vuflow ? vuflowCallbackUrl(vuflow.configurationJson) : null;
}

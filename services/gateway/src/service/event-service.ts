// Events (a recording or live source that assets are made from) and vuflows (a public URL base
// and webhook defaults for an event's assets).
import { randomUUID } from 'node:crypto';
import type { Config } from '@framesmith/core/config';
import { NO_FILTER, type Repo, type StoredAsset } from '@framesmith/core/db/repo';
import { AssetType } from '@framesmith/core/domain/asset';
import { type EventObject, type EventRecord, toEventObject, toVuflowObject, type VuflowObject } from '@framesmith/core/domain/event';
import { ApiError } from '@framesmith/core/errors';
import type { CreateEventRequest, CreateVuflowRequest, UpdateEventRequest } from '../api-schema/event-requests.js';
import { requireSigningSecret, vuflowCallbackUrl } from './callback-url.js';
import { checkEgressUrl } from './egress-check.js';

const eventNotFound = (id: string) => new ApiError('EventNotFound', `Unable to find event ${id}`, { eventId: id });

export async function requireEvent(repo: Repo, id: string): Promise<EventRecord> {
  const event = await repo.getEvent(id);
  if (!event) throw eventNotFound(id);
  return event;
}

export class EventService {
  constructor(
    private readonly d: { config: Config; repo: Repo },
    /** Removes one generated asset with its job and file (AssetLifecycle.removeAsset). */
    private readonly removeAsset: (a: StoredAsset) => Promise<unknown>,
  ) {}

  async createEvent(req: CreateEventRequest): Promise<EventObject> {
    await checkEgressUrl(this.d.config, req.sourceUrl, 'sourceUrl');
    await this.checkVuflow(req.vuflowId);
    const id = randomUUID();
    const e = await this.d.repo.insertEvent({ ...req, id, contentId: req.contentId ?? id });
    return toEventObject(e);
  }

  async getEvent(id: string): Promise<EventObject> {
    return toEventObject(await requireEvent(this.d.repo, id));
  }

  async listEvents(pageIndex: number): Promise<EventObject[]> {
    return (await this.d.repo.listEvents(pageIndex)).map(toEventObject);
  }

  async updateEvent(key: string, req: UpdateEventRequest): Promise<EventObject> {
    await requireEvent(this.d.repo, key);
    await checkEgressUrl(this.d.config, req.sourceUrl ?? null, 'sourceUrl');
    await this.checkVuflow(req.vuflowId ?? null);
    const e = await this.d.repo.updateEvent(key, req);
    if (!e) throw eventNotFound(key);
    return toEventObject(e);
  }

  async deleteEvent(key: string): Promise<{ id: string }> {
    await requireEvent(this.d.repo, key);
    // Generated assets go with their event (jobs cancelled, files removed); SYSTEM assets are
    // files the system found, such as the VOD itself, and stay on storage.
    const generated = await this.d.repo.findAssets({ ...NO_FILTER, eventId: key, types: [AssetType.IMAGE, AssetType.VIDEO, AssetType.GIF] });
    for (const a of generated) await this.removeAsset(a);
    if (!(await this.d.repo.deleteEvent(key))) throw eventNotFound(key);
    return { id: key };
  }

  async createVuflow({ name, configurationJson }: CreateVuflowRequest): Promise<VuflowObject> {
    const callbackUrl = vuflowCallbackUrl(configurationJson);
    if (callbackUrl !== null) {
      requireSigningSecret(this.d.config, 'configurationJson.callbackUrl');
      await checkEgressUrl(this.d.config, callbackUrl, 'configurationJson.callbackUrl');
    }
    return toVuflowObject(await this.d.repo.insertVuflow({ id: randomUUID(), name, configurationJson }));
  }

  async listVuflows(): Promise<VuflowObject[]> {
    return (await this.d.repo.listVuflows()).map(toVuflowObject);
  }

  private async checkVuflow(vuflowId: string | null): Promise<void> {
    if (vuflowId !== null && !(await this.d.repo.getVuflow(vuflowId))) {
      throw new ApiError('VuflowNotFound', `Unable to find vuflow ${vuflowId}`, { vuflowId });
    }
  }
}

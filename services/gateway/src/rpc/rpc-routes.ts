// The Connect/gRPC/gRPC-Web adapter. Messages are mapped onto the REST request shapes and
// parsed by the same schemas (api-schema/), so validation and rules exist once; ApiErrors become gRPC status
// codes with the errorType in an ErrorDetail and the `x-error-type` trailer.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import type { AssetObject } from '@framesmith/core/domain/asset';
import type { EventObject, VuflowObject } from '@framesmith/core/domain/event';
import {
  type AssetFilter,
  AssetSchema,
  AssetService as AssetServiceDesc,
  EventSchema,
  EventService as EventServiceDesc,
  VuflowSchema,
} from '@framesmith/core/gen/es/framesmith/v1/assets_pb';
import type * as z from 'zod';
import { assetPath, assetRequestSchemas, deleteAssetsQuery, listAssetsQuery, renameRequest } from '../api-schema/asset-requests.js';
import { createEventRequest, createVuflowRequest, eventPath, syncPath, updateEventRequest } from '../api-schema/event-requests.js';
import { parseRequest } from '../api-schema/parse.js';
import type { AssetService } from '../service/asset-service.js';
import { checkStrings } from '../service/parse-input.js';
import { type IdempotencyKey, idempotencyKeyOf } from '../service/idempotent-create.js';
import { CALLER_API_KEY } from './api-key-interceptor.js';
import { toConnectError } from './connect-error.js';
import { registerHealth } from './health-service.js';

function toAsset(a: AssetObject): MessageInitShape<typeof AssetSchema> {
  return { ...a, failureReason: a.failureReason };
}

function toEvent(e: EventObject): MessageInitShape<typeof EventSchema> {
  const opt = (v: string | null) => v ?? undefined;
  return { ...e, refId: opt(e.refId), externalId: opt(e.externalId), vuflowId: opt(e.vuflowId), vodFile: opt(e.vodFile), sourceUrl: opt(e.sourceUrl) };
}

function toVuflow(v: VuflowObject): MessageInitShape<typeof VuflowSchema> {
  return { ...v, configurationJson: JSON.stringify(v.configurationJson) };
}

/** The proto filter as the REST query would spell it, so one schema checks both. */
function filterQuery(f: AssetFilter | undefined): z.input<typeof deleteAssetsQuery> & { extensions?: string } {
  if (!f) return {};
  const list = (v: readonly (string | number)[]) => (v.length ? v.join(',') : undefined);
  return { eventId: f.eventId, contentId: f.contentId, jobId: f.jobId, name: f.name, states: list(f.states), types: list(f.types), extensions: list(f.extensions) };
}

/** The Asset and Event services; the API key is checked before any handler (api-key-interceptor.ts). */
export function registerRpc(svc: AssetService, ready: () => Promise<boolean>) {
  const authed = <Req, Res>(fn: (req: Req, ctx: HandlerContext) => Promise<Res>) => async (req: Req, ctx: HandlerContext) => {
    try {
      checkStrings(req);
      return await fn(req, ctx);
    } catch (err) {
      throw toConnectError(err);
    }
  };

  return (router: ConnectRouter) => {
    registerHealth(router, ready);
    const assets = assetRequestSchemas(svc.limits);
    // Idempotency-Key as gRPC metadata (`idempotency-key`), scoped to the caller's API key as on REST.
    const idem = (ctx: HandlerContext): IdempotencyKey | null => idempotencyKeyOf(ctx.requestHeader.get('idempotency-key') ?? undefined, ctx.values.get(CALLER_API_KEY)!);
    const assetId = (id: string) => parseRequest(assetPath, { id }).id;
    const eventId = (id: string) => parseRequest(eventPath, { id }).id;
    router.service(AssetServiceDesc, {
      createGif: authed(async (r, ctx) => {
        // An unset clip reaches the schema as undefined, which refuses it as REST does a missing one.
        const clip = (r.clip && { eventId: r.clip.eventId, start: r.clip.start, end: r.clip.end })!;
        const { fps, width, height, playbackRepeats, reverse, playbackSpeed, filename, priority, callbackUrl } = r;
        return toAsset(await svc.createGif(parseRequest(assets.gif, { clip, name: r.name, fps, width, height, playbackRepeats, reverse, playbackSpeed, filename, priority, callbackUrl }), idem(ctx)));
      }),
      createVideo: authed(async (r, ctx) => {
        const clip = (r.clip && { eventId: r.clip.eventId, start: r.clip.start, end: r.clip.end, filter: r.clip.filter })!;
        const { mezzanine, frameAccurate, copyTs, filename, priority, callbackUrl } = r;
        return toAsset(await svc.createVideo(parseRequest(assets.video, { clip, name: r.name, mezzanine, frameAccurate, copyTs, filename, priority, callbackUrl }), idem(ctx)));
      }),
      createImage: authed(async (r, ctx) => {
        const { eventId, name, time, filename, priority, callbackUrl } = r;
        return toAsset(await svc.createImage(parseRequest(assets.image, { eventId, name, time, filename, priority, callbackUrl }), idem(ctx)));
      }),
      renameAsset: authed(async (r) => toAsset(await svc.renameAsset(parseRequest(renameRequest, { id: r.id, name: r.name })))),
      syncAssets: authed(async (r) => svc.syncAssets(parseRequest(syncPath, { eventId: r.eventId }).eventId)),
      listAssets: authed(async (r) => ({ assets: (await svc.listAssets(parseRequest(listAssetsQuery, { ...filterQuery(r.filter), pageIndex: String(r.pageIndex), noCache: String(r.noCache) }))).map(toAsset) })),
      getAsset: authed(async (r) => toAsset(await svc.getAsset(assetId(r.id), { noCache: r.noCache }))),
      deleteAsset: authed(async (r) => svc.deleteAsset(assetId(r.id))),
      deleteAssets: authed(async (r) => svc.deleteAssets(parseRequest(deleteAssetsQuery, filterQuery(r.filter)))),
      async *watchAsset(r, ctx) {
        try {
          checkStrings(r);
          for await (const u of svc.watchAsset(assetId(r.id), ctx.signal)) {
            yield { asset: toAsset(u.asset), progress: u.progress ?? undefined };
          }
        } catch (err) {
          throw toConnectError(err);
        }
      },
    });
    const eventFields = (r: { vodFile?: string; sourceUrl?: string; contentId?: string; refId?: string; externalId?: string; vuflowId?: string }) => {
      const { vodFile, sourceUrl, contentId, refId, externalId, vuflowId } = r;
      return { vodFile, sourceUrl, contentId, refId, externalId, vuflowId };
    };
    router.service(EventServiceDesc, {
      createEvent: authed(async (r) => toEvent(await svc.createEvent(parseRequest(createEventRequest, { title: r.title, ...eventFields(r) })))),
      getEvent: authed(async (r) => toEvent(await svc.getEvent(eventId(r.id)))),
      listEvents: authed(async (r) => ({ events: (await svc.listEvents(r.pageIndex)).map(toEvent) })),
      updateEvent: authed(async (r) => {
        const id = eventId(r.id);
        return toEvent(await svc.updateEvent(id, parseRequest(updateEventRequest, { title: r.title, ...eventFields(r) })));
      }),
      deleteEvent: authed(async (r) => svc.deleteEvent(eventId(r.id))),
      createVuflow: authed(async (r) => toVuflow(await svc.createVuflow(parseRequest(createVuflowRequest, { name: r.name, configurationJson: r.configurationJson })))),
      listVuflows: authed(async () => ({ vuflows: (await svc.listVuflows()).map(toVuflow) })),
    });
  };
}

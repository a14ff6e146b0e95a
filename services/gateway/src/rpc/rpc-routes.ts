// The Connect/gRPC/gRPC-Web adapter. Requests are turned into the REST shapes and handed to
// the same AssetService, so validation and rules exist once; ApiErrors become gRPC status
// codes with the errorType in an ErrorDetail and the `x-error-type` trailer.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import type { AssetObject } from '@framesmith/core/domain/asset';
import type { EventObject, VuflowObject } from '@framesmith/core/domain/event';
import { ApiError, type ErrorType } from '@framesmith/core/errors';
import {
  type AssetFilter,
  AssetSchema,
  AssetService as AssetServiceDesc,
  ErrorDetailSchema,
  EventSchema,
  EventService as EventServiceDesc,
  VuflowSchema,
} from '@framesmith/core/gen/es/framesmith/v1/assets_pb';
import type { AssetService } from '../service/asset-service.js';
import { checkStrings } from '../service/parse-input.js';
import { registerHealth } from './health-service.js';

const CODES: Record<ErrorType, Code> = {
  ValidationError: Code.InvalidArgument,
  Unauthorized: Code.Unauthenticated,
  AssetNotFound: Code.NotFound,
  EventNotFound: Code.NotFound,
  VuflowNotFound: Code.NotFound,
  RouteNotFound: Code.Unimplemented,
  MethodNotAllowed: Code.Unimplemented,
  SystemAssetProtected: Code.PermissionDenied,
  EventHasNoVodFile: Code.FailedPrecondition,
  PayloadTooLarge: Code.ResourceExhausted,
  UnsupportedMediaType: Code.InvalidArgument,
  Conflict: Code.AlreadyExists,
  Unavailable: Code.Unavailable,
  InternalError: Code.Internal,
};

export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const api = err instanceof ApiError ? err : new ApiError('InternalError', 'Unable to complete the request because of an internal error');
  const detail = create(ErrorDetailSchema, { errorType: api.errorType, message: api.message, dataJson: JSON.stringify(api.data) });
  const e = new ConnectError(api.message, CODES[api.errorType], undefined, [{ desc: ErrorDetailSchema, value: detail }], err);
  e.metadata.set('x-error-type', api.errorType);
  return e;
}

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

/** Drops undefined fields so "not given" reads the same as in a REST body. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function filterQuery(f: AssetFilter | undefined, extra: Record<string, string> = {}): URLSearchParams {
  const q = new URLSearchParams(extra);
  if (!f) return q;
  if (f.eventId !== undefined) q.set('eventId', f.eventId);
  if (f.contentId !== undefined) q.set('contentId', f.contentId);
  if (f.jobId !== undefined) q.set('jobId', f.jobId);
  if (f.name !== undefined) q.set('name', f.name);
  if (f.states.length) q.set('states', f.states.join(','));
  if (f.types.length) q.set('types', f.types.join(','));
  if (f.extensions.length) q.set('extensions', f.extensions.join(','));
  return q;
}

export function registerRpc(svc: AssetService, apiKeys: Set<string>, ready: () => Promise<boolean>) {
  const authed = <Req, Res>(fn: (req: Req, ctx: HandlerContext) => Promise<Res>) => async (req: Req, ctx: HandlerContext) => {
    try {
      const key = ctx.requestHeader.get('api-key') || ctx.requestHeader.get('x-auth-key');
      if (!key || !apiKeys.has(key)) throw new ApiError('Unauthorized', 'Unable to authorise the call because the api-key metadata is missing or unknown');
      checkStrings(req);
      return await fn(req, ctx);
    } catch (err) {
      throw toConnectError(err);
    }
  };

  return (router: ConnectRouter) => {
    registerHealth(router, ready);
    router.service(AssetServiceDesc, {
      createGif: authed(async (r) =>
        toAsset(
          await svc.createGif(
            defined({
              clip: r.clip ? defined({ eventId: r.clip.eventId, start: r.clip.start, end: r.clip.end }) : undefined,
              name: r.name,
              fps: r.fps,
              height: r.height,
              width: r.width,
              playbackRepeats: r.playbackRepeats,
              reverse: r.reverse,
              playbackSpeed: r.playbackSpeed,
              filename: r.filename,
              priority: r.priority,
            }),
          ),
        ),
      ),
      createVideo: authed(async (r) =>
        toAsset(
          await svc.createVideo(
            defined({
              clip: r.clip ? defined({ eventId: r.clip.eventId, start: r.clip.start, end: r.clip.end, filter: r.clip.filter }) : undefined,
              name: r.name,
              mezzanine: r.mezzanine,
              frameAccurate: r.frameAccurate,
              copyTs: r.copyTs,
              filename: r.filename,
              priority: r.priority,
            }),
          ),
        ),
      ),
      createImage: authed(async (r) =>
        toAsset(await svc.createImage(defined({ eventId: r.eventId, name: r.name, time: r.time, filename: r.filename, priority: r.priority }))),
      ),
      renameAsset: authed(async (r) => toAsset(await svc.renameAsset(r.id, r.name))),
      syncAssets: authed(async (r) => svc.syncAssets(r.eventId)),
      listAssets: authed(async (r) => ({ assets: (await svc.listAssets(filterQuery(r.filter, { pageIndex: String(r.pageIndex) }))).map(toAsset) })),
      getAsset: authed(async (r) => toAsset(await svc.getAsset(r.id))),
      deleteAsset: authed(async (r) => svc.deleteAsset(r.id)),
      deleteAssets: authed(async (r) => svc.deleteAssets(filterQuery(r.filter))),
      async *watchAsset(r, ctx) {
        const key = ctx.requestHeader.get('api-key') || ctx.requestHeader.get('x-auth-key');
        if (!key || !apiKeys.has(key)) throw toConnectError(new ApiError('Unauthorized', 'Unable to authorise the call because the api-key metadata is missing or unknown'));
        try {
          checkStrings(r);
          for await (const u of svc.watchAsset(r.id, ctx.signal)) {
            yield { asset: toAsset(u.asset), progress: u.progress ?? undefined };
          }
        } catch (err) {
          throw toConnectError(err);
        }
      },
    });
    router.service(EventServiceDesc, {
      createEvent: authed(async (r) =>
        toEvent(
          await svc.createEvent(
            defined({ title: r.title, vodFile: r.vodFile, sourceUrl: r.sourceUrl, contentId: r.contentId, refId: r.refId, externalId: r.externalId, vuflowId: r.vuflowId }),
          ),
        ),
      ),
      getEvent: authed(async (r) => toEvent(await svc.getEvent(r.id))),
      listEvents: authed(async (r) => ({ events: (await svc.listEvents(r.pageIndex)).map(toEvent) })),
      updateEvent: authed(async (r) =>
        toEvent(
          await svc.updateEvent(
            r.id,
            defined({ title: r.title, vodFile: r.vodFile, sourceUrl: r.sourceUrl, contentId: r.contentId, refId: r.refId, externalId: r.externalId, vuflowId: r.vuflowId }),
          ),
        ),
      ),
      deleteEvent: authed(async (r) => svc.deleteEvent(r.id)),
      createVuflow: authed(async (r) => toVuflow(await svc.createVuflow({ name: r.name, configurationJson: r.configurationJson }))),
      listVuflows: authed(async () => ({ vuflows: (await svc.listVuflows()).map(toVuflow) })),
    });
  };
}

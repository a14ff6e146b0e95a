// The harness's REST client: the same calls an external client makes (README, REST API).
import { AssetService } from '@framesmith/core/gen/es/framesmith/v1/assets_pb';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
export interface Asset {
  id: string;
  eventId: string;
  path: string;
  jobId: string;
  state: number;
  stateString: 'GENERATING' | 'COMPLETED' | 'FAILED' | string;
  failureReason?: string;
  [k: string]: unknown;
}

export class RestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export class AssetFailedError extends Error {
  constructor(readonly asset: Asset) {
    super(`asset ${asset.id} FAILED: ${asset.failureReason ?? '(no reason given)'}`);
    this.name = 'AssetFailedError';
  }
}

export interface Submitted {
  asset: Asset;
  /** Date.now() just before the POST, and the POST's round trip in ms. */
  t0: number;
  postMs: number;
}

export interface Finished extends Submitted {
  done: Asset;
  /** Date.now() when the client first saw COMPLETED. */
  tDone: number;
}

/**
 * The asset's updates as the gateway pushes them: WatchAsset through Connect's own client on
 * the REST port (the Connect protocol over HTTP/1.1, as test/input-limits.test.ts calls it),
 * in the REST shape the harness reads. The stream ends after COMPLETED or FAILED.
 */
async function* watchAsset(baseUrl: string, apiKey: string, id: string, signal: AbortSignal): AsyncGenerator<Asset> {
  const client = createClient(AssetService, createConnectTransport({ baseUrl, httpVersion: '1.1' }));
  for await (const { asset: a } of client.watchAsset({ id }, { headers: { 'API-KEY': apiKey }, signal })) {
    if (a) yield { id: a.id, eventId: a.eventId, path: a.path, jobId: a.jobId, state: a.state, stateString: a.stateString, failureReason: a.failureReason };
  }
}

export function createRestClient(baseUrl: string, apiKey: string) {
  const call = async (method: string, route: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { 'API-KEY': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text for the error
    }
    if (!res.ok) throw new RestError(`${method} ${route}: HTTP ${res.status} ${typeof json === 'string' ? json : JSON.stringify(json)}`, res.status, json);
    return json;
  };

  return {
    baseUrl,
    apiKey,
    call,
    async createEvent(title: string, vodFile: string): Promise<string> {
      return ((await call('POST', '/api/event/', { title, vodFile })) as { id: string }).id;
    },
    async submit(kind: 'image' | 'gif' | 'video', body: Record<string, unknown>): Promise<Submitted> {
      const t0 = Date.now();
      const asset = (await call('POST', `/api/asset/${kind}/`, body)) as Asset;
      return { asset, t0, postMs: Date.now() - t0 };
    },
    async get(id: string): Promise<Asset> {
      return (await call('GET', `/api/asset/${id}/`)) as Asset;
    },
    /**
     * Follows the asset until it leaves GENERATING; a FAILED asset throws with its reason. It
     * listens to the gateway's push (WatchAsset over the Connect protocol, on this same HTTP
     * port), as a client that wants the result at once does: polling would add half its interval
     * to every measured run. Should a stream end early (a gateway restart), one GET answers
     * whether it already finished before the next stream opens.
     */
    async waitDone(s: Submitted, o: { timeoutMs?: number } = {}): Promise<Finished> {
      const timeoutMs = o.timeoutMs ?? 30 * 60_000;
      const signal = AbortSignal.timeout(timeoutMs);
      const finished = (a: Asset): Finished | null => {
        if (a.stateString === 'COMPLETED') return { ...s, done: a, tDone: Date.now() };
        if (a.stateString !== 'GENERATING') throw new AssetFailedError(a);
        return null;
      };
      for (;;) {
        try {
          for await (const a of watchAsset(baseUrl, apiKey, s.asset.id, signal)) {
            const done = finished(a);
            if (done) return done;
          }
        } catch (err) {
          if (signal.aborted) throw new Error(`asset ${s.asset.id} still GENERATING after ${timeoutMs} ms`);
          // A stream the gateway cut (a restart) is asked again below; a refused call is an error.
          if (!(err instanceof ConnectError) || err.code !== Code.Unavailable) throw err;
        }
        const done = finished((await call('GET', `/api/asset/${s.asset.id}/`)) as Asset);
        if (done) return done;
      }
    },
    /** Every asset of an event in the given states (all pages). */
    async listAll(eventId: string, states: string): Promise<Asset[]> {
      const out: Asset[] = [];
      for (let page = 0; ; page++) {
        const rows = (await call('GET', `/api/asset/?eventId=${eventId}&states=${states}&pageIndex=${page}`)) as Asset[];
        out.push(...rows);
        if (rows.length < 100) return out;
      }
    },
  };
}

export type RestClient = ReturnType<typeof createRestClient>;

// The harness's REST client: the same calls an external client makes (README, REST API).
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

/** A WatchAsset stream that ended (or broke) before its asset finished. */
class WatchEndedError extends Error {}

const WATCH_PATH = '/framesmith.v1.AssetService/WatchAsset';

/** One Connect envelope: flags (0x02 ends the stream), a big-endian length, the JSON message. */
export function envelope(json: unknown): Uint8Array {
  const body = Buffer.from(JSON.stringify(json));
  const out = Buffer.alloc(5 + body.length);
  out.writeUInt32BE(body.length, 1);
  body.copy(out, 5);
  return out;
}

/** A server stream's messages as they arrive, however the chunks cut the envelopes. */
export async function* readEnvelopes(body: AsyncIterable<Uint8Array>): AsyncGenerator<{ end: boolean; message: unknown }> {
  let buf = Buffer.alloc(0);
  for await (const chunk of body) {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
      const size = buf.readUInt32BE(1);
      yield { end: (buf[0]! & 0x02) !== 0, message: JSON.parse(buf.subarray(5, 5 + size).toString('utf8')) };
      buf = buf.subarray(5 + size);
    }
  }
}

/**
 * The asset's updates as the gateway pushes them: a server stream of the Connect protocol
 * (application/connect+json), which plain fetch reads over HTTP/1.1. The messages are the
 * proto's JSON, whose Asset carries the same `stateString` as REST's.
 */
async function* watchAsset(baseUrl: string, apiKey: string, id: string, signal: AbortSignal): AsyncGenerator<Asset> {
  const res = await fetch(`${baseUrl}${WATCH_PATH}`, {
    method: 'POST',
    headers: { 'API-KEY': apiKey, 'content-type': 'application/connect+json', 'connect-protocol-version': '1' },
    body: envelope({ id }),
    signal,
  });
  if (!res.ok || !res.body) throw new RestError(`WatchAsset ${id}: HTTP ${res.status} ${await res.text()}`, res.status, null);
  for await (const { end, message } of readEnvelopes(res.body)) {
    const m = message as { asset?: Asset; error?: { code?: string; message?: string } };
    if (end) {
      if (m.error) throw new RestError(`WatchAsset ${id}: ${m.error.code} ${m.error.message ?? ''}`, 0, m.error);
      throw new WatchEndedError(`WatchAsset ${id} ended`);
    }
    if (m.asset) yield m.asset;
  }
  throw new WatchEndedError(`WatchAsset ${id} closed`);
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
          if (!(err instanceof WatchEndedError)) throw err;
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

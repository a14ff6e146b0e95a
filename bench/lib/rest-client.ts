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
    /** Polls until the asset leaves GENERATING; a FAILED asset throws with its reason. */
    async waitDone(s: Submitted, o: { pollMs?: number; timeoutMs?: number } = {}): Promise<Finished> {
      const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
      for (;;) {
        const a = (await call('GET', `/api/asset/${s.asset.id}/`)) as Asset;
        if (a.stateString === 'COMPLETED') return { ...s, done: a, tDone: Date.now() };
        if (a.stateString !== 'GENERATING') throw new AssetFailedError(a);
        if (Date.now() > deadline) throw new Error(`asset ${s.asset.id} still GENERATING after ${o.timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, o.pollMs ?? 30));
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

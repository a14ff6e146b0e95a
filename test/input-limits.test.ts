// Hostile input against the running stack: bodies over MAX_BODY_BYTES however they are sent
// (REST with Content-Length or chunked, Connect, gRPC-Web, gRPC) and the one text rule
// (control characters, UTF-8 file name lengths). Every refusal must name what was wrong and
// write nothing.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { AssetService } from '../lib/core/src/gen/es/framesmith/v1/assets_pb.js';
import { createFramesmithClient } from './support/grpc-client.js';
import { runProcess } from '../lib/core/src/media/run-process.js';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { api, countRows, createEvent, stack, testVideo, workflowCount } from './support/api.js';

const MAX_BODY_BYTES = 64 * 1024; // the default of MAX_BODY_BYTES, which the test stack keeps
const OVERSIZED = 50 * 1024 * 1024; // the size of the report
// The memory test sends 30 messages: at 50 MB each, encoding them alone costs the test over a
// minute of CPU; 16 MB still grew the old gateway by far more than the 60 MB allowed.
const OVERSIZED_FOR_MEMORY = 16 * 1024 * 1024;

const errorShape = (errorType: string) => ({ exceptionType: expect.any(String), exceptionMessage: expect.stringMatching(/^Unable to /), errorType, data: expect.any(Object) });

/** POSTs `total` bytes of a JSON-looking body; chunked unless `declare` sends a Content-Length. */
function postRaw(route: string, total: number, declare: boolean): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const url = new URL(route, stack().restUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'API-KEY': stack().apiKey, 'content-type': 'application/json' };
    if (declare) headers['content-length'] = String(total);
    else headers['transfer-encoding'] = 'chunked';
    const req = http.request(url, { method: 'POST', headers, agent: false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
      res.on('error', reject);
    });
    // Once the reply is in, the server may stop reading what is still being sent; that is fine.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const head = Buffer.from('{"name":"');
    const chunk = Buffer.alloc(16 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      if (sent === 0) {
        req.write(head);
        sent = head.length;
      }
      while (sent < total && !req.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** The gateway's PID, from the process listening on its REST port. */
async function gatewayPid(): Promise<number> {
  const port = new URL(stack().restUrl).port;
  const { stdout } = await runProcess('ss', ['-ltnpH', `sport = :${port}`], { timeoutMs: 5000 });
  const m = /pid=(\d+)/.exec(stdout.toString());
  if (!m) throw new Error(`no process found listening on port ${port}: ${stdout.toString()}`);
  return Number(m[1]);
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe('input limits', () => {
  let eventId = '';
  beforeAll(async () => {
    eventId = (await createEvent(await testVideo('limits/vod.mp4'))).id;
  });
  const gifRequest = (name: string) => ({ clip: { eventId, start: '00:00:01', end: '00:00:02' }, name });

  describe('RPC messages over MAX_BODY_BYTES', () => {
    const headers = () => ({ 'api-key': stack().apiKey });
    const connect = () => createClient(AssetService, createConnectTransport({ baseUrl: stack().restUrl, httpVersion: '1.1' }));
    const grpcWeb = () => createClient(AssetService, createGrpcWebTransport({ baseUrl: stack().restUrl, httpVersion: '1.1' }));
    const connectCode = async (call: Promise<unknown>) => {
      const err = await call.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      return (err as ConnectError).code;
    };
    const grpcCode = async (name: string) => {
      const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
      try {
        const err = (await promisify((req: unknown, cb: (e: ServiceError | null, r?: unknown) => void) => c.assets.createGif(req as never, cb))(gifRequest(name)).then(
          () => null,
          (e: ServiceError) => e,
        )) as ServiceError | null;
        return err?.code;
      } finally {
        c.close();
      }
    };
    const oversizedName = 'x'.repeat(OVERSIZED);

    // First in the file: a gateway that once buffered a large message keeps a grown heap, which
    // would hide the growth this test looks for.
    it("the gateway's memory stays flat under 30 oversized messages (10 per protocol, at once)", async () => {
      const name = 'x'.repeat(OVERSIZED_FOR_MEMORY);
      const pid = await gatewayPid();
      const baseline = await rssBytes(pid);
      let peak = baseline;
      const sampler = setInterval(() => void rssBytes(pid).then((v) => (peak = Math.max(peak, v)), () => undefined), 20);
      const started = Date.now();
      try {
        const ten = async (one: () => Promise<unknown>) => {
          for (let i = 0; i < 10; i++) await one();
        };
        await Promise.all([
          ten(() => connectCode(connect().createGif(gifRequest(name), { headers: headers() }))),
          ten(() => connectCode(grpcWeb().createGif(gifRequest(name), { headers: headers() }))),
          ten(() => grpcCode(name)),
        ]);
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, await rssBytes(pid));
      const grownMb = (peak - baseline) / 2 ** 20;
      console.log(`gateway RSS ${Math.round(baseline / 2 ** 20)} MB → peak ${Math.round(peak / 2 ** 20)} MB over 30 × ${OVERSIZED_FOR_MEMORY / 2 ** 20} MB messages in ${Date.now() - started} ms`);
      expect(grownMb).toBeLessThan(60);
    }, 180_000);
    it('Connect (JSON), gRPC-Web and gRPC refuse an oversized CreateGif with RESOURCE_EXHAUSTED', async () => {
      const before = await countRows('assets');
      expect(await connectCode(connect().createGif(gifRequest(oversizedName), { headers: headers() }))).toBe(Code.ResourceExhausted);
      expect(await connectCode(grpcWeb().createGif(gifRequest(oversizedName), { headers: headers() }))).toBe(Code.ResourceExhausted);
      expect(await grpcCode(oversizedName)).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      // A message under the limit still reaches the service (refused there for its name's length).
      expect(await connectCode(connect().createGif(gifRequest('x'.repeat(1000)), { headers: headers() }))).toBe(Code.InvalidArgument);
      expect(await countRows('assets')).toBe(before);
    });
  });

  describe('REST bodies over MAX_BODY_BYTES', () => {
    it('a chunked body gets the 413 JSON reply (not a connection reset) and writes nothing', async () => {
      const before = await countRows('assets');
      const r = await postRaw('/api/asset/image/', 4 * 1024 * 1024, false);
      expect(r.status).toBe(413);
      expect(r.body).toEqual(errorShape('PayloadTooLarge'));
      expect(r.body.exceptionMessage).toContain(`larger than ${MAX_BODY_BYTES} bytes`);
      expect(r.headers.connection).toBe('close');
      expect(await countRows('assets')).toBe(before);
    });
    it('a declared Content-Length over the limit gets 413 and the connection is closed after it', async () => {
      const before = await countRows('assets');
      const r = await postRaw('/api/asset/gif/', 8 * 1024 * 1024, true);
      expect(r.status).toBe(413);
      expect(r.body).toEqual(errorShape('PayloadTooLarge'));
      expect(r.headers.connection).toBe('close');
      expect(await countRows('assets')).toBe(before);
    });
    it('a body just under the limit is read (and refused for its content, not its size)', async () => {
      const r = await api('POST', '/api/asset/image/', { eventId, name: 'x'.repeat(MAX_BODY_BYTES - 200), time: '00:00:01' });
      expect(r.status).toBe(400);
      expect(r.body).toEqual(errorShape('ValidationError'));
      expect(r.body.data.field).toBe('name');
    });
  });

  describe('the text rule: control characters are a 400 naming the field, and write nothing', () => {
    const expectRefused = (r: { status: number; body: any }, field: string) => {
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body).toEqual(errorShape('ValidationError'));
      expect(r.body.exceptionMessage).toBe(`Unable to read ${field} because it contains a control character`);
      expect(r.body.data).toEqual({ field });
    };
    let assetId = '';
    beforeAll(async () => {
      const r = await api('POST', '/api/asset/image/', { eventId, name: 'Keeps its name', time: '00:00:01' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      assetId = r.body.id;
    });

    it('query parameters: ?name=, contentId, jobId (listing, renaming, bulk delete)', async () => {
      const assets = await countRows('assets');
      expectRefused(await api('PUT', `/api/asset/${assetId}/?name=a%00b`), 'name');
      expect((await api('GET', `/api/asset/${assetId}/`)).body.name).toBe('Keeps its name');
      expectRefused(await api('GET', '/api/asset/?name=%00'), 'name');
      expectRefused(await api('GET', '/api/asset/?contentId=%00'), 'contentId');
      expectRefused(await api('GET', '/api/asset/?jobId=x%00'), 'jobId');
      expectRefused(await api('DELETE', '/api/asset/?jobId=%00'), 'jobId');
      expectRefused(await api('GET', '/api/asset/?name=del%7F'), 'name');
      expectRefused(await api('GET', '/api/asset/?name=c1%C2%85'), 'name');
      expect(await countRows('assets')).toBe(assets);
    });

    it('path parameters', async () => {
      expectRefused(await api('GET', '/api/asset/%00/'), 'id');
      expectRefused(await api('PUT', '/api/asset/sync/%00'), 'eventId');
      expectRefused(await api('GET', '/api/event/%00'), 'id');
    });

    it('body fields at any depth, before anything is written or started', async () => {
      const assets = await countRows('assets');
      const events = await countRows('events');
      const vuflows = await countRows('vuflows');
      const workflows = await workflowCount('');
      expectRefused(await api('POST', '/api/asset/image/', { eventId, name: 'a\u0000b', time: '00:00:01' }), 'name');
      expectRefused(await api('POST', '/api/asset/gif/', { ...gifRequest('g'), clip: { eventId, start: '00:00:01\u0000', end: '00:00:02' } }), 'clip.start');
      expectRefused(await api('POST', '/api/event/', { title: 't', vodFile: 'limits/vod.mp4', contentId: 'c\u0000' }), 'contentId');
      expectRefused(await api('PATCH', `/api/event/${eventId}`, { refId: '\u0000' }), 'refId');
      expectRefused(await api('POST', '/api/vuflow/', { name: 'v', configurationJson: { storageUrlPublic: 'https://cdn.example.com', note: '\u0000' } }), 'configurationJson.note');
      // JSON text in a string spells NUL as an escape; the parsed value gets the rule too.
      expectRefused(await api('POST', '/api/vuflow/', { name: 'v', configurationJson: '{"storageUrlPublic":"https://cdn.example.com","note":"\\u0000"}' }), 'configurationJson.note');
      expect([await countRows('assets'), await countRows('events'), await countRows('vuflows'), await workflowCount('')]).toEqual([assets, events, vuflows, workflows]);
    });

    it('tab and newline pass only where a field is multi-line (a track filter)', async () => {
      expectRefused(await api('POST', '/api/asset/image/', { eventId, name: 'tab\there', time: '00:00:01' }), 'name');
      const r = await api('POST', '/api/asset/video/', { clip: { eventId, start: '00:00:01', end: '00:00:02', filter: '(type=="video"\n\t&& DisplayHeight > 0)' }, name: 'multi-line filter' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    });

    it('gRPC request fields get the same rule (INVALID_ARGUMENT naming the field)', async () => {
      const c = createFramesmithClient(stack().grpcAddress, stack().apiKey);
      const assets = await countRows('assets');
      try {
        const createImage = promisify((req: unknown, cb: (e: ServiceError | null, r?: unknown) => void) => c.assets.createImage(req as never, new Metadata(), cb));
        const err = (await createImage({ eventId, name: 'a\u0000b', time: '00:00:01' }).catch((e: ServiceError) => e)) as ServiceError;
        expect(err.code).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect(err.details).toBe('Unable to read name because it contains a control character');
        expect(err.metadata.get('x-error-type')).toEqual(['ValidationError']);
        const list = promisify((req: unknown, cb: (e: ServiceError | null, r?: unknown) => void) => c.assets.listAssets(req as never, cb));
        const listErr = (await list({ filter: { contentId: '\u0000', states: [], types: [], extensions: [] }, pageIndex: 0 }).catch((e: ServiceError) => e)) as ServiceError;
        expect(listErr.code).toBe(GrpcStatus.INVALID_ARGUMENT);
        expect(listErr.details).toBe('Unable to read filter.contentId because it contains a control character');
      } finally {
        c.close();
      }
      expect(await countRows('assets')).toBe(assets);
    });
  });

  describe('file names are measured in UTF-8 bytes', () => {
    it('150 × "é" (300 bytes) is a 400 naming filename, not ENAMETOOLONG', async () => {
      const assets = await countRows('assets');
      const r = await api('POST', '/api/asset/gif/', { ...gifRequest('g'), filename: 'é'.repeat(150) });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body).toEqual(errorShape('ValidationError'));
      expect(r.body.data.field).toBe('filename');
      expect(r.body.exceptionMessage).toMatch(/300 bytes in UTF-8.*255 bytes/);
      expect(await countRows('assets')).toBe(assets);
    });
    it('the longest name that fits (with "-999" and ".gif") is accepted', async () => {
      const r = await api('POST', '/api/asset/gif/', { ...gifRequest('g'), filename: 'é'.repeat(123) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.path).toBe(`limits/${'é'.repeat(123)}.gif`);
    });
  });
});

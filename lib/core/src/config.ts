// The one typed place for configuration. Every setting has a default that works on one
// machine and an environment variable for production. Read once at start-up.
import path from 'node:path';
import { type ObjectStorageConfig, parseStorageUrl } from './storage/storage-location.js';
import { createEgressPolicy } from './net/egress-policy.js';
import { DEFAULT_WORKFLOW_TIMEOUTS, type WorkflowTimeouts } from './temporal/activity-policy.js';

export type HwAccel = 'disable' | 'if-possible' | 'required';

/** Every process's logger (ops/logger.ts): JSON lines for machines, `pretty` for a person (npm start). */
export interface LogSettings {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  format: 'json' | 'pretty';
}

export interface TaskQueues {
  orchestration: string;
  cpu: string;
  gpu: string;
}

export interface Limits {
  /** Longest clip (GIF or VIDEO) a request may ask for, in seconds. */
  maxClipSeconds: number;
  maxGifSeconds: number;
  /** Output dimension cap in pixels (each side). */
  maxOutputDimension: number;
  /** Default GIF width when neither width nor height is given (source size capped to this). */
  defaultGifMaxWidth: number;
  minFps: number;
  maxFps: number;
  /** Largest source frame accepted, in pixels (decompression-bomb guard). */
  maxSourcePixels: number;
  /** Request body limit in bytes. */
  maxBodyBytes: number;
  /** Hard deadline for one ffmpeg/gifski process, in milliseconds. */
  processTimeoutMs: number;
  /**
   * A smart cut costs ~10 process starts and a join check; below this many copied pixels
   * (frames × width × height) a full re-encode is faster, so it is used instead.
   */
  smartCutMinCopiedPixels: number;
}

export interface Timeouts {
  /** Gateway: how often a WatchAsset stream's GENERATING asset gets its progress from Temporal (state changes arrive at once). */
  watchProgressMs: number;
  /** Gateway: a create's Idempotency-Key claim left unfinished this long (far past any create's deadlines) is taken over. */
  idempotencyTakeoverMs: number;
  /** Gateway: how long a retry with the same Idempotency-Key waits for the first request before a 409. */
  idempotencyWaitMs: number;
  /** Gateway: reading a source's facts at request time (ffprobe or the first playlist read). */
  sourceInspectMs: number;
  /** Gateway: one read of a remote HLS playlist at request time. */
  remotePlaylistReadMs: number;
  /** Gateway: each check of /readyz (PostgreSQL, Temporal, storage), so the probe answers within it. */
  readinessCheckMs: number;
  /** Gateway: how long a request refused before its body was read may go on sending before its connection is cut (nginx's lingering_timeout). */
  refusedBodyLingerMs: number;
  /** Opening a PostgreSQL connection, or waiting for a free one in the pool. */
  dbConnectMs: number;
  /** Client-side wait for a query's answer (a stalled server or network). */
  dbQueryMs: number;
  /** Server-side `statement_timeout`: the server cancels a statement running longer. */
  dbStatementMs: number;
  /** Server-side `idle_in_transaction_session_timeout`: a stalled client's transaction is rolled back. */
  dbIdleInTransactionMs: number;
  /** Deadline of one Temporal call from the gateway (start, cancel, describe). */
  temporalCallMs: number;
  /** A process whose namespace lacks the search attributes checks again at most this often. */
  searchAttributeRecheckMs: number;
  /** One read of a live playlist by the live wait's activity. */
  livePlaylistReadMs: number;
  /** Opening a media source in a worker: its ffprobe, or the read of its playlist. */
  sourceOpenMs: number;
  /** One frame grab or frame listing of an IMAGE or GIF start (never above limits.processTimeoutMs). */
  frameGrabMs: number;
  /** A VIDEO job's ffprobe runs (source probe, packet listings of source and clip): longer clips list more. */
  clipProbeMs: number;
}

/** The GPU worker's nvidia-smi readings and start-up trials (workers/gpu). */
export interface GpuConfig {
  /** NVIDIA_SMI_PATH; default nvidia-smi on PATH (WSL puts it in /usr/lib/wsl/lib). */
  nvidiaSmiPath: string;
  /** One `nvidia-smi -q -x` run; a hung one (a GPU fallen off the bus) is killed after this. */
  nvidiaSmiTimeoutMs: number;
  /** Most bytes of XML one run may write (~30 KiB per GPU; anything near this is not nvidia-smi). */
  nvidiaSmiMaxOutputBytes: number;
  /** One NVDEC/NVENC trial: CUDA context creation on a cold GPU (no persistence daemon) can take seconds; the trial itself is ~1 s of work. */
  trialTimeoutMs: number;
  /** How often the worker reads nvidia-smi for /metrics (each run costs ~0.1-0.5 s of driver time). */
  telemetryIntervalMs: number;
}

/** Completion webhooks (services/orchestrator/src/webhook-*.ts). */
export interface WebhookConfig {
  /** WEBHOOK_SIGNING_SECRET; null = no webhooks (a request with callbackUrl is refused). */
  signingSecret: string | null;
  /** First retry after this long; each next one waits twice as long, up to maxIntervalMs. */
  retryInitialMs: number;
  retryMaxIntervalMs: number;
  /** A delivery is retried for this long after its first attempt, then given up (24 h). */
  retryForMs: number;
  /** One POST (connect, send, the receiver's answer) may take this long. */
  attemptTimeoutMs: number;
}

export interface LiveConfig {
  /** LIVE_MAX_WAIT_SECONDS: how far past the live edge a requested time may lie; further is a 400. */
  maxWaitSeconds: number;
  /** LIVE_STALL_TARGET_DURATIONS: a waiting job fails when no new segment came for this many target durations. */
  stallTargetDurations: number;
}

export interface Config {
  port: number;
  grpcPort: number;
  host: string;
  log: LogSettings;
  apiKeys: string[];
  dataDir: string;
  storageRoot: string;
  storageUrlPublic: string;
  /** S3-compatible object storage (`STORAGE_URL=s3://bucket/prefix`); null = the local folder storageRoot. */
  objectStorage: ObjectStorageConfig | null;
  /** Private scratch for outputs before they are published to object storage. */
  scratchDir: string;
  /** /content also serves events' VOD files (otherwise only assets' files). */
  contentServeVod: boolean;
  /** With a secret, /content serves only signed, unexpired URLs (the API hands them out). */
  contentSigning: { secret: string; ttlSeconds: number } | null;
  databaseUrl: string | null;
  temporalAddress: string;
  temporalNamespace: string;
  /** TLS to the Temporal frontend (Temporal Cloud and most production clusters). */
  temporalTls: boolean;
  /** Temporal Cloud API key; implies TLS. */
  temporalApiKey: string | null;
  taskQueues: TaskQueues;
  cpuConcurrency: number;
  /** Jobs per GPU; null = derived from the capability probe. */
  gpuConcurrencyPerDevice: number | null;
  hwAccel: HwAccel;
  /** Read GPU telemetry from this recorded `nvidia-smi -q -x` file instead of running nvidia-smi (demos, tests). */
  nvidiaSmiXmlFile: string | null;
  gpu: GpuConfig;
  ffmpegPath: string;
  ffprobePath: string;
  /** gifski binary; null = the one the `gifski` npm package ships. */
  gifskiPath: string | null;
  /** Port for /healthz, /readyz and /metrics of a worker process; 0 = pick a free one. */
  metricsPort: number;
  /** Grace period a draining worker gives running jobs before cancelling them. */
  drainGraceMs: number;
  /** GENERATING rows older than this without a workflow are restarted by the reconciler. */
  orphanAfterMs: number;
  /** Fail-fast deadlines for PostgreSQL and Temporal, so an outage becomes a 503 within seconds. */
  timeouts: Timeouts;
  /** Create missing search attributes in the Temporal namespace at start-up (the dev stack does). */
  temporalRegisterSearchAttributes: boolean;
  /**
   * OUTBOUND_ALLOW: CIDRs, addresses or host names that the egress policy lets sources,
   * playlists, segments and callbacks reach although they are loopback/private (net/egress-policy.ts).
   */
  outboundAllow: string[];
  /** Live HLS requests that reach past the live edge (docs/api.md, Live rules). */
  live: LiveConfig;
  webhooks: WebhookConfig;
  /** The activities' timeouts and retries, handed to each workflow in its input (temporal/activity-policy.ts). */
  workflowTimeouts: WorkflowTimeouts;
  limits: Limits;
}

type Env = Record<string, string | undefined>;

/** The key accepted when API_KEYS is not set: public, so the only key ever printed. */
export const DEV_API_KEY = 'framesmith-dev-key';

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** An integer setting within bounds; anything else stops the process at start-up, naming the variable. */
function ranged(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = int(env, name, fallback);
  if (n < min || n > max) {
    throw new Error(max === Number.MAX_SAFE_INTEGER ? `${name} must be at least ${min}, got ${n}` : `${name} must be between ${min} and ${max}, got ${n}`);
  }
  return n;
}

const MAX_PORT = 65_535;

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
  return raw === 'true';
}

function str(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

function objectStorage(env: Env): ObjectStorageConfig | null {
  const raw = str(env, 'STORAGE_URL', '');
  if (raw === '') return null;
  const endpoint = str(env, 'S3_ENDPOINT', '');
  // SigV4 presigned URLs live at most 7 days; under a minute would expire mid-job.
  const presignSeconds = ranged(env, 'S3_PRESIGN_SECONDS', 3_600, 60, 7 * 24 * 3_600);
  if (endpoint !== '' && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) throw new Error(`S3_ENDPOINT must be an http(s) URL without a path, got ${JSON.stringify(endpoint)}`);
  return {
    ...parseStorageUrl(raw),
    endpoint: endpoint === '' ? null : endpoint.replace(/\/$/, ''),
    region: str(env, 'S3_REGION', str(env, 'AWS_REGION', 'us-east-1')),
    // Most S3-compatible servers want path-style; AWS S3 wants virtual-hosted.
    forcePathStyle: str(env, 'S3_FORCE_PATH_STYLE', endpoint === '' ? 'false' : 'true') === 'true',
    presignSeconds,
  };
}

function outboundAllow(env: Env): string[] {
  const entries = str(env, 'OUTBOUND_ALLOW', '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  createEgressPolicy(entries); // throws on an entry that is not a CIDR, address or host name
  return entries;
}

const LOG_LEVELS: readonly LogSettings['level'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL and LOG_FORMAT alone: the logger reads them before (or without) the rest of the configuration. */
export function loadLogSettings(env: Env = process.env): LogSettings {
  const level = str(env, 'LOG_LEVEL', 'info') as LogSettings['level'];
  if (!LOG_LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  const format = str(env, 'LOG_FORMAT', 'json');
  if (format !== 'json' && format !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty, got ${JSON.stringify(format)}`);
  return { level, format };
}

/** The media activity's limits can be tuned; the short local and live reads keep their defaults. */
function workflowTimeouts(env: Env): WorkflowTimeouts {
  const d = DEFAULT_WORKFLOW_TIMEOUTS;
  return {
    ...d,
    media: {
      ...d.media,
      heartbeatMs: ranged(env, 'ACTIVITY_HEARTBEAT_TIMEOUT_MS', d.media.heartbeatMs, 1_000, 600_000),
      startToCloseMs: ranged(env, 'MEDIA_ACTIVITY_TIMEOUT_MS', d.media.startToCloseMs, 1_000, 24 * 3_600_000),
      maxAttempts: ranged(env, 'MEDIA_MAX_ATTEMPTS', d.media.maxAttempts, 1, 100),
    },
  };
}

export function loadConfig(env: Env = process.env): Config {
  const port = ranged(env, 'PORT', 8080, 1, MAX_PORT);
  const dataDir = path.resolve(str(env, 'DATA_DIR', '.data'));
  const hwAccel = str(env, 'HWACCEL', 'if-possible');
  if (hwAccel !== 'disable' && hwAccel !== 'if-possible' && hwAccel !== 'required') {
    throw new Error(`HWACCEL must be disable, if-possible or required, got ${hwAccel}`);
  }
  const gpuPer = env.GPU_CONCURRENCY_PER_DEVICE;
  return {
    port,
    grpcPort: ranged(env, 'GRPC_PORT', Math.min(port + 1, MAX_PORT), 1, MAX_PORT),
    host: str(env, 'HOST', '127.0.0.1'),
    log: loadLogSettings(env),
    apiKeys: str(env, 'API_KEYS', DEV_API_KEY)
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    dataDir,
    storageRoot: path.resolve(str(env, 'STORAGE_ROOT', path.join(dataDir, 'storage'))),
    storageUrlPublic: str(env, 'STORAGE_URL_PUBLIC', `http://localhost:${port}/content`).replace(/\/+$/, ''),
    objectStorage: objectStorage(env),
    scratchDir: path.resolve(str(env, 'SCRATCH_DIR', path.join(dataDir, 'scratch'))),
    contentServeVod: bool(env, 'CONTENT_SERVE_VOD', false),
    contentSigning: env.CONTENT_SIGNING_SECRET
      ? { secret: env.CONTENT_SIGNING_SECRET, ttlSeconds: ranged(env, 'CONTENT_URL_TTL_SECONDS', 3_600, 60, 7 * 24 * 3_600) }
      : null,
    databaseUrl: env.DATABASE_URL ? env.DATABASE_URL : null,
    temporalAddress: str(env, 'TEMPORAL_ADDRESS', 'localhost:7233'),
    temporalNamespace: str(env, 'TEMPORAL_NAMESPACE', 'default'),
    temporalTls: str(env, 'TEMPORAL_TLS', env.TEMPORAL_API_KEY ? 'true' : 'false') === 'true',
    temporalApiKey: env.TEMPORAL_API_KEY ? env.TEMPORAL_API_KEY : null,
    taskQueues: {
      orchestration: str(env, 'TASK_QUEUE_ORCHESTRATION', 'framesmith-orchestration'),
      cpu: str(env, 'TASK_QUEUE_CPU', 'framesmith-cpu'),
      gpu: str(env, 'TASK_QUEUE_GPU', 'framesmith-gpu'),
    },
    cpuConcurrency: ranged(env, 'CPU_CONCURRENCY', 2, 1),
    gpuConcurrencyPerDevice: gpuPer ? ranged(env, 'GPU_CONCURRENCY_PER_DEVICE', 2, 1) : null,
    hwAccel,
    nvidiaSmiXmlFile: env.NVIDIA_SMI_XML_FILE ? env.NVIDIA_SMI_XML_FILE : null,
    gpu: {
      nvidiaSmiPath: str(env, 'NVIDIA_SMI_PATH', 'nvidia-smi'),
      nvidiaSmiTimeoutMs: ranged(env, 'NVIDIA_SMI_TIMEOUT_MS', 15_000, 100, 600_000),
      nvidiaSmiMaxOutputBytes: ranged(env, 'NVIDIA_SMI_MAX_OUTPUT_BYTES', 16 << 20, 64 << 10, 1 << 30),
      trialTimeoutMs: ranged(env, 'GPU_TRIAL_TIMEOUT_MS', 30_000, 1_000, 600_000),
      telemetryIntervalMs: ranged(env, 'GPU_TELEMETRY_INTERVAL_MS', 5_000, 100, 3_600_000),
    },
    ffmpegPath: str(env, 'FFMPEG_PATH', 'ffmpeg'),
    ffprobePath: str(env, 'FFPROBE_PATH', 'ffprobe'),
    gifskiPath: env.GIFSKI_PATH ? env.GIFSKI_PATH : null,
    metricsPort: ranged(env, 'METRICS_PORT', 0, 0, MAX_PORT),
    drainGraceMs: ranged(env, 'DRAIN_GRACE_MS', 30_000, 0),
    orphanAfterMs: ranged(env, 'ORPHAN_AFTER_MS', 30_000, 100),
    timeouts: {
      watchProgressMs: ranged(env, 'WATCH_PROGRESS_MS', 1_000, 50, 60_000),
      idempotencyTakeoverMs: ranged(env, 'IDEMPOTENCY_TAKEOVER_MS', 120_000, 1_000, 86_400_000),
      idempotencyWaitMs: ranged(env, 'IDEMPOTENCY_WAIT_MS', 30_000, 100, 600_000),
      sourceInspectMs: ranged(env, 'SOURCE_INSPECT_TIMEOUT_MS', 15_000, 100, 600_000),
      remotePlaylistReadMs: ranged(env, 'REMOTE_PLAYLIST_READ_TIMEOUT_MS', 3_000, 100, 60_000),
      readinessCheckMs: ranged(env, 'READINESS_CHECK_TIMEOUT_MS', 2_500, 100, 60_000),
      refusedBodyLingerMs: ranged(env, 'REFUSED_BODY_LINGER_MS', 5_000, 0, 600_000),
      dbConnectMs: ranged(env, 'DB_CONNECT_TIMEOUT_MS', 2_500, 100, 600_000),
      dbQueryMs: ranged(env, 'DB_QUERY_TIMEOUT_MS', 3_000, 100, 3_600_000),
      dbStatementMs: ranged(env, 'DB_STATEMENT_TIMEOUT_MS', 2_500, 100, 3_600_000),
      dbIdleInTransactionMs: ranged(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10_000, 100, 3_600_000),
      temporalCallMs: ranged(env, 'TEMPORAL_CALL_TIMEOUT_MS', 3_000, 100, 600_000),
      searchAttributeRecheckMs: ranged(env, 'SEARCH_ATTRIBUTE_RECHECK_MS', 5_000, 100, 600_000),
      livePlaylistReadMs: ranged(env, 'LIVE_PLAYLIST_READ_TIMEOUT_MS', 5_000, 100, 60_000),
      sourceOpenMs: ranged(env, 'SOURCE_OPEN_TIMEOUT_MS', 30_000, 1_000, 600_000),
      frameGrabMs: ranged(env, 'FRAME_GRAB_TIMEOUT_MS', 120_000, 1_000, 3_600_000),
      clipProbeMs: ranged(env, 'CLIP_PROBE_TIMEOUT_MS', 60_000, 1_000, 3_600_000),
    },
    temporalRegisterSearchAttributes: bool(env, 'TEMPORAL_REGISTER_SEARCH_ATTRIBUTES', false),
    outboundAllow: outboundAllow(env),
    live: {
      maxWaitSeconds: ranged(env, 'LIVE_MAX_WAIT_SECONDS', 300, 1, 24 * 3_600),
      // RFC 8216 lets a client give up on a playlist that has not changed for several target durations.
      stallTargetDurations: ranged(env, 'LIVE_STALL_TARGET_DURATIONS', 3, 1, 100),
    },
    webhooks: {
      signingSecret: env.WEBHOOK_SIGNING_SECRET ? env.WEBHOOK_SIGNING_SECRET : null,
      retryInitialMs: ranged(env, 'WEBHOOK_RETRY_INITIAL_MS', 1_000, 10, 3_600_000),
      // 15 min between late attempts: ~100 attempts in 24 h, few enough for the receiver's logs.
      retryMaxIntervalMs: ranged(env, 'WEBHOOK_RETRY_MAX_INTERVAL_MS', 15 * 60_000, 10, 24 * 3_600_000),
      retryForMs: ranged(env, 'WEBHOOK_RETRY_FOR_MS', 24 * 3_600_000, 1_000, 7 * 24 * 3_600_000),
      attemptTimeoutMs: ranged(env, 'WEBHOOK_ATTEMPT_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    workflowTimeouts: workflowTimeouts(env),
    limits: {
      maxClipSeconds: ranged(env, 'MAX_CLIP_SECONDS', 600, 1),
      maxGifSeconds: ranged(env, 'MAX_GIF_SECONDS', 30, 1),
      maxOutputDimension: ranged(env, 'MAX_OUTPUT_DIMENSION', 1920, 1),
      defaultGifMaxWidth: ranged(env, 'DEFAULT_GIF_MAX_WIDTH', 480, 1),
      minFps: 1,
      maxFps: ranged(env, 'MAX_GIF_FPS', 50, 1),
      maxSourcePixels: ranged(env, 'MAX_SOURCE_PIXELS', 4096 * 2304, 1),
      maxBodyBytes: ranged(env, 'MAX_BODY_BYTES', 64 * 1024, 1),
      processTimeoutMs: ranged(env, 'PROCESS_TIMEOUT_MS', 10 * 60_000, 100),
      // ~72 frames of 1080p: measured break-even on 2 cores (workers/gpu/src/make-video.ts).
      smartCutMinCopiedPixels: ranged(env, 'SMART_CUT_MIN_COPIED_PIXELS', 150_000_000, 0),
    },
  };
}

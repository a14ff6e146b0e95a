// Prometheus metrics shared by every process; names are the ones deploy/README.md documents.
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'framesmith_process_' });

export const jobsInFlight = new client.Gauge({
  name: 'framesmith_jobs_in_flight',
  help: 'Media jobs running in this worker',
  labelNames: ['kind'] as const,
  registers: [registry],
});
export const jobsTotal = new client.Counter({
  name: 'framesmith_jobs_total',
  help: 'Media jobs finished, by kind and outcome (completed, failed, cancelled, retried)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});
export const jobDuration = new client.Histogram({
  name: 'framesmith_job_duration_seconds',
  help: 'Wall time of one media job attempt',
  labelNames: ['kind', 'strategy'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
  registers: [registry],
});
export const ffmpegSpeed = new client.Gauge({
  name: 'framesmith_ffmpeg_speed_ratio',
  help: 'Last reported ffmpeg speed (x realtime) per job kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});
export const frameLocate = new client.Counter({
  name: 'framesmith_frame_locate_total',
  help: 'How IMAGE and GIF jobs found the frame on screen at a time: "window" (a short decode after a seek) or "listing" (the packet listing first), by container',
  labelNames: ['kind', 'method', 'format'] as const,
  registers: [registry],
});
export const queueWait = new client.Histogram({
  name: 'framesmith_queue_wait_seconds',
  help: 'Time from activity scheduling to start on this worker',
  labelNames: ['kind'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [registry],
});

// A real S3-compatible server for object-storage mode and its tests: versitygw serving a
// folder (built and cached by scripts/bootstrap.mjs). Metadata goes to a sidecar folder, not
// xattrs, so it runs on filesystems without user xattrs (tmpfs, overlayfs, macOS).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, waitForPort } from './free-port.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The S3 access log (one line per request, with the bytes sent). */
  accessLog: string;
  /** The environment a Framesmith process needs to use bucket `bucket` on this server. */
  envFor(bucket: string, prefix?: string): Record<string, string>;
  createBucket(bucket: string): Promise<void>;
  /** Kills the server (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function s3ServerBinary(env: Record<string, string | undefined> = process.env): string {
  const bin = env.S3_SERVER_BIN || path.join(ROOT, '.cache', 'bin', 'versitygw');
  if (!existsSync(bin)) {
    throw new Error(`the S3 server (versitygw) is not at ${bin}: run \`node scripts/bootstrap.mjs provision\` (it needs Go) or set S3_SERVER_BIN`);
  }
  return bin;
}

export async function startS3Server(opts: { dir: string; log?: (line: string) => void; env?: Record<string, string | undefined> }): Promise<S3Server> {
  const bin = s3ServerBinary(opts.env);
  const dataDir = path.join(opts.dir, 'data');
  const sidecar = path.join(opts.dir, 'meta');
  await mkdir(dataDir, { recursive: true });
  await mkdir(sidecar, { recursive: true });
  let port = await freePort();
  const accessKeyId = 'framesmith';
  const secretAccessKey = `framesmith-${Math.random().toString(36).slice(2)}`;
  const region = 'us-east-1';
  const accessLog = path.join(opts.dir, 'access.log');
  let child: ChildProcess | null = null;

  const launch = async () => {
    const args = ['--port', `127.0.0.1:${port}`, '--region', region, '--quiet', '--access-log', accessLog, 'posix', '--sidecar', sidecar, dataDir];
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey } });
    let tail = '';
    for (const s of [c.stdout, c.stderr]) {
      s?.on('data', (b: Buffer) => {
        tail = (tail + b.toString()).slice(-500);
        opts.log?.(`s3           | ${b.toString().trim()}`);
      });
    }
    child = c;
    await waitForPort(port, '127.0.0.1', 30_000, () => c.exitCode === null).catch((err: Error) => {
      throw new Error(`${err.message}: versitygw said ${JSON.stringify(tail.trim())}`);
    });
  };
  // The free port is only free when asked: another process may bind it before versitygw does,
  // which then exits at once (seen once in CI's quick bench). The first start takes a fresh
  // port up to three times; a restart keeps the endpoint the clients already hold.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      // Only an early exit is retried; a server that runs but never listens is a real fault.
      const c = child as ChildProcess | null;
      if (attempt === 3 || (c !== null && c.exitCode === null)) throw err;
      port = await freePort();
    }
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await exited;
  };
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    accessLog,
    envFor: (bucket, prefix = '') => ({
      STORAGE_URL: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
      S3_ENDPOINT: endpoint,
      S3_REGION: region,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    }),
    async createBucket(bucket) {
      const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (err) {
        if ((err as Error).name !== 'BucketAlreadyOwnedByYou' && (err as Error).name !== 'BucketAlreadyExists') throw err;
      } finally {
        client.destroy();
      }
    },
    kill,
    restart: launch,
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

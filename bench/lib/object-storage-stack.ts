// The S3 side of the B2s3/B3s3 comparison: a second stack in object-storage mode
// (`STORAGE=s3`: the project's versitygw, `STORAGE_URL=s3://framesmith`, no STORAGE_ROOT),
// started beside the folder stack so the same requests can be timed on both, interleaved.
// Its CPU worker runs with the same CPU_CONCURRENCY as the folder stack's.
import { createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client, Connection } from '@temporalio/client';
import { createS3Client, createS3Storage } from '@framesmith/core/storage/s3-storage';
import { freePort } from '../../scripts/stack/free-port.js';
import { startStack } from '../../scripts/stack/start-stack.js';
import type { BenchMedia } from './bench-media.js';
import { createRestClient, type RestClient } from './rest-client.js';

export interface ObjectStorageSide {
  rest: RestClient;
  temporal: Client;
  /** The event whose VOD file is the bench MP4, uploaded to the bucket at the same path. */
  eventId: string;
  /** Copies a stored object (an asset's path) to a local file, for the frame checks. */
  download(rel: string, file: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startObjectStorageSide(o: {
  dataDir: string;
  media: BenchMedia;
  mp4Rel: string;
  cpuConcurrency: number;
  log: (line: string) => void;
}): Promise<ObjectStorageSide> {
  const stack = await startStack({
    env: { DATA_DIR: o.dataDir, PORT: String(await freePort()), API_KEYS: 'bench-key', STORAGE: 's3', CPU_CONCURRENCY: String(o.cpuConcurrency) },
    log: (line) => o.log(`s3-stack ${line}`),
  });
  let connection: Connection | null = null;
  const client = createS3Client(stack.config.objectStorage!, { accessKeyId: stack.s3!.accessKeyId, secretAccessKey: stack.s3!.secretAccessKey });
  const stop = async () => {
    await connection?.close().catch(() => undefined);
    client.destroy();
    await stack.stop();
  };
  try {
    const storage = createS3Storage(stack.config.objectStorage!, path.join(o.dataDir, 'bench-upload'), client);
    // putFile consumes its file: hand it a link to the cached source, never the cache itself.
    const staging = await mkdtemp(path.join(o.dataDir, 'bench-staging-'));
    const staged = path.join(staging, 'source.mp4');
    await link(o.media.mp4, staged).catch(() => copyFile(o.media.mp4, staged));
    await storage.putFile(o.mp4Rel, staged);
    connection = await Connection.connect({ address: stack.temporalAddress });
    const rest = createRestClient(stack.restUrl, stack.apiKey);
    return {
      rest,
      temporal: new Client({ connection }),
      eventId: await rest.createEvent('bench source (S3)', o.mp4Rel),
      async download(rel, file) {
        await mkdir(path.dirname(file), { recursive: true });
        await pipeline(await storage.read(rel), createWriteStream(file));
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

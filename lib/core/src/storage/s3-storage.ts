// The S3-compatible backend (AWS S3, versitygw, MinIO, R2...). Inputs are presigned GETs
// that ffmpeg reads with range requests, so a frame grab reads a small part of the object;
// outputs are uploaded whole from private scratch (one PUT, or a multipart upload that is
// aborted on failure or cancellation), so nothing partial is ever visible at a key.
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat as fsStat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type ObjectStorageConfig, objectKey, relativeKey } from './storage-location.js';
import { pool } from '../concurrency.js';
import { checkedRelative, LOOKUP_CONCURRENCY, type MediaInput, NotFoundError, PathEscapeError, type PutOptions, type StagedPut, type Storage, StorageUnavailableError, type StoredFile } from './storage.js';
import { scratchName } from '../ops/sweep-scratch.js';

// Parts of 8 MiB: one PUT for images and GIFs, a few parts for a long clip, read from the
// file as they are sent, at most PARTS_IN_FLIGHT of them at once.
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;
// How long an aborted put lets its requests in flight finish before they are cut off: on a
// healthy store well under a second; on one that hangs, a cancel (a drain's, a deleted
// asset's) must not wait for the socket timeout. What a cut-off request may leave behind is
// for the bucket's lifecycle rule (deploy/README.md).
const ABORT_GRACE_MS = 5_000;
const CHECK_TIMEOUT_MS = 4_000;

/** `credentials` only for tools and tests; processes use the standard AWS chain. */
export function createS3Client(cfg: ObjectStorageConfig, credentials?: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    region: cfg.region,
    ...(credentials ? { credentials } : {}),
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    forcePathStyle: cfg.forcePathStyle,
    // Checksums only where S3 requires them: several S3-compatible servers reject the
    // CRC32 trailers the SDK adds by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 3_000, socketTimeout: 60_000 },
  });
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as Error).name;
  return name === 'NotFound' || name === 'NoSuchKey' || status(err) === 404;
}

/** Why a bucket cannot be used, in words an operator can act on. */
export function bucketProblem(bucket: string, err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string } };
  const code = status(err);
  if (code === 404 || e.name === 'NoSuchBucket' || e.name === 'NotFound') return `bucket ${bucket} does not exist`;
  if (code === 403 || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || e.name === 'AccessDenied') {
    return `access to bucket ${bucket} was refused (${e.name}): check the credentials`;
  }
  if (code === 301 || e.name === 'PermanentRedirect') return `bucket ${bucket} is in another region than S3_REGION`;
  const net = e.code ?? e.cause?.code ?? e.name;
  return `the S3 endpoint for bucket ${bucket} cannot be reached (${net}: ${e.message})`;
}

/** `listPageSize` below S3's 1000 only so tests cross page boundaries with few objects. */
export function createS3Storage(cfg: ObjectStorageConfig, scratchRoot: string, client: S3Client = createS3Client(cfg), listPageSize = 1000): Storage {
  const { bucket, prefix } = cfg;
  const keyOf = (rel: string) => objectKey(prefix, checkedRelative(rel));
  const toStored = (rel: string, h: Pick<HeadObjectCommandOutput, 'ContentLength' | 'LastModified' | 'ETag'>): StoredFile => ({
    path: rel,
    size: h.ContentLength ?? 0,
    mtimeMs: h.LastModified?.getTime() ?? 0,
    etag: h.ETag ?? null,
  });
  // Anything but "no such key" means the bucket cannot be used now: callers answer 503 or retry.
  const unavailable = (err: unknown) => new StorageUnavailableError(bucketProblem(bucket, err), { cause: err });
  const head = async (rel: string) => {
    try {
      return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(rel) }));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw unavailable(err);
    }
  };
  /** After an upload completed: the local file goes, the object's facts come from a HEAD. */
  const published = async (rel: string, localFile: string): Promise<StoredFile> => {
    await rm(localFile, { force: true });
    const h = await head(rel);
    if (!h) throw new Error(`the upload of ${rel} completed but the object is not there`);
    return toStored(checkedRelative(rel), h);
  };
  /**
   * Every upload (putFile is stage + commit): a file of more than one part is uploaded part by
   * part from now on, and the multipart upload is completed by commit() (the object appears
   * then, whole) or aborted by abort(). A smaller file is one PUT, made by commit(): nothing to
   * gain by starting early.
   *
   * An abort (or the signal) does not cut requests off at once: it stops what has not started
   * (the next part, the commit) and lets what is in flight finish, for up to ABORT_GRACE_MS. A
   * request the server carried out but whose answer the client dropped leaves what no one
   * cleans up: CI saw an upload still listed after a staged put was aborted 50 ms in, its
   * CreateMultipartUpload done by the server; and a part cut off mid-body may still land after
   * the upload's abort (AWS says an abort may have to be repeated for that reason; versitygw
   * listed the upload again). A cancel waits for the parts in flight, at most
   * PARTS_IN_FLIGHT × 8 MiB.
   */
  const stage = (rel: string, localFile: string, opts: PutOptions): StagedPut => {
    const Key = keyOf(rel);
    const stop = new AbortController();
    /** Cuts the requests in flight off, ABORT_GRACE_MS after the abort. */
    const cut = new AbortController();
    const sent = { abortSignal: cut.signal };
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      stop.abort(opts.signal?.reason);
      grace ??= setTimeout(() => cut.abort(stop.signal.reason), ABORT_GRACE_MS).unref();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const created = (async () => {
      const size = (await fsStat(localFile)).size;
      if (size <= PART_SIZE) return { size, uploadId: null };
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }), sent);
      if (!UploadId) throw new Error(`no upload id for ${rel}`);
      return { size, uploadId: UploadId };
    })();
    const uploaded = created.then(({ size, uploadId }) =>
      uploadId
        ? pool(Math.ceil(size / PART_SIZE), PARTS_IN_FLIGHT, async (i) => {
            stop.signal.throwIfAborted();
            const start = i * PART_SIZE;
            const end = Math.min(size, start + PART_SIZE);
            const Body = createReadStream(localFile, { start, end: end - 1 });
            const r = await client.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId: uploadId, PartNumber: i + 1, Body, ContentLength: end - start }), sent);
            return { PartNumber: i + 1, ETag: r.ETag };
          })
        : [],
    );
    // Seen by commit() or abort(); until then a failure must not be unhandled.
    uploaded.catch(() => undefined);
    /** The commit's request, once sent: abort() waits for it rather than race it. */
    let committing: Promise<unknown> | null = null;
    let done = false;
    const finish = () => opts.signal?.removeEventListener('abort', onAbort);
    return {
      async commit() {
        try {
          const { size, uploadId } = await created;
          const Parts = await uploaded;
          stop.signal.throwIfAborted();
          committing = uploadId
            ? client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId: uploadId, MultipartUpload: { Parts } }), sent)
            : client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: createReadStream(localFile), ContentLength: size }), sent);
          await committing;
          done = true;
          return await published(rel, localFile);
        } finally {
          finish();
        }
      },
      async abort() {
        finish();
        onAbort();
        try {
          await committing?.catch(() => undefined);
          if (done) return;
          const cleanUp = { abortSignal: AbortSignal.timeout(ABORT_GRACE_MS) };
          const uploadId = (await created.catch(() => null))?.uploadId;
          if (uploadId) {
            await uploaded.catch(() => undefined);
            await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: uploadId }), cleanUp).catch(() => undefined);
          }
          // A commit that failed may still have been carried out by the server (its answer lost,
          // or the SDK's retry refused because the first try completed the upload): what it may
          // have written is removed, so a failed put leaves nothing (the key is this put's alone).
          if (committing) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }), cleanUp).catch(() => undefined);
        } finally {
          clearTimeout(grace);
        }
      },
    };
  };
  /** An existing key's facts and where ffmpeg reads it (a presigned GET), or null when there is none. */
  const statMedia = async (rel: string): Promise<{ file: StoredFile; input: MediaInput } | null> => {
    const h = await head(rel);
    return h ? { file: toStored(checkedRelative(rel), h), input: { kind: 'url', url: await presign(rel) } } : null;
  };
  const presign = (rel: string) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: keyOf(rel) }), { expiresIn: cfg.presignSeconds });

  const s3: Storage = {
    kind: 's3',
    description: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
    async stat(rel) {
      const h = await head(rel);
      return h ? toStored(checkedRelative(rel), h) : null;
    },
    async putFile(rel, localFile, opts = {}) {
      const staged = stage(rel, localFile, opts);
      try {
        return await staged.commit();
      } catch (err) {
        await staged.abort();
        throw err;
      }
    },
    stagePut: (rel, localFile, opts = {}) => stage(rel, localFile, opts),
    async remove(rel) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(rel) }));
    },
    async list(rel) {
      const folder = rel === '' ? prefix : keyOf(rel);
      const out: StoredFile[] = [];
      const pages = paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: folder === '' ? undefined : `${folder}/`, Delimiter: '/', MaxKeys: listPageSize });
      for await (const page of pages) {
        for (const o of page.Contents ?? []) {
          const relPath = o.Key ? relativeKey(prefix, o.Key) : null;
          if (!relPath || path.posix.basename(relPath).startsWith('.') || relPath.endsWith('/')) continue;
          out.push({ path: relPath, size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0, etag: o.ETag ?? null });
        }
      }
      return out.sort((a, b) => a.path.localeCompare(b.path));
    },
    async read(rel) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(rel) }));
        return r.Body as Readable;
      } catch (err) {
        if (isNotFound(err)) throw new NotFoundError(rel);
        throw unavailable(err);
      }
    },
    async readText(rel, maxBytes) {
      let r;
      try {
        r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(rel) }));
      } catch (err) {
        if (isNotFound(err)) throw new NotFoundError(rel);
        throw unavailable(err);
      }
      if ((r.ContentLength ?? 0) > maxBytes) {
        (r.Body as Readable).destroy();
        throw new Error(`${rel} is ${r.ContentLength} bytes, more than ${maxBytes}`);
      }
      return (await r.Body?.transformToString('utf8')) ?? '';
    },
    statMedia,
    async mediaInputs(rels) {
      // A HEAD per key, side by side: one after another, a 300-segment playlist waited for 300 round trips.
      return pool(rels.length, LOOKUP_CONCURRENCY, (i) =>
        statMedia(rels[i]!).then((m) => m?.input ?? null, (err: unknown) => {
          if (err instanceof PathEscapeError) return null;
          throw err;
        }),
      );
    },
    presignedUrl: presign,
    async scratchDir() {
      // Private to this process: nothing here is shared with another worker.
      const dir = path.join(scratchRoot, scratchName());
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return dir;
    },
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
      } catch (err) {
        throw new StorageUnavailableError(bucketProblem(bucket, err), { cause: err });
      }
    },
  };
  return s3;
}

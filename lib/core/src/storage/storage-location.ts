// Where stored files live, as configuration says: a local folder (the default) or an
// S3-compatible bucket named by `STORAGE_URL=s3://bucket/prefix`. Pure: parsing and the
// mapping of a storage path onto an object key, so both are unit-tested without a server.

export interface ObjectStorageConfig {
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's root. */
  prefix: string;
  /** Endpoint URL of an S3-compatible server; null = AWS S3 for the region. */
  endpoint: string | null;
  region: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most non-AWS servers need. */
  forcePathStyle: boolean;
  /** Lifetime of a presigned GET handed to ffmpeg or to a /content client. */
  presignSeconds: number;
}

// S3 bucket naming rules (3-63 characters, lower case, digits, dots and hyphens).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/prefix`; throws an Error naming what is wrong. */
export function parseStorageUrl(raw: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(raw);
  if (!m) throw new Error(`STORAGE_URL must look like s3://bucket/prefix, got ${JSON.stringify(raw)}`);
  const bucket = m[1]!;
  if (!BUCKET.test(bucket)) throw new Error(`STORAGE_URL names bucket ${JSON.stringify(bucket)}, which is not a valid S3 bucket name`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..') || prefix.includes('//')) {
    throw new Error(`STORAGE_URL's prefix ${JSON.stringify(prefix)} has empty, '.' or '..' segments`);
  }
  return { bucket, prefix };
}

/** The object key of a normalised storage path. */
export function objectKey(prefix: string, rel: string): string {
  return prefix === '' ? rel : `${prefix}/${rel}`;
}

/** The storage path of an object key under `prefix`; null when the key is not under it. */
export function relativeKey(prefix: string, key: string): string | null {
  if (prefix === '') return key;
  return key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : null;
}

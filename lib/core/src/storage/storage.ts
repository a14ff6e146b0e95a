// Storage behind one interface with two backends: a local folder (the default) and an
// S3-compatible bucket. No caller gets a shared local path: inputs are opened for ffmpeg
// (a checked local file, or a short-lived presigned URL that ffmpeg reads with range
// requests), and outputs are made in private scratch and then published whole.
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface StoredFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** Content fingerprint where the backend has one (S3 ETag); null on the local folder. */
  etag: string | null;
}

/** What ffmpeg opens for a stored file. */
export type MediaInput = { kind: 'file'; path: string } | { kind: 'url'; url: string };

export interface PutOptions {
  /**
   * Aborting cancels the upload: nothing new starts, the requests in flight may finish (for a
   * few seconds; cut off after that), then the multipart upload is aborted; nothing appears at
   * the key.
   */
  signal?: AbortSignal;
}

/** A put begun but not yet visible (Storage.stagePut). */
export interface StagedPut {
  /** Makes the file visible at its key, as putFile does (waiting for what is still uploading); the local file is consumed. */
  commit(): Promise<StoredFile>;
  /**
   * Drops what was staged: nothing appears at the key, the local file stays. A no-op after
   * commit() succeeded; after a commit() that failed or was cut off, whatever the commit may
   * still have written at the key is removed (keys are one asset's output, never shared).
   */
  abort(): Promise<void>;
}

export interface Storage {
  readonly kind: 'local' | 's3';
  /** For logs and readiness: the folder, or `s3://bucket/prefix`. */
  readonly description: string;
  stat(rel: string): Promise<StoredFile | null>;
  /**
   * Publishes a finished local file at `rel`, whole or not at all (a rename on the folder,
   * a PUT or multipart upload on S3); the local file is consumed. The same `rel` twice
   * replaces, so a retried activity leaves one file.
   */
  putFile(rel: string, localFile: string, opts?: PutOptions): Promise<StoredFile>;
  /**
   * putFile in two steps, for a file whose checks are still running: on S3 a file larger than
   * one part starts uploading its parts now and is completed (made visible) only by commit();
   * on the folder, and for a smaller file, commit() does all of it. The file must not change
   * until commit() or abort().
   */
  stagePut(rel: string, localFile: string, opts?: PutOptions): StagedPut;
  remove(rel: string): Promise<void>;
  /** Files directly inside folder `rel` (not recursive), hidden names left out. */
  list(rel: string): Promise<StoredFile[]>;
  /** The stored bytes; throws NotFoundError when missing. */
  read(rel: string): Promise<Readable>;
  /** A small text file (a playlist), at most `maxBytes`. */
  readText(rel: string, maxBytes: number): Promise<string>;
  /**
   * A key's facts (as stat()) and where ffmpeg reads it, in one lookup (one HEAD on S3): null
   * when missing; PathEscapeError when outside.
   */
  statMedia(rel: string): Promise<{ file: StoredFile; input: MediaInput } | null>;
  /**
   * statMedia's input for many keys at once (an HLS playlist's segments), in order: null where
   * a key is missing or outside (statMedia's null or PathEscapeError); other failures
   * throw. Each backend does the batch its cheaper way.
   */
  mediaInputs(rels: readonly string[]): Promise<(MediaInput | null)[]>;
  /** A short-lived URL for a client (S3 only; null on the folder, which streams). */
  presignedUrl(rel: string): Promise<string | null>;
  /** A new private scratch folder (already created) for partial outputs, never visible to readers. */
  scratchDir(): Promise<string>;
  /** Throws StorageUnavailableError naming the folder or bucket and why it cannot be used. */
  check(): Promise<void>;
}

/** Lookups of one batch (mediaInputs) in flight at once: a file's lstat, an S3 HEAD. */
export const LOOKUP_CONCURRENCY = 16;

export class PathEscapeError extends Error {
  constructor(rel: string) {
    super(`path ${JSON.stringify(rel)} leaves the storage root`);
    this.name = 'PathEscapeError';
  }
}

export class NotFoundError extends Error {
  constructor(rel: string) {
    super(`${rel} does not exist`);
    this.name = 'NotFoundError';
  }
}

/** Storage cannot be reached or used (bucket missing, credentials refused, server down). */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** Normalises a relative storage path; returns null when it is absolute or escapes. */
export function normaliseRelative(rel: string): string | null {
  if (!rel || rel.includes('\0') || path.isAbsolute(rel) || rel.includes('\\')) return null;
  const norm = path.posix.normalize(rel);
  if (norm === '.' || norm.startsWith('../') || norm === '..') return null;
  return norm.replace(/\/+$/, '');
}

/** normaliseRelative, or PathEscapeError. */
export function checkedRelative(rel: string): string {
  const norm = normaliseRelative(rel);
  if (norm === null) throw new PathEscapeError(rel);
  return norm;
}

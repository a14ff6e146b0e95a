// Storage, chosen by configuration: the local folder STORAGE_ROOT by default, an
// S3-compatible bucket when STORAGE_URL=s3://bucket/prefix. The backends live in storage/.
import type { Config } from './config.js';
import { createLocalStorage } from './storage/local-storage.js';
import { createS3Storage } from './storage/s3-storage.js';
import type { Storage } from './storage/storage.js';

export { createLocalStorage } from './storage/local-storage.js';
export { createS3Storage } from './storage/s3-storage.js';
export {
  checkedRelative,
  type MediaInput,
  normaliseRelative,
  NotFoundError,
  PathEscapeError,
  type PutOptions,
  type StagedPut,
  type Storage,
  StorageUnavailableError,
  type StoredFile,
} from './storage/storage.js';

export function createStorage(config: Pick<Config, 'storageRoot' | 'objectStorage' | 'scratchDir'>): Storage {
  return config.objectStorage ? createS3Storage(config.objectStorage, config.scratchDir) : createLocalStorage(config.storageRoot);
}

import { formatDate } from './asset.js';

export interface VuflowRecord {
  id: string;
  name: string;
  configurationJson: { storageUrlPublic: string } & Record<string, unknown>;
  isDefault: boolean;
  dateCreated: Date;
}

export interface EventRecord {
  id: string;
  title: string;
  contentId: string;
  refId: string | null;
  externalId: string | null;
  vuflowId: string | null;
  vodFile: string | null;
  sourceUrl: string | null;
  lastSync: VodFileFingerprint | null;
  dateCreated: Date;
  dateModified: Date;
}

/** What sync remembers of the VOD file to tell whether it changed since. */
export interface VodFileFingerprint {
  path: string;
  size: number | null;
  mtimeMs: number | null;
  /** S3 ETag; absent in fingerprints recorded before object storage, null on the folder. */
  etag?: string | null;
}

export function toEventObject(e: EventRecord) {
  return {
    id: e.id,
    title: e.title,
    contentId: e.contentId,
    refId: e.refId,
    externalId: e.externalId,
    vuflowId: e.vuflowId,
    vodFile: e.vodFile,
    sourceUrl: e.sourceUrl,
    dateCreated: formatDate(e.dateCreated),
    dateModified: formatDate(e.dateModified),
  };
}
export type EventObject = ReturnType<typeof toEventObject>;

export function toVuflowObject(v: VuflowRecord) {
  return { id: v.id, name: v.name, configurationJson: v.configurationJson, isDefault: v.isDefault, dateCreated: formatDate(v.dateCreated) };
}
export type VuflowObject = ReturnType<typeof toVuflowObject>;

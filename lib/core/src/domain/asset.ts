// The Asset as stored and as the contract shows it (docs/api.md).
export const ASSET_STATES = ['GENERATING', 'COMPLETED', 'FAILED'] as const;
export const ASSET_TYPES = ['SYSTEM', 'IMAGE', 'VIDEO', 'GIF'] as const;
export type AssetStateName = (typeof ASSET_STATES)[number];
export type AssetTypeName = (typeof ASSET_TYPES)[number];

export const AssetState = { GENERATING: 0, COMPLETED: 1, FAILED: 2 } as const;
export const AssetType = { SYSTEM: 0, IMAGE: 1, VIDEO: 2, GIF: 3 } as const;
export type AssetStateValue = (typeof AssetState)[keyof typeof AssetState];
export type AssetTypeValue = (typeof AssetType)[keyof typeof AssetType];

/** The kinds of media job; SYSTEM assets are never generated. */
export type JobKind = 'image' | 'gif' | 'video';
export const JOB_KIND_TYPE: Record<JobKind, AssetTypeValue> = { image: AssetType.IMAGE, gif: AssetType.GIF, video: AssetType.VIDEO };
export const JOB_KIND_EXTENSION: Record<JobKind, string> = { image: 'jpg', gif: 'gif', video: 'mp4' };

export interface AssetRecord {
  id: string;
  eventId: string;
  name: string;
  path: string;
  extension: string;
  state: AssetStateValue;
  type: AssetTypeValue;
  jobId: string | null;
  contentId: string;
  priority: number;
  failureReason: string | null;
  progress: number | null;
  dateCreated: Date;
  dateModified: Date;
}

export interface AssetObject {
  id: string;
  eventId: string;
  name: string;
  path: string;
  extension: string;
  state: number;
  stateString: AssetStateName;
  type: number;
  typeString: AssetTypeName;
  jobId: string;
  contentId: string;
  dateCreated: string;
  dateModified: string;
  url: string;
  /** Present only on FAILED assets: why the job failed. */
  failureReason?: string;
  /** Present only while a GENERATING asset's job waits for a live window's edge (docs/api.md, Live rules). */
  detail?: string;
}

/** ISO8601 in UTC with `Z` and whole seconds, as the seed's example shows. */
export function formatDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Public URL: the vuflow's storage base joined with the asset path, each segment encoded. */
export function publicUrl(base: string, relPath: string): string {
  return base.replace(/\/+$/, '') + '/' + relPath.split('/').map(encodeURIComponent).join('/');
}

export function toAssetObject(a: AssetRecord, storageUrlPublic: string): AssetObject {
  const obj: AssetObject = {
    id: a.id,
    eventId: a.eventId,
    name: a.name,
    path: a.path,
    extension: a.extension,
    state: a.state,
    stateString: ASSET_STATES[a.state],
    type: a.type,
    typeString: ASSET_TYPES[a.type],
    jobId: a.jobId ?? '',
    contentId: a.contentId,
    dateCreated: formatDate(a.dateCreated),
    dateModified: formatDate(a.dateModified),
    url: a.state === AssetState.COMPLETED ? publicUrl(storageUrlPublic, a.path) : '',
  };
  if (a.state === AssetState.FAILED) obj.failureReason = a.failureReason ?? 'unknown failure';
  return obj;
}

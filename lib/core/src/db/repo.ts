// Data access for assets, events and vuflows. SQL stays here; callers get domain records.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AssetRecord, AssetStateValue, AssetTypeValue } from '../domain/asset.js';
import { AssetState } from '../domain/asset.js';
import type { EventRecord, VodFileFingerprint, VuflowRecord } from '../domain/event.js';
import { sanitiseFailureReason } from '../domain/failure-reason.js';

type Queryable = pg.Pool | pg.PoolClient;

// Every asset read carries the public URL base of its event's vuflow (or the default one),
// so one query answers a GET without a second lookup.
const ASSET_SELECT = `SELECT a.id, a.event_id, a.name, a.path, a.extension, a.state, a.type, a.job_id, a.content_id,
  a.priority, a.failure_reason, a.progress, a.date_created, a.date_modified,
  coalesce(v.configuration_json->>'storageUrlPublic', d.configuration_json->>'storageUrlPublic') AS url_base
  FROM %SRC% a JOIN events e ON e.id = a.event_id
  LEFT JOIN vuflows v ON v.id = e.vuflow_id LEFT JOIN vuflows d ON d.is_default`;
const selectFrom = (src: string) => ASSET_SELECT.replace('%SRC%', src);

/**
 * A statement named by its text, so pg prepares it once per connection and PostgreSQL keeps
 * its plan: parsing and planning the asset read's four-table join was two thirds of
 * PostgreSQL's CPU per GET (bench B6: 0.48 ms, 0.16 ms prepared). Only statements with an
 * explicit column list are named: a cached `SELECT *` fails once a migration changes the
 * table under a running gateway.
 */
function preparedStatement(text: string): (values: unknown[]) => pg.QueryConfig {
  const name = `fs_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
  return (values) => ({ name, text, values });
}

/** The list's statements, one per combination of filters (whereClause): at most 2^7 texts. */
const listStatements = new Map<string, (values: unknown[]) => pg.QueryConfig>();
function listStatement(text: string): (values: unknown[]) => pg.QueryConfig {
  let st = listStatements.get(text);
  if (!st) listStatements.set(text, (st = preparedStatement(text)));
  return st;
}

const GET_ASSET = preparedStatement(`${selectFrom('assets')} WHERE a.id = $1`);
const GET_ASSET_REQUEST = preparedStatement('SELECT request FROM assets WHERE id = $1');
const CONTENT_SERVABLE = preparedStatement(
  `SELECT 1 FROM assets WHERE path = $1 AND state = ${AssetState.COMPLETED} UNION ALL SELECT 1 FROM events WHERE $2 AND vod_file = $1 LIMIT 1`,
);

/** An asset as read, with its vuflow's public URL base. */
export type StoredAsset = AssetRecord & { urlBase: string };

function assetFromRow(r: any): StoredAsset {
  return {
    id: r.id,
    eventId: r.event_id,
    name: r.name,
    path: r.path,
    extension: r.extension,
    state: r.state,
    type: r.type,
    jobId: r.job_id,
    contentId: r.content_id,
    priority: r.priority,
    failureReason: r.failure_reason,
    progress: r.progress,
    dateCreated: r.date_created,
    dateModified: r.date_modified,
    urlBase: r.url_base ?? '',
  };
}

function eventFromRow(r: any): EventRecord {
  return {
    id: r.id,
    title: r.title,
    contentId: r.content_id,
    refId: r.ref_id,
    externalId: r.external_id,
    vuflowId: r.vuflow_id,
    vodFile: r.vod_file,
    sourceUrl: r.source_url,
    lastSync: r.last_sync,
    dateCreated: r.date_created,
    dateModified: r.date_modified,
  };
}

function vuflowFromRow(r: any): VuflowRecord {
  return { id: r.id, name: r.name, configurationJson: r.configuration_json, isDefault: r.is_default, dateCreated: r.date_created };
}

export interface AssetFilter {
  eventId: string | null;
  contentId: string | null;
  jobId: string | null;
  name: string | null;
  states: AssetStateValue[] | null;
  types: AssetTypeValue[] | null;
  /** Suffix match on the file name, so `_sprite.jpg` works. */
  extensions: string[] | null;
}

export const NO_FILTER: AssetFilter = { eventId: null, contentId: null, jobId: null, name: null, states: null, types: null, extensions: null };

function whereClause(f: AssetFilter, params: unknown[], extra: string[] = []): string {
  const conds = [...extra];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    conds.push(sql.replace('?', `$${params.length}`));
  };
  if (f.eventId !== null) add('a.event_id = ?', f.eventId);
  if (f.contentId !== null) add('a.content_id = ?', f.contentId);
  if (f.jobId !== null) add('a.job_id = ?', f.jobId);
  if (f.name !== null) add('a.name = ?', f.name);
  if (f.states !== null) add('a.state = ANY(?::smallint[])', f.states);
  if (f.types !== null) add('a.type = ANY(?::smallint[])', f.types);
  if (f.extensions !== null) {
    // Suffix match without LIKE wildcards from user text: compare the tail literally.
    params.push(f.extensions.map((e) => e.toLowerCase()));
    conds.push(`EXISTS (SELECT 1 FROM unnest($${params.length}::text[]) AS ext WHERE right(lower(a.path), length(ext)) = ext)`);
  }
  return conds.length ? 'WHERE ' + conds.join(' AND ') : '';
}

export const PAGE_SIZE = 100;

/** `pathRoots`: folders (the storage root) whose paths a failure reason may show relative to them. */
export function createRepo(db: pg.Pool, opts: { pathRoots?: string[] } = {}) {
  return {
    db,
    async insertAsset(q: Queryable, a: Omit<AssetRecord, 'dateCreated' | 'dateModified' | 'failureReason' | 'progress'> & { request?: unknown }): Promise<StoredAsset> {
      const r = await q.query(
        `WITH w AS (INSERT INTO assets (id, event_id, name, path, extension, state, type, job_id, content_id, priority, request)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *) ${selectFrom('w')}`,
        [a.id, a.eventId, a.name, a.path, a.extension, a.state, a.type, a.jobId, a.contentId, a.priority, a.request ?? null],
      );
      return assetFromRow(r.rows[0]);
    },
    async getAsset(id: string): Promise<StoredAsset | null> {
      const r = await db.query(GET_ASSET([id]));
      return r.rows[0] ? assetFromRow(r.rows[0]) : null;
    },
    async getAssetRequest(id: string): Promise<unknown> {
      const r = await db.query(GET_ASSET_REQUEST([id]));
      return r.rows[0]?.request ?? null;
    },
    /** Stable order: creation time, then id. */
    async listAssets(f: AssetFilter, pageIndex: number): Promise<StoredAsset[]> {
      const params: unknown[] = [];
      const where = whereClause(f, params);
      params.push(PAGE_SIZE, pageIndex * PAGE_SIZE);
      const r = await db.query(listStatement(`${selectFrom('assets')} ${where} ORDER BY a.date_created, a.id LIMIT $${params.length - 1} OFFSET $${params.length}`)(params));
      return r.rows.map(assetFromRow);
    },
    async findAssets(f: AssetFilter, extra: string[] = []): Promise<StoredAsset[]> {
      const params: unknown[] = [];
      const r = await db.query(`${selectFrom('assets')} ${whereClause(f, params, extra)} ORDER BY a.date_created, a.id`, params);
      return r.rows.map(assetFromRow);
    },
    async renameAsset(id: string, name: string): Promise<StoredAsset | null> {
      const r = await db.query(
        `WITH w AS (UPDATE assets SET name = $2, date_modified = clock_timestamp() WHERE id = $1 RETURNING *) ${selectFrom('w')}`,
        [id, name],
      );
      return r.rows[0] ? assetFromRow(r.rows[0]) : null;
    },
    /** Idempotent: only a GENERATING row moves, so a retried activity never double-writes. */
    async completeAsset(id: string): Promise<StoredAsset | null> {
      const r = await db.query(
        `WITH w AS (UPDATE assets SET state = ${AssetState.COMPLETED}, progress = 1, failure_reason = NULL, date_modified = clock_timestamp()
         WHERE id = $1 AND state = ${AssetState.GENERATING} RETURNING *) ${selectFrom('w')}`,
        [id],
      );
      return r.rows[0] ? assetFromRow(r.rows[0]) : null;
    },
    async failAsset(id: string, reason: string): Promise<StoredAsset | null> {
      const r = await db.query(
        `WITH w AS (UPDATE assets SET state = ${AssetState.FAILED}, failure_reason = $2, date_modified = clock_timestamp()
         WHERE id = $1 AND state = ${AssetState.GENERATING} RETURNING *) ${selectFrom('w')}`,
        // The one place a reason becomes the asset's failureReason: every path to FAILED passes here.
        [id, sanitiseFailureReason(reason, { roots: opts.pathRoots })],
      );
      return r.rows[0] ? assetFromRow(r.rows[0]) : null;
    },
    /** Whether /content may serve this stored path: a COMPLETED asset's file, or (when allowed) an event's VOD file. */
    async isContentServable(path: string, vodFiles: boolean): Promise<boolean> {
      const r = await db.query(CONTENT_SERVABLE([path, vodFiles]));
      return (r.rowCount ?? 0) > 0;
    },
    async deleteAsset(id: string): Promise<StoredAsset | null> {
      const r = await db.query(`WITH w AS (DELETE FROM assets WHERE id = $1 RETURNING *) ${selectFrom('w')}`, [id]);
      return r.rows[0] ? assetFromRow(r.rows[0]) : null;
    },
    async generatingOlderThan(ms: number): Promise<StoredAsset[]> {
      const r = await db.query(
        `${selectFrom('assets')} WHERE a.state = ${AssetState.GENERATING}
         AND a.date_created < clock_timestamp() - make_interval(secs => $1) ORDER BY a.date_created LIMIT 500`,
        [ms / 1000],
      );
      return r.rows.map(assetFromRow);
    },

    // Events
    async insertEvent(e: Omit<EventRecord, 'dateCreated' | 'dateModified' | 'lastSync'>): Promise<EventRecord> {
      const r = await db.query(
        `INSERT INTO events (id, title, content_id, ref_id, external_id, vuflow_id, vod_file, source_url)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *`,
        [e.id, e.title, e.contentId, e.refId, e.externalId, e.vuflowId, e.vodFile, e.sourceUrl],
      );
      return eventFromRow(r.rows[0]);
    },
    async getEvent(id: string): Promise<EventRecord | null> {
      const r = await db.query('SELECT * FROM events WHERE id = $1', [id]);
      return r.rows[0] ? eventFromRow(r.rows[0]) : null;
    },
    async listEvents(pageIndex: number): Promise<EventRecord[]> {
      const r = await db.query('SELECT * FROM events ORDER BY date_created, id LIMIT $1 OFFSET $2', [PAGE_SIZE, pageIndex * PAGE_SIZE]);
      return r.rows.map(eventFromRow);
    },
    async updateEvent(id: string, patch: Partial<Pick<EventRecord, 'title' | 'contentId' | 'refId' | 'externalId' | 'vuflowId' | 'vodFile' | 'sourceUrl'>>): Promise<EventRecord | null> {
      const cols: Record<string, string> = { title: 'title', contentId: 'content_id', refId: 'ref_id', externalId: 'external_id', vuflowId: 'vuflow_id', vodFile: 'vod_file', sourceUrl: 'source_url' };
      const sets: string[] = [];
      const params: unknown[] = [id];
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined || !cols[k]) continue;
        params.push(v);
        sets.push(`${cols[k]} = $${params.length}`);
      }
      sets.push('date_modified = clock_timestamp()');
      const r = await db.query(`UPDATE events SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
      return r.rows[0] ? eventFromRow(r.rows[0]) : null;
    },
    async setEventLastSync(id: string, fp: VodFileFingerprint): Promise<void> {
      await db.query('UPDATE events SET last_sync = $2 WHERE id = $1', [id, JSON.stringify(fp)]);
    },
    async deleteEvent(id: string): Promise<boolean> {
      const r = await db.query('DELETE FROM events WHERE id = $1', [id]);
      return r.rowCount! > 0;
    },

    // Vuflows
    async upsertDefaultVuflow(id: string, storageUrlPublic: string): Promise<VuflowRecord> {
      const r = await db.query(
        `INSERT INTO vuflows (id, name, configuration_json, is_default) VALUES ($1, 'default', $2, true)
         ON CONFLICT (is_default) WHERE is_default DO UPDATE SET configuration_json = EXCLUDED.configuration_json
         RETURNING *`,
        [id, JSON.stringify({ storageUrlPublic })],
      );
      return vuflowFromRow(r.rows[0]);
    },
    async insertVuflow(v: { id: string; name: string; configurationJson: Record<string, unknown> }): Promise<VuflowRecord> {
      const r = await db.query('INSERT INTO vuflows (id, name, configuration_json) VALUES ($1,$2,$3) RETURNING *', [v.id, v.name, JSON.stringify(v.configurationJson)]);
      return vuflowFromRow(r.rows[0]);
    },
    async getVuflow(id: string): Promise<VuflowRecord | null> {
      const r = await db.query('SELECT * FROM vuflows WHERE id = $1', [id]);
      return r.rows[0] ? vuflowFromRow(r.rows[0]) : null;
    },
    async getDefaultVuflow(): Promise<VuflowRecord | null> {
      const r = await db.query('SELECT * FROM vuflows WHERE is_default');
      return r.rows[0] ? vuflowFromRow(r.rows[0]) : null;
    },
    async listVuflows(): Promise<VuflowRecord[]> {
      const r = await db.query('SELECT * FROM vuflows ORDER BY date_created, id');
      return r.rows.map(vuflowFromRow);
    },
  };
}

export type Repo = ReturnType<typeof createRepo>;

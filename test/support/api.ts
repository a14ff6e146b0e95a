// A small REST client for the integration tests, plus helpers to prepare events and media.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { makeTestVideo, type TestVideoOptions } from '../../scripts/stack/demo-media.js';
import { openApiChecker } from './openapi-check.js';
import { LISTEN_APPLICATION_NAME } from '../../services/gateway/src/db/listen-client.js';

export const stack = () => inject('stack');

export async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const s = stack();
  const res = await fetch(`${s.restUrl}${route}`, {
    method,
    headers: {
      'API-KEY': s.apiKey,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  // Every answer is checked against the gateway's own OpenAPI document, so the document cannot
  // drift from what the API does (test/support/openapi-check.ts).
  (await openApiChecker(s.restUrl, s.dataDir)).check(method, route, res.status, res.headers.get('content-type'), json);
  return { status: res.status, body: json, headers: res.headers };
}

let pool: pg.Pool | null = null;
export function db(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: stack().databaseUrl, max: 3 });
  return pool;
}

/**
 * An IMAGE asset row made in the database itself, with no job (so no progress from Temporal),
 * as a worker or another gateway would leave it; `state` 0 is GENERATING, 1 COMPLETED.
 */
export async function insertAssetRow(event: { id: string; contentId: string }, o: { name: string; state: 0 | 1; folder: string }): Promise<string> {
  const id = randomUUID();
  await db().query(
    `INSERT INTO assets (id, event_id, name, path, extension, state, type, job_id, content_id) VALUES ($1, $2, $3, $4, 'jpg', $5, 1, NULL, $6)`,
    [id, event.id, o.name, `${o.folder}/${id}.jpg`, o.state, event.contentId],
  );
  return id;
}

/** The backends of the gateways' LISTEN connections (services/gateway/src/db/listen-client.ts). */
export async function listenerPids(): Promise<number[]> {
  const r = await db().query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [LISTEN_APPLICATION_NAME]);
  return r.rows.map((row) => row.pid as number);
}

export async function countRows(table: 'assets' | 'events' | 'vuflows'): Promise<number> {
  const r = await db().query(`SELECT count(*)::int AS n FROM ${table}`);
  return r.rows[0].n;
}

/** Makes (once per folder) a generated test video under the storage root; returns its relative path. */
export async function testVideo(rel: string, o: Partial<TestVideoOptions> = {}): Promise<string> {
  const abs = path.join(stack().storageRoot, rel);
  if (!existsSync(abs)) {
    await mkdir(path.dirname(abs), { recursive: true });
    await makeTestVideo('ffmpeg', abs, { seconds: 12, fps: 25, width: 320, height: 180, gop: 50, audio: true, ...o });
  }
  return rel;
}

export async function createEvent(vodFile: string, extra: Record<string, unknown> = {}): Promise<{ id: string; contentId: string }> {
  const r = await api('POST', '/api/event/', { title: 'test event', vodFile, ...extra });
  if (r.status !== 200) throw new Error(`event create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function waitForAsset(id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api('GET', `/api/asset/${id}/`);
    if (r.status !== 200) throw new Error(`GET asset ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    if (r.body.stateString !== 'GENERATING') return r.body;
    if (Date.now() > deadline) throw new Error(`asset ${id} still GENERATING after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export async function workflowCount(query: string): Promise<number> {
  const { Connection, Client } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: stack().temporalAddress });
  try {
    const client = new Client({ connection });
    return (await client.workflow.count(query)).count;
  } finally {
    await connection.close();
  }
}

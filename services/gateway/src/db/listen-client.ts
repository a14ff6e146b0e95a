// A connection of its own for LISTEN: the session must outlive any one query, so it cannot be
// a pooled client, and it carries no statement or query timeouts (it waits by design).
import pg from 'pg';

export type ListenClient = pg.Client;

export const LISTEN_APPLICATION_NAME = 'framesmith-gateway-listen';

export function createListenClient(databaseUrl: string): ListenClient {
  // keepAlive finds a peer that vanished on a connection that is otherwise silent for hours.
  // Named, so operators (and tests) can tell it in pg_stat_activity, whatever it ran last.
  return new pg.Client({ connectionString: databaseUrl, keepAlive: true, application_name: LISTEN_APPLICATION_NAME });
}

import pg from 'pg';

/** Runs `sql` on the server at `serverUrl`, in a connection of its own. */
export async function adminQuery<R = unknown>(serverUrl: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

/** `server`'s URL with database `name`. */
export function inDatabase(server: URL | string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Creates database `name` on the Citus coordinator at `serverUrl` and on every worker its own database lists, with
 * the citus extension and those workers registered in it: Citus keeps its nodes per database and does not create
 * databases on the workers. Returns the workers, which dropCitusDatabase needs.
 */
export async function createCitusDatabase(serverUrl: string, name: string): Promise<URL[]> {
  const nodes = await adminQuery<{ host: string; port: number }>(serverUrl, "select nodename as host, nodeport as port from pg_dist_node where noderole = 'primary' and groupid <> 0");
  const workers = nodes.map(({ host, port }) => {
    const url = new URL(serverUrl);
    url.hostname = host;
    url.port = String(port);
    return url;
  });
  const coordinator = new URL(serverUrl);
  // On every node at once: each takes seconds (the extension's catalog), which every test file pays.
  await Promise.all(
    [coordinator, ...workers].map(async (server) => {
      await adminQuery(server.toString(), `create database ${name}`);
      await adminQuery(inDatabase(server, name), 'create extension citus');
    }),
  );
  const database = inDatabase(coordinator, name);
  await adminQuery(database, 'select citus_set_coordinator_host($1, $2)', [coordinator.hostname, Number(coordinator.port || 5432)]);
  for (const worker of workers) await adminQuery(database, 'select citus_add_node($1, $2)', [worker.hostname, Number(worker.port)]);
  return workers;
}

/** Drops database `name` from the coordinator and from `workers`. */
export async function dropCitusDatabase(serverUrl: string, name: string, workers: readonly URL[]): Promise<void> {
  await Promise.all([serverUrl, ...workers.map(String)].map((server) => adminQuery(server, `drop database if exists ${name} with (force)`)));
}

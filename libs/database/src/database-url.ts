import { Client } from 'pg';

/** The local server this machine runs; used when DATABASE_URL is not given. */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432';

/** The database a service uses on a given server: one database per service. */
export function databaseUrlFor(serverUrl: string, databaseName: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

export function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`Database name "${name}" must be lower-case letters, digits and underscores`);
  }
  return name;
}

/** Creates the service's database when missing, so a fresh machine needs no manual step. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  const client = new Client({ connectionString: databaseUrlFor(databaseUrl, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      // Two services (or two test workers) may race here: an existing database is success.
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  const client = new Client({ connectionString: databaseUrlFor(databaseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

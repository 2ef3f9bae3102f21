import type { ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';

const APPLICATION_NAME = 'firehose-listener';

/**
 * Connection settings of the dedicated LISTEN client: `databaseUrl` when given, else the app's
 * DataSource settings (never one of its pooled connections: a pooler in transaction mode loses LISTEN).
 */
export function listenerConnectionConfig(dataSource: DataSource, databaseUrl?: string): ClientConfig {
  const base: ClientConfig = {
    application_name: APPLICATION_NAME,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 10_000,
  };
  if (databaseUrl) return { ...base, connectionString: databaseUrl };
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string | (() => string | Promise<string>);
    database?: string;
    ssl?: ClientConfig['ssl'];
    replication?: { master?: { host?: string; port?: number; username?: string; password?: string; database?: string; url?: string } };
  };
  // Notifications come only from the primary: with replication configured, listen on the master.
  const primary = o.replication?.master ?? o;
  if (primary.url) return { ...base, connectionString: primary.url, ssl: o.ssl };
  return {
    ...base,
    host: primary.host,
    port: primary.port,
    user: primary.username,
    password: primary.password as ClientConfig['password'],
    database: primary.database,
    ssl: o.ssl,
  };
}

import pg from 'pg';

export interface RawNotification {
  channel: string;
  payload: string;
}

export interface NotifyListener {
  /** Every notification received so far, in arrival order. */
  readonly received: RawNotification[];
  close(): Promise<void>;
}

/** A plain `pg` client LISTENing on `channels`, to inspect the raw NOTIFY payloads the module sends. */
export async function listenForNotifications(url: string, channels: string[]): Promise<NotifyListener> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  client.on('error', () => undefined);
  const received: RawNotification[] = [];
  client.on('notification', (message) => received.push({ channel: message.channel, payload: message.payload ?? '' }));
  for (const channel of channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
  return { received, close: () => client.end() };
}

// A Durable Streams server in a child process of its own, for the durable-streams scenario:
//   module:    a Nest app with FirehoseModule and DurableStreamsModule.forRoot(durableStreams) on the bench database
//              (the built library, dist/), Express, like a real app;
//   reference: @durable-streams/server's DurableStreamTestServer with its file-backed store
//              (dataDir: LMDB metadata + fdatasync'd segment files).
// Speaks over IPC: sends { type: 'ready', baseUrl } once listening; { type: 'close', id } ends it.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ChildRpc } from './child-rpc.mjs';

const SELF = fileURLToPath(import.meta.url);

export class DurableStreamsServerHandle extends ChildRpc {
  static async start(kind, config) {
    const child = fork(SELF, [kind, JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const handle = new DurableStreamsServerHandle(child, `${kind} server`);
    const ready = await handle.waitFor((m) => m.type === 'ready' || m.type === 'error');
    if (ready.type === 'error') throw new Error(`${kind} server: ${ready.message}`);
    handle.baseUrl = ready.baseUrl;
    handle.pid = child.pid;
    return handle;
  }
}

async function startModule({ databaseUrl, durableStreams }) {
  const [{ Module }, { NestFactory }, { TypeOrmModule }, { WsAdapter }, lib] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('@nestjs/typeorm'),
    import('@nestjs/platform-ws'),
    import('../../dist/lib/index.js'),
  ]);
  class BenchDurableStreamsModule {}
  Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: databaseUrl,
        entities: lib.FIREHOSE_ENTITIES,
        migrations: [...lib.FIREHOSE_MIGRATIONS, ...lib.DURABLE_STREAMS_MIGRATIONS],
        migrationsRun: true,
        poolSize: 20,
      }),
      lib.FirehoseModule.forRoot(),
      // Every request allowed, as the reference server does: the measure is the protocol, not an authorizer.
      lib.DurableStreamsModule.forRoot({ authorizer: lib.AllowAllDurableStreamsAuthorizer, ...durableStreams }),
    ],
  })(BenchDurableStreamsModule);
  const app = await NestFactory.create(BenchDurableStreamsModule, { logger: ['error', 'warn'], forceCloseConnections: true });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  return { port: app.getHttpServer().address().port, close: () => app.close() };
}

async function startReference({ dataDir, longPollTimeout }) {
  const { DurableStreamTestServer } = await import('@durable-streams/server');
  const server = new DurableStreamTestServer({ dataDir, port: 0, host: '127.0.0.1', longPollTimeout });
  const url = await server.start();
  return { port: Number(new URL(url).port), close: () => server.stop() };
}

if (process.argv[1] === SELF) {
  const [kind, config] = [process.argv[2], JSON.parse(process.argv[3])];
  try {
    const server = kind === 'module' ? await startModule(config) : await startReference(config);
    process.on('message', async (m) => {
      if (m.type !== 'close') return;
      await server.close().catch(() => undefined);
      process.send({ type: 'closed', id: m.id }, () => process.exit(0));
    });
    process.send({ type: 'ready', baseUrl: `http://127.0.0.1:${server.port}` });
  } catch (error) {
    process.send({ type: 'error', message: error.stack ?? String(error) }, () => process.exit(1));
  }
}

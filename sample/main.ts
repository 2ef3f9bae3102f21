import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { AppModule } from './app.module.js';
import { intFromEnv } from './config/env.js';
import { openAppDatabase, type SampleDatabase } from './database/sample-database.js';
import { usageLines } from './usage.js';

const logger = new Logger('Sample');
let database: SampleDatabase;
try {
  database = await openAppDatabase();
} catch (error) {
  logger.error((error as Error).message);
  process.exit(1);
}

let app: INestApplication | undefined;
try {
  // abortOnError: false, so a failed boot throws here and the embedded server is stopped below.
  app = await NestFactory.create(AppModule.forDatabase(database.url), { abortOnError: false });
  // The Firehose WebSocket gateway runs on `ws`; set the adapter before listen() (else Nest looks for socket.io).
  app.useWebSocketAdapter(new WsAdapter(app));
  app.enableShutdownHooks();
  database.stopAfter(app);
  const port = intFromEnv('PORT', 3000);
  await app.listen(port);
  for (const line of usageLines(`http://localhost:${port}`)) logger.log(line);
} catch (error) {
  await app?.close();
  await database.stop();
  throw error;
}

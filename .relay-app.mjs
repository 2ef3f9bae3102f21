import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
const lib = await import('./dist/lib/index.js');
const url = 'postgres://postgres@127.0.0.1:5432/cfy';
class M {}
Module({ imports: [TypeOrmModule.forRoot({ type: 'postgres', url, entities: lib.FIREHOSE_ENTITIES, migrations: lib.FIREHOSE_MIGRATIONS, migrationsRun: true }), lib.FirehoseModule.forRoot({})] })(M);
const app = await NestFactory.createApplicationContext(M, { logger: ['error', 'warn'] });
await app.init();
let n = 0;
app.get(lib.FirehoseService).stream(['table:public.feed_items']).subscribe(() => n++);
setInterval(() => console.log('received', n), 5000);

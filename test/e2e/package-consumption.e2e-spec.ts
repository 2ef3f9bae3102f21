import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const ROOT = resolve(process.cwd());
const PEERS = ['@nestjs', 'typeorm', 'pg', 'rxjs', 'reflect-metadata', 'typescript', '@types'];

/**
 * Installs the packed tarball (what `npm publish` would ship) into a throwaway app whose peers are
 * the repository's, then loads it as a plain Nest 12 app would: ESM import, CommonJS require, and a
 * TypeScript compile against the shipped typings.
 */
describe('the packed package in a plain Nest 12 app', () => {
  let db: TestDatabase;
  let app: string;

  beforeAll(async () => {
    db = await createTestDatabase('package');
    app = mkdtempSync(join(tmpdir(), 'firehose-consumer-'));
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', app], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    const target = join(app, 'node_modules', 'nestjs-firehose');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(app, packed), '-C', target, '--strip-components=1']);
    // The peers the app brings, and the package's own dependencies, as `npm install` would add them.
    const dependencies = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {});
    for (const name of [...PEERS, ...dependencies]) symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  }, 60_000);
  afterAll(async () => {
    if (app) rmSync(app, { recursive: true, force: true });
    await db?.drop();
  });

  it('ships only dist/lib, dist/migrations, README and package.json', () => {
    const shipped = readdirSync(join(app, 'node_modules', 'nestjs-firehose')).sort();
    expect(shipped).toEqual(expect.arrayContaining(['README.md', 'dist', 'package.json']));
    expect(shipped).not.toContain('lib');
    expect(shipped).not.toContain('test');
    expect(readdirSync(join(app, 'node_modules', 'nestjs-firehose', 'dist')).sort()).toEqual(['lib', 'migrations']);
  });

  it('boots through ESM import, broadcasts and receives', () => {
    writeFileSync(
      join(app, 'main.mjs'),
      `import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FirehoseModule, FirehoseService, FIREHOSE_ENTITIES } from 'nestjs-firehose';
import { FIREHOSE_MIGRATIONS } from 'nestjs-firehose/migrations';
class AppModule {}
Module({ imports: [
  TypeOrmModule.forRoot({ type: 'postgres', url: process.env.URL, entities: FIREHOSE_ENTITIES, migrations: FIREHOSE_MIGRATIONS, migrationsRun: true }),
  FirehoseModule.forRoot({}),
] })(AppModule);
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const firehose = app.get(FirehoseService);
const received = new Promise((resolve) => firehose.stream('hello').subscribe(resolve));
await new Promise((r) => setTimeout(r, 50));
const sent = await firehose.broadcast('hello', { from: 'consumer' });
const got = await received;
console.log(JSON.stringify({ sent: sent.sequence, got: got.data }));
await app.close();
`,
    );
    const out = execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8', env: { ...process.env, URL: db.url, NODE_OPTIONS: '' } });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ sent: 1, got: { from: 'consumer' } });
  });

  it('loads through CommonJS require (require(esm) on Node 20.19+)', () => {
    writeFileSync(join(app, 'check.cjs'), `const f = require('nestjs-firehose'); console.log(typeof f.FirehoseModule.forRoot, typeof f.OnFirehose, f.FIREHOSE_MIGRATIONS[0].name);`);
    const out = execFileSync(process.execPath, ['check.cjs'], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(out.trim().split('\n').pop()).toBe('function function CreateFirehoseTables1732320000000');
  });

  it('type-checks a decorated TypeScript consumer against the shipped typings', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { Injectable, Module } from '@nestjs/common';
import { FirehoseModule, FirehoseService, OnFirehose, type FirehoseEvent } from 'nestjs-firehose';
@Injectable()
export class Notifier {
  constructor(private readonly firehose: FirehoseService) {}
  notify(userId: number): Promise<FirehoseEvent<{ text: string }>> {
    return this.firehose.broadcast(\`user:\${userId}\`, { text: 'hi' });
  }
  @OnFirehose(['user:1'])
  onUser(event: FirehoseEvent<{ text: string }>): void {
    void event.data.text;
  }
}
@Module({ imports: [FirehoseModule.forRootAsync({ useFactory: () => ({ cleanupThreshold: 10 }) })], providers: [Notifier] })
export class AppModule {}
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true,
          experimentalDecorators: true, emitDecoratorMetadata: true, skipLibCheck: true, types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
  });
});

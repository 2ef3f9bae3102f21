import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';

const ROOT = resolve(process.cwd());
const PEERS = ['@nestjs', 'typeorm', 'pg', 'rxjs', 'reflect-metadata', 'class-validator', 'typescript', '@types'];
/** A consumer script that misses its event must fail the test, not hang the Jest worker. */
const SCRIPT_TIMEOUT_MS = 30_000;
/** `prepack` builds the library (tsc twice) in the clone; slow on a busy machine. */
const PACK_TIMEOUT_MS = 180_000;

/**
 * The body of a consumer app, the same for `import` and `require`: boots Nest with the module,
 * subscribes, and broadcasts once the subscription is live (`onLive`), so no event can be missed.
 */
const bootAndRoundTrip = `
class AppModule {}
Module({ imports: [
  TypeOrmModule.forRoot({ type: 'postgres', url: process.env.URL, entities: FIREHOSE_ENTITIES, migrations: FIREHOSE_MIGRATIONS, migrationsRun: true }),
  FirehoseModule.forRoot({}),
] })(AppModule);
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const firehose = app.get(FirehoseService);
let live;
const isLive = new Promise((resolve) => (live = resolve));
const received = new Promise((resolve) => firehose.stream(process.env.STREAM, { onLive: live }).subscribe(resolve));
await isLive;
const sent = await firehose.broadcast(process.env.STREAM, { from: 'consumer' });
const got = await received;
console.log(JSON.stringify({ sent: sent.sequence, got: got.data, same: got.id === sent.id }));
await app.close();
`;

/**
 * Installs the tarball packed from a fresh clone (what `npm publish` would ship) into a throwaway app whose peers are
 * the repository's, then loads it as a plain Nest 12 app would: ESM import, CommonJS require, and a
 * TypeScript compile against the shipped typings.
 */
describe('the packed package in a plain Nest 12 app', () => {
  let db: TestDatabase;
  let app: string;

  let clone: string;

  beforeAll(async () => {
    db = await createTestDatabase('package');
    app = mkdtempSync(join(tmpdir(), 'firehose-consumer-'));
    // Packed from a fresh clone of HEAD, as a release would be: `prepack` must build dist/ from the
    // sources alone (no dist/ left over from `npm test`, nothing uncommitted), in the clone, so the
    // other test files keep the repository's dist/. Its node_modules are the repository's, linked.
    clone = mkdtempSync(join(tmpdir(), 'firehose-clone-'));
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone], { timeout: SCRIPT_TIMEOUT_MS });
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', app], {
      cwd: clone,
      encoding: 'utf8',
      timeout: PACK_TIMEOUT_MS,
    })
      .trim()
      .split('\n')
      .pop()!;
    const target = join(app, 'node_modules', 'nestjs-firehose');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(app, packed), '-C', target, '--strip-components=1']);
    // The peers the app brings, and the package's own dependencies, as `npm install` would add them.
    const dependencies = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {},
    );
    for (const name of [...PEERS, ...dependencies]) symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  }, PACK_TIMEOUT_MS + 60_000);
  afterAll(async () => {
    if (app) rmSync(app, { recursive: true, force: true });
    if (clone) rmSync(clone, { recursive: true, force: true });
    await db?.drop();
  });

  it('ships only dist/lib, dist/migrations, README, LICENSE and package.json', () => {
    const root = join(app, 'node_modules', 'nestjs-firehose');
    expect(readdirSync(root).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    expect(readdirSync(join(root, 'dist')).sort()).toEqual(['lib', 'migrations']);
    // Compiled output only: no sources, tests, build info or maps of files that are not shipped.
    const files = (readdirSync(join(root, 'dist'), { recursive: true }) as string[]).filter((file) => /\.[a-z]+$/.test(file));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => !/\.(js|d\.ts)$/.test(file))).toEqual([]);
    expect(files.filter((file) => /(^|\/)test\/|\.spec\./.test(file))).toEqual([]);
  });

  const run = (script: string, stream: string) =>
    execFileSync(process.execPath, [script], {
      cwd: app,
      encoding: 'utf8',
      timeout: SCRIPT_TIMEOUT_MS,
      env: { ...process.env, URL: db.url, STREAM: stream, NODE_OPTIONS: '' },
    });
  const lastLine = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

  it('boots through ESM import, broadcasts and receives', () => {
    writeFileSync(
      join(app, 'main.mjs'),
      `import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FirehoseModule, FirehoseService, FIREHOSE_ENTITIES } from 'nestjs-firehose';
import { FIREHOSE_MIGRATIONS } from 'nestjs-firehose/migrations';
${bootAndRoundTrip}`,
    );
    expect(lastLine(run('main.mjs', 'hello-esm'))).toEqual({ sent: 1, got: { from: 'consumer' }, same: true });
  });

  it('boots through CommonJS require (require(esm) on Node 20.19+), broadcasts and receives', () => {
    writeFileSync(
      join(app, 'main.cjs'),
      `require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { TypeOrmModule } = require('@nestjs/typeorm');
const { FirehoseModule, FirehoseService, FIREHOSE_ENTITIES } = require('nestjs-firehose');
const { FIREHOSE_MIGRATIONS } = require('nestjs-firehose/migrations');
(async () => {
${bootAndRoundTrip}
})().catch((error) => {
  console.error(error);
  process.exit(1);
});`,
    );
    expect(lastLine(run('main.cjs', 'hello-cjs'))).toEqual({ sent: 1, got: { from: 'consumer' }, same: true });
  });

  it('exports the browser client as the nestjs-firehose/client subpath, importable where there is no document', () => {
    writeFileSync(
      join(app, 'client.mjs'),
      `import { Firehose, FirehoseClient, FIREHOSE_STREAM_SOURCE_TAG } from 'nestjs-firehose/client';
console.log(JSON.stringify({
  resolved: import.meta.resolve('nestjs-firehose/client').endsWith('/node_modules/nestjs-firehose/dist/lib/client/index.js'),
  client: Firehose instanceof FirehoseClient,
  subscribe: typeof Firehose.subscribe,
  tag: FIREHOSE_STREAM_SOURCE_TAG,
}));`,
    );
    expect(lastLine(run('client.mjs', 'unused'))).toEqual({
      resolved: true,
      client: true,
      subscribe: 'function',
      tag: 'firehose-stream-source',
    });
  });

  it('type-checks a decorated TypeScript consumer against the shipped typings', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { Injectable, Module } from '@nestjs/common';
import { FirehoseModule, FirehoseService, OnFirehose, type FirehoseEvent } from 'nestjs-firehose';
import { Firehose, type WsServerFrame } from 'nestjs-firehose/client';
export const follow = (): void => Firehose.subscribe('/firehose', ['user:1']);
export const isEvent = (frame: WsServerFrame): boolean => !('type' in frame);
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
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: app,
      encoding: 'utf8',
      timeout: SCRIPT_TIMEOUT_MS,
    });
  });
});

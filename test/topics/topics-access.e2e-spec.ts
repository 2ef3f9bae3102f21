import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { type FirehoseTopicsAuthorizer, type TopicOperation } from '../../lib/index.js';
import { waitFor } from '../utils/collect.js';
import { openSse, type SseConnection } from '../utils/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../utils/test-database.js';
import { createTopicsTestApp, type TopicsTestApp } from './topics-test-app.js';

/** What the authorizer was asked, in order: topic, operation, and the user the app's guard attached. */
const asked: Array<[string, TopicOperation, string | undefined]> = [];

/** `news` is read-only to requests, `inbox` write-only; `private:` topics are closed; the rest open. */
@Injectable()
class NewsroomAuthorizer implements FirehoseTopicsAuthorizer {
  authorizeTopic(topic: string, operation: TopicOperation, { request }: { request: IncomingMessage & { user?: string } }): boolean {
    asked.push([topic, operation, request.user]);
    if (topic === 'news') return operation === 'subscribe';
    if (topic === 'inbox') return operation === 'publish';
    return !topic.startsWith('private:');
  }
}

/** The app's own guard, given as the module's `guards`: a request needs `x-user`, which it attaches. */
@Injectable()
class UserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage & { user?: string }>();
    const user = request.headers['x-user'];
    if (typeof user !== 'string') return false;
    request.user = user;
    return true;
  }
}

/** A global guard (APP_GUARD): refuses requests that carry `x-banned`. */
@Injectable()
class BanGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<IncomingMessage>().headers['x-banned'] === undefined;
  }
}

const USER = { 'x-user': 'ada' };

describe('topic routes: validation, guards and the authorizer', () => {
  let db: TestDatabase;
  let app: TopicsTestApp;
  let closed: TopicsTestApp;
  const open: SseConnection[] = [];
  const get = async (target: TopicsTestApp, topic: string, headers: Record<string, string> = USER) => {
    const sse = await openSse(target.url(topic), headers);
    open.push(sse);
    return sse;
  };

  beforeAll(async () => {
    db = await createTestDatabase('topics_access');
    app = await createTopicsTestApp(
      db.url,
      { authorizer: NewsroomAuthorizer, guards: [UserGuard], maxDataBytes: 1000 },
      { providers: [{ provide: APP_GUARD, useClass: BanGuard }] },
    );
    // No authorizer: deny by default.
    closed = await createTopicsTestApp(db.url, {}, { logger: ['error'] });
  });
  afterEach(() => {
    for (const sse of open.splice(0)) sse.close();
  });
  afterAll(async () => {
    await Promise.all([app?.close(), closed?.close()]);
    await db?.drop();
  });

  it('refuses every request with 403 when no authorizer is configured', async () => {
    const post = await closed.post('open', { data: 1 });
    expect(post.status).toBe(403);
    expect(post.body.message).toContain('no FirehoseTopicsAuthorizer is configured');
    const sse = await get(closed, 'open', {});
    expect(sse.status).toBe(403);
    expect(sse.body.message).toContain('AllowAllTopicsAuthorizer');
  });

  it('asks the authorizer per topic and operation, with what the app guards attached', async () => {
    asked.length = 0;
    expect((await app.post('inbox', { data: 'hi' }, USER)).status).toBe(200);
    const refusedPost = await app.post('news', { data: 'hi' }, USER);
    expect(refusedPost.status).toBe(403);
    expect(refusedPost.body.message).toBe('This request may not publish to topic "news".');
    expect((await get(app, 'news')).status).toBe(200);
    const refusedGet = await get(app, 'inbox');
    expect(refusedGet.status).toBe(403);
    expect(refusedGet.body.message).toBe('This request may not subscribe to topic "inbox".');
    expect((await get(app, 'private:x')).status).toBe(403);
    expect(asked).toEqual([
      ['inbox', 'publish', 'ada'],
      ['news', 'publish', 'ada'],
      ['news', 'subscribe', 'ada'],
      ['inbox', 'subscribe', 'ada'],
      ['private:x', 'subscribe', 'ada'],
    ]);
  });

  it("runs the module's guards and the app's global guards before the authorizer, on both routes", async () => {
    asked.length = 0;
    expect((await app.post('open', { data: 1 }, {})).status).toBe(403);
    expect((await get(app, 'open', {})).status).toBe(403);
    expect((await app.post('open', { data: 1 }, { ...USER, 'x-banned': '1' })).status).toBe(403);
    expect((await get(app, 'open', { ...USER, 'x-banned': '1' })).status).toBe(403);
    expect(asked).toEqual([]);
  });

  it.each(['.hidden', 'a%20b', 'a%2Fb', 'x'.repeat(65), '%C3%A9t%C3%A9'])(
    'answers 400 to the invalid topic id %p on both routes',
    async (topic) => {
      const post = await app.post(topic, { data: 1 }, USER);
      expect(post.status).toBe(400);
      expect(post.body.message).toMatch(/^Invalid topic id .*: a topic id is 1 to 64 ASCII letters/);
      expect((await get(app, topic)).status).toBe(400);
    },
  );

  it('answers 400 to a body that is not {"data": …}', async () => {
    for (const body of [{}, { value: 1 }, [1, 2], '"text"']) {
      const answer = await app.post('open', body, USER);
      expect(answer.status).toBe(400);
    }
    const answer = await app.post('open', { other: 1 }, USER);
    expect(answer.body.message).toBe('Send a JSON object {"data": …} with Content-Type: application/json.');
  });

  it('measures data as compact JSON: 413 with the limit above it, whatever whitespace the body had', async () => {
    // About 1.5 KB as sent, 990 bytes once compact: under the 1000-byte limit.
    const padded = `{ "data" : { "text" :   ${JSON.stringify('x'.repeat(978))} ${' '.repeat(500)} } }`;
    const accepted = await app.post('open', padded, USER);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ topic: 'open', data: { text: 'x'.repeat(978) } });
    const refused = await app.post('open', { data: { text: 'x'.repeat(1000) } }, USER);
    expect(refused.status).toBe(413);
    expect(refused.body.message).toBe(
      'Payload of 1011 bytes exceeds the 1000-byte limit; a topic message travels inside one NOTIFY: send less (an id to look up, say), or use a stream.',
    );
  });

  it('refuses the same input from server code with typed errors', async () => {
    await expect(app.topics.publish('../up', 1)).rejects.toThrow('Invalid topic id "../up"');
    await expect(app.topics.publish('ok', 'x'.repeat(2000))).rejects.toThrow('exceeds the 1000-byte limit');
    await expect(app.topics.publish('ok', undefined)).rejects.toThrow('has no JSON form');
  });

  it('counts topic streams against maxConnections, with Firehose SSE, and gives the slot back when one ends', async () => {
    const capped = await createTopicsTestApp(
      db.url,
      { authorizer: NewsroomAuthorizer, guards: [UserGuard] },
      { firehose: { maxConnections: 1 }, logger: ['error'] },
    );
    try {
      const first = await get(capped, 'open');
      expect(first.status).toBe(200);
      const refused = await get(capped, 'open');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect((await openSse(`${capped.baseUrl}/firehose/sse?streams=a`)).status).toBe(503);
      // Publishing takes no slot.
      expect((await capped.post('open', { data: 1 }, USER)).status).toBe(200);
      first.close();
      await waitFor(async () => (await get(capped, 'open')).status === 200, 5000, 'the slot to be given back');
    } finally {
      for (const sse of open.splice(0)) sse.close();
      await capped.close();
    }
  });

  it('answers 405 to HEAD on the stream', async () => {
    const response = await fetch(app.url('news'), { method: 'HEAD', headers: USER });
    expect(response.status).toBe(405);
  });
});

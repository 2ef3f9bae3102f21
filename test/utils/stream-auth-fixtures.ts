import type { IncomingMessage } from 'node:http';
import { Global, Injectable, Module } from '@nestjs/common';
import type { FirehoseAuthorizer, FirehoseConnectionContext, FirehoseEvent } from '../../lib/index.js';

/** An app service the tests' guards inject: maps bearer tokens to users. */
@Injectable()
export class UserDirectory {
  private readonly users = new Map([
    ['token-ann', { name: 'ann' }],
    ['token-bob', { name: 'bob' }],
  ]);
  find(token: string | undefined) {
    return token ? this.users.get(token) : undefined;
  }
}

@Global()
@Module({ providers: [UserDirectory], exports: [UserDirectory] })
export class UsersModule {}

/**
 * Public streams for everyone, `user:<name>` for that user only, `private:*` for nobody; on the
 * `shaped` stream, skips events with `secret` and adds the viewer's name to the others.
 */
/** What the test guards attach: `user` once a token was accepted. */
export type SignedInRequest = IncomingMessage & { user?: { name: string } };

@Injectable()
export class TestAuthorizer implements FirehoseAuthorizer<SignedInRequest> {
  readonly seen: FirehoseConnectionContext<SignedInRequest>[] = [];
  authorizeStreams(streams: string[], context: FirehoseConnectionContext<SignedInRequest>): Promise<string[]> {
    this.seen.push(context);
    return Promise.resolve(
      streams.filter(
        (stream) => !stream.startsWith('private:') && (!stream.startsWith('user:') || stream === `user:${context.request.user?.name}`),
      ),
    );
  }
  async buildEvent(event: FirehoseEvent<any>, context: FirehoseConnectionContext<SignedInRequest>): Promise<FirehoseEvent | null> {
    if (event.stream !== 'shaped') return event;
    if (event.data?.secret) return null;
    return { ...event, data: { ...event.data, viewer: context.request.user?.name } };
  }
}

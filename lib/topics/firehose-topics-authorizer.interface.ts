import type { IncomingMessage } from 'node:http';

/** What a request wants to do with a topic: send messages to it, or receive its messages. */
export type TopicOperation = 'publish' | 'subscribe';

/**
 * Who is asking, as the topic routes know it. `TRequest` is the request as the app's guards leave
 * it, e.g. `IncomingMessage & { user: User }`.
 *
 * @publicApi
 */
export interface TopicRequestContext<TRequest extends IncomingMessage = IncomingMessage> {
  /** The HTTP request, carrying whatever the app's guards attached to it. */
  request: TRequest;
}

/**
 * Decides who may publish to and subscribe to which topic, per request. Registered with
 * `FirehoseTopicsModule.forRoot({ authorizer: MyTopicsAuthorizer })` as a provider of the module,
 * so it can inject the app's services. Without one, every topic request is refused.
 * `FirehoseTopicsService.publish()` is server code and is not asked.
 *
 * @publicApi
 */
export interface FirehoseTopicsAuthorizer<TRequest extends IncomingMessage = IncomingMessage> {
  /** True to let the request `operation` on `topic` (an id already validated); false answers 403. */
  authorizeTopic(topic: string, operation: TopicOperation, context: TopicRequestContext<TRequest>): boolean | Promise<boolean>;
}

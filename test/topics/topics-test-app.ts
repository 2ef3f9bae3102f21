import type { Provider } from '@nestjs/common';
import { type FirehoseModule, FirehoseTopicsModule, type FirehoseTopicsOptions, FirehoseTopicsService } from '../../lib/index.js';
import { createFirehoseHttpApp, type FirehoseHttpApp } from '../utils/create-firehose-http-app.js';

export interface TopicsTestApp extends FirehoseHttpApp {
  topics: FirehoseTopicsService;
  /** `POST {path}/{topic}/events` with `body` (an object, sent as JSON, or raw text). */
  post(topic: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** `{baseUrl}{path}/{topic}/events`. */
  url(topic: string): string;
}

/** A real HTTP app (Express) with FirehoseModule and FirehoseTopicsModule.forRoot(topics). */
export async function createTopicsTestApp(
  url: string,
  topics: FirehoseTopicsOptions,
  options: {
    firehose?: Parameters<typeof FirehoseModule.forRoot>[0];
    providers?: Provider[];
    logger?: Parameters<typeof createFirehoseHttpApp>[0]['logger'];
  } = {},
): Promise<TopicsTestApp> {
  const app = await createFirehoseHttpApp({
    url,
    firehose: options.firehose,
    imports: [FirehoseTopicsModule.forRoot(topics)],
    providers: options.providers,
    logger: options.logger,
  });
  const path = topics.path ?? '/topics';
  const topicUrl = (topic: string) => `${app.baseUrl}${path}/${topic}/events`;
  return {
    app: app.app,
    firehose: app.firehose,
    get changeFeeds() {
      return app.changeFeeds;
    },
    baseUrl: app.baseUrl,
    wsUrl: app.wsUrl,
    close: app.close,
    topics: app.app.get(FirehoseTopicsService),
    url: topicUrl,
    post: async (topic, body, headers = {}) => {
      const response = await fetch(topicUrl(topic), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: response.status, body: parsed };
    },
  };
}

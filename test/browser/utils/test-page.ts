import type { BrowserContext, Page } from 'playwright-core';
import { TEST_PAGE_PATH } from './test-page.controller.js';

/** Where every event a test page sees is recorded, in dispatch order. */
export interface RecordedEvent {
  type: string;
  detail: any;
}

/** Opens the app's test page (TestPageController), with `body` in it, once the client has loaded. */
export async function openTestPage(context: BrowserContext, baseUrl: string, body = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}${TEST_PAGE_PATH}?body=${encodeURIComponent(body)}`);
  await page.waitForFunction(() => typeof (window as any).Firehose?.subscribe === 'function');
  return page;
}

export async function recorded(page: Page, type?: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = await page.evaluate(() => (window as any).__events);
  return type ? events.filter((event) => event.type === type) : events;
}

/** The `detail` of every `firehose:message` so far. */
export async function messages(page: Page): Promise<Array<{ id: number; stream: string; data: unknown }>> {
  return (await recorded(page, 'message')).map((event) => event.detail);
}

/** Waits until `count` events of `type` (all `firehose:*` events when omitted) were recorded. */
export async function waitForEvents(page: Page, type: string, count: number, timeout = 15_000): Promise<RecordedEvent[]> {
  try {
    await page.waitForFunction(
      ([t, n]) => (window as any).__events.filter((e: RecordedEvent) => e.type === t).length >= (n as number),
      [type, count] as const,
      { timeout, polling: 25 },
    );
  } catch (error) {
    const seen = await recorded(page);
    throw new Error(`waited for ${count} firehose:${type} events; the page recorded ${JSON.stringify(seen).slice(0, 2000)}`, {
      cause: error,
    });
  }
  return recorded(page, type);
}

/** Empties the page's record (between steps of one test). */
export async function clearRecorded(page: Page): Promise<void> {
  await page.evaluate(() => ((window as any).__events.length = 0));
}

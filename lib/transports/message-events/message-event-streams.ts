import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Subject, takeUntil, type Observable } from 'rxjs';

/**
 * Ends every Observable handed to an app's `@Sse()` routes when the app shuts down. Nest closes the
 * HTTP server after the shutdown hooks and waits for open responses; an SSE response ends only
 * when its Observable completes, so without this one connected client would hold the app open.
 */
export class MessageEventStreams implements BeforeApplicationShutdown {
  private readonly closing = new Subject<void>();

  /** `source`, completed at shutdown. */
  untilShutdown<T>(source: Observable<T>): Observable<T> {
    return source.pipe(takeUntil(this.closing));
  }

  beforeApplicationShutdown(): void {
    this.closing.next();
    this.closing.complete();
  }
}

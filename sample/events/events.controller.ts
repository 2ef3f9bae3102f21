import { Controller, Get, Query } from '@nestjs/common';
import { lastValueFrom, takeUntil, timer, toArray } from 'rxjs';
import { FirehoseService, type FirehoseStreamItem } from '../../lib/index.js';
import { EventsQueryDto } from './events-query.dto.js';

// stream() never completes (replay, then live), so a plain JSON answer takes what arrives in a short
// window: the whole replay of a log kept at cleanupThreshold events per stream.
const REPLAY_WINDOW_MS = 300;

@Controller('events')
export class EventsController {
  constructor(private readonly firehose: FirehoseService) {}

  /**
   * GET /events?streams=a,b&last_event_id=N: the kept events of those streams after id N, in commit
   * order. A stream trimmed past N answers a `{type:'reset'}` item instead of a partial history.
   */
  @Get()
  replay(@Query() query: EventsQueryDto): Promise<FirehoseStreamItem[]> {
    const streams = query.streams.split(',').map((name) => name.trim());
    const items = this.firehose.stream(streams, { lastEventId: query.last_event_id ?? 0 });
    return lastValueFrom(items.pipe(takeUntil(timer(REPLAY_WINDOW_MS)), toArray()));
  }
}

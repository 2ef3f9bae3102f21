import { ArrayNotEmpty, IsOptional } from 'class-validator';
import { IsFirehoseCursor } from './cursor.constraint.js';
import { IsFirehoseStreamName } from './stream-name.constraint.js';

/**
 * The schema of the SSE route's query, `?streams=a,b&last_event_id=123`, as class-validator rules.
 * `streams` is the list once split on commas (`?streams=a,b` and `?streams=a&streams=b` alike).
 * A `Last-Event-ID` header, when present, wins over `last_event_id`.
 *
 * @publicApi
 */
export class FirehoseSseQueryDto {
  @ArrayNotEmpty()
  @IsFirehoseStreamName({ each: true })
  streams!: string[];

  @IsOptional()
  @IsFirehoseCursor()
  last_event_id?: string;
}

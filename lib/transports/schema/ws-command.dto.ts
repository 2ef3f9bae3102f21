import { ArrayNotEmpty, Equals, IsArray, IsOptional } from 'class-validator';
import type { WsSubscribeFrame, WsUnsubscribeFrame } from '../../protocol/ws-client-frame.js';
import { IsFirehoseCursor } from './cursor.constraint.js';
import { IsFirehoseStreamName } from './stream-name.constraint.js';

/**
 * The schema of a WebSocket subscribe command, `{"command":"subscribe","streams":["a"],"last_event_id":123}`,
 * as class-validator rules: what the gateway checks every subscribe frame against.
 *
 * @publicApi
 */
export class FirehoseWsSubscribeDto implements WsSubscribeFrame {
  @Equals('subscribe')
  command!: 'subscribe';

  // Checked in this order, the first failure reported: an array, not empty, then every name.
  @IsArray()
  @ArrayNotEmpty()
  @IsFirehoseStreamName({ each: true })
  streams!: string[];

  /** Also accepted as a string of digits, the way a client may have kept an id it read as text. */
  @IsOptional()
  @IsFirehoseCursor()
  last_event_id?: number;
}

/**
 * The schema of a WebSocket unsubscribe command, `{"command":"unsubscribe","streams":["a"]}`.
 *
 * @publicApi
 */
export class FirehoseWsUnsubscribeDto implements WsUnsubscribeFrame {
  @Equals('unsubscribe')
  command!: 'unsubscribe';

  @IsArray()
  @ArrayNotEmpty()
  @IsFirehoseStreamName({ each: true })
  streams!: string[];
}

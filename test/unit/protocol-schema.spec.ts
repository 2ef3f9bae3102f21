import { validateSync } from 'class-validator';
import {
  FirehoseSseQueryDto,
  FirehoseWsSubscribeDto,
  FirehoseWsUnsubscribeDto,
  IsFirehoseCursor,
  IsFirehoseStreamName,
} from '../../lib/index.js';
import { parseWsCommand } from '../../lib/transports/ws/parse-ws-command.js';

const filled = <T extends object>(dto: T, fields: Record<string, unknown>): T => {
  for (const [key, value] of Object.entries(fields)) (dto as Record<string, unknown>)[key] = value;
  return dto;
};
const failed = (dto: object) => validateSync(dto).map((error) => [error.property, Object.keys(error.constraints ?? {}).sort()]);

// The DTOs the package exports as the protocol's schema, used as an app would: class-validator's own validateSync.
describe('the protocol schema (class-validator DTOs)', () => {
  it('accepts a subscribe with or without a cursor, and an unsubscribe', () => {
    expect(failed(filled(new FirehoseWsSubscribeDto(), { command: 'subscribe', streams: ['a', 'Post:7'], last_event_id: 12 }))).toEqual([]);
    expect(failed(filled(new FirehoseWsSubscribeDto(), { command: 'subscribe', streams: ['a'], last_event_id: '12' }))).toEqual([]);
    expect(failed(filled(new FirehoseWsSubscribeDto(), { command: 'subscribe', streams: ['a'] }))).toEqual([]);
    expect(failed(filled(new FirehoseWsUnsubscribeDto(), { command: 'unsubscribe', streams: ['a'] }))).toEqual([]);
  });

  it('names what is wrong: the command, the streams, a name, the cursor', () => {
    expect(failed(filled(new FirehoseWsSubscribeDto(), { command: 'unsubscribe', streams: 'a', last_event_id: -1 }))).toEqual([
      ['command', ['equals']],
      ['streams', ['arrayNotEmpty', 'isArray']],
      ['last_event_id', ['isFirehoseCursor']],
    ]);
    expect(failed(filled(new FirehoseWsUnsubscribeDto(), { command: 'unsubscribe', streams: [] }))).toEqual([
      ['streams', ['arrayNotEmpty']],
    ]);
    const [error] = validateSync(filled(new FirehoseWsSubscribeDto(), { command: 'subscribe', streams: ['ok', 'bad\u0007'] }));
    expect(error.constraints).toEqual({ isFirehoseStreamName: 'Invalid stream name "bad\\u0007": it contains control characters.' });
  });

  it('checks the SSE query: streams once split, an optional cursor of digits', () => {
    expect(failed(filled(new FirehoseSseQueryDto(), { streams: ['a', 'b'], last_event_id: '7' }))).toEqual([]);
    expect(failed(filled(new FirehoseSseQueryDto(), { streams: [], last_event_id: '1.5' }))).toEqual([
      ['streams', ['arrayNotEmpty']],
      ['last_event_id', ['isFirehoseCursor']],
    ]);
  });

  it('lends its constraints to DTOs of your own', () => {
    class WatchDto {
      @IsFirehoseStreamName({ each: true })
      streams!: string[];

      @IsFirehoseCursor()
      after!: unknown;
    }
    expect(failed(filled(new WatchDto(), { streams: ['a'], after: 3 }))).toEqual([]);
    expect(failed(filled(new WatchDto(), { streams: [''], after: 'x' }))).toEqual([
      ['streams', ['isFirehoseStreamName']],
      ['after', ['isFirehoseCursor']],
    ]);
  });

  it('is not fooled by a "__proto__" key in a frame', () => {
    const command = parseWsCommand('{"command":"subscribe","streams":["a"],"__proto__":{"streams":[1]}}');
    expect(command).toEqual({ command: 'subscribe', streams: ['a'], lastEventId: undefined });
  });
});

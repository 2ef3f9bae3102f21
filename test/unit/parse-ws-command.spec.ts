import { parseWsCommand } from '../../lib/transports/ws/parse-ws-command.js';
import { WsProtocolError } from '../../lib/transports/ws/ws-protocol-error.js';
import { thrown } from '../utils/thrown.js';

describe('parseWsCommand', () => {
  it('reads a subscribe, with or without last_event_id, and removes duplicate names', () => {
    expect(parseWsCommand('{"command":"subscribe","streams":["a","b","a"],"last_event_id":123}')).toEqual({
      command: 'subscribe',
      streams: ['a', 'b'],
      lastEventId: 123,
    });
    expect(parseWsCommand('{"command":"subscribe","streams":["a"]}')).toEqual({
      command: 'subscribe',
      streams: ['a'],
      lastEventId: undefined,
    });
    expect(parseWsCommand('{"command":"subscribe","streams":["a"],"last_event_id":null}').command).toBe('subscribe');
    expect(parseWsCommand('{"command":"subscribe","streams":["a"],"last_event_id":"42"}')).toMatchObject({ lastEventId: 42 });
  });

  it('reads an unsubscribe', () => {
    expect(parseWsCommand('{"command":"unsubscribe","streams":["a"]}')).toEqual({ command: 'unsubscribe', streams: ['a'] });
  });

  it.each([
    ['nope', 'invalid-json'],
    ['"subscribe"', 'invalid-json'],
    ['null', 'invalid-json'],
    ['{"event":"subscribe","data":{}}', 'unknown-command'],
    ['{"command":"subscribe","streams":"a"}', 'invalid-command'],
    ['{"command":"unsubscribe","streams":[]}', 'invalid-command'],
    ['{"command":"subscribe","streams":[1]}', 'invalid-stream'],
    ['{"command":"subscribe","streams":["a"],"last_event_id":1.5}', 'invalid-command'],
    ['{"command":"subscribe","streams":["a"],"last_event_id":"-3"}', 'invalid-command'],
    ['{"command":"subscribe","streams":["a"],"last_event_id":1e300}', 'invalid-command'],
  ])('refuses %s with %s', (text, code) => {
    const error = thrown(() => parseWsCommand(text));
    expect(error).toBeInstanceOf(WsProtocolError);
    expect((error as WsProtocolError).code).toBe(code);
  });

  it('answers Nest\'s {"event":…} frames as unknown commands, saying what to send instead', () => {
    const error = thrown(() => parseWsCommand('{"event":"subscribe","data":{"streams":["a"]}}')) as WsProtocolError;
    expect(error.code).toBe('unknown-command');
    expect(error.message).toMatch(/^Nest's \{"event":…\} frames are not Firehose commands; send \{"command":"subscribe"/);
  });
});

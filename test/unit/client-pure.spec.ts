import { reconnectDelay } from '../../lib/client/reconnect-delay.js';
import { isValidStreamName, parseStreams } from '../../lib/protocol/stream-name.js';
import { assertValidStreamName } from '../../lib/publish/stream-name.js';
import { websocketUrl } from '../../lib/client/websocket-url.js';

// The browser client's DOM-free parts; the rest runs in headless Chromium (test/browser).
describe('browser client helpers', () => {
  const policy = { reconnectDelay: 500, maxReconnectDelay: 30_000 };

  it('doubles the reconnect delay per attempt up to the cap, jittered within its upper half', () => {
    expect([1, 2, 3, 4].map((attempt) => reconnectDelay(attempt, policy, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3].map((attempt) => reconnectDelay(attempt, policy, () => 0))).toEqual([250, 500, 1000]);
    expect(reconnectDelay(50, policy, () => 1)).toBe(30_000);
    expect(reconnectDelay(50, policy, () => 0)).toBe(15_000);
  });

  it('reads a streams attribute: commas, blanks around names, empties and duplicates', () => {
    expect(parseStreams('dashboard,user:42')).toEqual(['dashboard', 'user:42']);
    expect(parseStreams(' a , b,,a ')).toEqual(['a', 'b']);
    expect(parseStreams(['x', 'x', ' y '])).toEqual(['x', 'y']);
    expect(parseStreams(null)).toEqual([]);
    expect(parseStreams('')).toEqual([]);
  });

  it('turns a path into the WebSocket URL of the page it is on', () => {
    expect(websocketUrl('/firehose', 'http://app.example/board?x=1')).toBe('ws://app.example/firehose');
    expect(websocketUrl('/firehose', 'https://app.example/')).toBe('wss://app.example/firehose');
    expect(websocketUrl('https://other.example/fh', 'http://app.example/')).toBe('wss://other.example/fh');
    expect(websocketUrl('ws://127.0.0.1:9/x', 'http://app.example/')).toBe('ws://127.0.0.1:9/x');
  });

  it("checks stream names by the server's rules", () => {
    const names = [
      'dashboard',
      'Comment:42',
      'é'.repeat(127),
      'é'.repeat(128),
      '',
      'a\u0000',
      'tab\t',
      'c1\u0085',
      'del\u007f',
      '\ud83d\ude00',
      '\ud83d',
      'x\ude00',
      'x'.repeat(255),
      'x'.repeat(256),
    ];
    const server = (name: string) => {
      try {
        assertValidStreamName(name);
        return true;
      } catch {
        return false;
      }
    };
    expect(names.map(isValidStreamName)).toEqual(names.map(server));
    expect(names.filter(isValidStreamName)).toEqual(['dashboard', 'Comment:42', 'é'.repeat(127), '\ud83d\ude00', 'x'.repeat(255)]);
  });
});

import { resolveFirehoseOptions, validateFirehoseExtras } from '../../lib/firehose-options.js';
import { FirehoseConfigurationError } from '../../lib/errors/firehose-configuration.error.js';
import type { FirehoseModuleOptions } from '../../lib/interfaces/firehose-module-options.interface.js';
import { thrown } from '../utils/thrown.js';

describe('resolveFirehoseOptions', () => {
  const defaults = {
    databaseUrl: undefined,
    notifyChannel: 'firehose',
    cleanupThreshold: 100,
    cleanupInterval: 1000,
    reconnectAttempts: 5,
    reconnectDelay: 1000,
    notifyMaxBytes: 7999,
    maxPayloadBytes: 1_048_576,
    batchSize: 500,
    replayBatchSize: 1000,
    heartbeatInterval: 10_000,
    heartbeatTimeout: 5_000,
    migrationsRun: false,
    queueBufferSize: 10_000,
    sseHeartbeatInterval: 15_000,
    sseRetry: 3_000,
    sseMaxPendingBytes: 4 * 1024 * 1024,
    maxStreamsPerConnection: 100,
    wsMaxBufferedBytes: 1_048_576,
    wsHeartbeatInterval: 30_000,
    maxConnections: Number.POSITIVE_INFINITY,
    sseCompression: false,
  };

  it('applies every default when called without options', () => {
    expect(resolveFirehoseOptions()).toEqual(defaults);
  });

  it('applies every default to an empty object, and to explicit undefined values', () => {
    expect(resolveFirehoseOptions({})).toEqual(defaults);
    expect(resolveFirehoseOptions({ notifyChannel: undefined, cleanupThreshold: undefined, migrationsRun: undefined })).toEqual(defaults);
  });

  it('keeps every given value', () => {
    const given: Required<FirehoseModuleOptions> = {
      databaseUrl: 'postgres://u@h:5432/d',
      notifyChannel: 'events_2',
      cleanupThreshold: 1,
      cleanupInterval: 2,
      reconnectAttempts: 3,
      reconnectDelay: 4,
      notifyMaxBytes: 7999,
      maxPayloadBytes: 6,
      batchSize: 7,
      replayBatchSize: 8,
      heartbeatInterval: 9,
      heartbeatTimeout: 10,
      migrationsRun: true,
      queueBufferSize: 11,
      sseHeartbeatInterval: 12,
      sseRetry: 13,
      sseMaxPendingBytes: 17,
      maxStreamsPerConnection: 14,
      wsMaxBufferedBytes: 15,
      wsHeartbeatInterval: 16,
      maxConnections: 18,
      sseCompression: true,
    };
    expect(resolveFirehoseOptions(given)).toEqual(given);
  });

  it('does not modify its input', () => {
    const input: FirehoseModuleOptions = { notifyChannel: 'mine' };
    resolveFirehoseOptions(input);
    expect(input).toEqual({ notifyChannel: 'mine' });
  });

  describe('notifyChannel', () => {
    it.each(['_x', 'a', 'firehose_2', 'a'.repeat(51)])('accepts %p', (channel) => {
      expect(resolveFirehoseOptions({ notifyChannel: channel }).notifyChannel).toBe(channel);
    });

    it.each(['Bad-Name', 'Firehose', '', '2fast', 'with space', 'dash-ed', 'a'.repeat(52), 'é', 'x;DROP'])('rejects %p', (channel) => {
      const error = thrown(() => resolveFirehoseOptions({ notifyChannel: channel }));
      expect(error).toBeInstanceOf(FirehoseConfigurationError);
      expect(error.name).toBe('FirehoseConfigurationError');
      expect(error.message).toBe(
        `Invalid Firehose configuration: notifyChannel "${channel}" is not a lower-case SQL identifier of at most 51 characters; use letters, digits and underscores, e.g. "firehose".`,
      );
    });
  });

  describe('positive integer options', () => {
    const keys = [
      'cleanupThreshold',
      'cleanupInterval',
      'reconnectAttempts',
      'reconnectDelay',
      'notifyMaxBytes',
      'maxPayloadBytes',
      'batchSize',
      'replayBatchSize',
      'heartbeatInterval',
      'heartbeatTimeout',
      'queueBufferSize',
    ] as const;
    const bad: unknown[] = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', true];

    it.each(keys.flatMap((key) => bad.map((value) => [key, value] as const)))('rejects %s = %p', (key, value) => {
      const error = thrown(() => resolveFirehoseOptions({ [key]: value } as FirehoseModuleOptions));
      expect(error).toBeInstanceOf(FirehoseConfigurationError);
      expect(error.message).toBe(`Invalid Firehose configuration: ${key} must be a positive integer, got ${String(value)}.`);
    });

    it.each(keys)('treats %s = null like an omitted option (the default)', (key) => {
      expect(resolveFirehoseOptions({ [key]: null } as unknown as FirehoseModuleOptions)[key]).toBe(defaults[key]);
    });

    it.each(keys)('accepts %s = 1', (key) => {
      expect(resolveFirehoseOptions({ [key]: 1 })[key]).toBe(1);
    });
  });

  describe('maxConnections', () => {
    it.each([0, -1, 1.5, Number.NaN, '10'])('rejects %p', (maxConnections) => {
      const error = thrown(() => resolveFirehoseOptions({ maxConnections } as FirehoseModuleOptions));
      expect(error.message).toBe(
        `Invalid Firehose configuration: maxConnections must be a positive integer (or unset for no cap), got ${String(maxConnections)}.`,
      );
    });

    it('is unlimited when unset', () => {
      expect(resolveFirehoseOptions({}).maxConnections).toBe(Number.POSITIVE_INFINITY);
    });
  });

  describe('notifyMaxBytes', () => {
    it('accepts 7999, the largest payload PostgreSQL takes', () => {
      expect(resolveFirehoseOptions({ notifyMaxBytes: 7999 }).notifyMaxBytes).toBe(7999);
    });

    it.each([8000, 9000])('rejects %p, over the NOTIFY limit', (notifyMaxBytes) => {
      const error = thrown(() => resolveFirehoseOptions({ notifyMaxBytes }));
      expect(error).toBeInstanceOf(FirehoseConfigurationError);
      expect(error.message).toBe(
        `Invalid Firehose configuration: notifyMaxBytes ${notifyMaxBytes} exceeds PostgreSQL's NOTIFY limit; use at most 7999.`,
      );
    });
  });
});

describe('validateFirehoseExtras', () => {
  class SomeGuard {}

  it('applies the defaults', () => {
    expect(validateFirehoseExtras({})).toEqual({
      path: '/firehose',
      guards: [],
      maxFrameBytes: 65_536,
      allowedOrigins: undefined,
      authorizer: undefined,
      serveClient: true,
    });
  });

  it('keeps given values', () => {
    const given = {
      path: '/live',
      guards: [SomeGuard as never],
      maxFrameBytes: 20,
      allowedOrigins: ['https://a.example'],
      serveClient: false,
    };
    expect(validateFirehoseExtras(given)).toEqual({
      path: '/live',
      guards: [SomeGuard],
      maxFrameBytes: 20,
      allowedOrigins: ['https://a.example'],
      authorizer: undefined,
      serveClient: false,
    });
  });

  it.each([
    [{ path: 'firehose' }, /path "firehose" must be a URL path starting with "\/"/],
    [{ path: '/a b' }, /path/],
    [{ guards: [42] }, /guards must be an array of guard classes/],
    [{ authorizer: {} }, /authorizer must be a class implementing FirehoseAuthorizer/],
    [{ maxFrameBytes: 1.5 }, /maxFrameBytes must be a positive integer, got 1.5/],
    [{ allowedOrigins: 'https://a.example' }, /allowedOrigins must be an array of origins/],
    [{ serveClient: 'no' }, /serveClient must be true or false, got "no"/],
  ])('rejects %p', (extras, message) => {
    const error = thrown(() => validateFirehoseExtras(extras as never));
    expect(error).toBeInstanceOf(FirehoseConfigurationError);
    expect(error.message).toMatch(message);
  });
});

import { createHmac, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { NotifySignature } from '../../lib/listener/notify-signature.js';
import { RateLimitedWarning } from '../../lib/listener/rate-limited-warning.js';
import { NOTIFY_SIGNATURE_CHARS } from '../../lib/protocol/notify-payload.js';
import { NotificationReplayGuard } from '../../lib/listener/notification-replay-guard.js';

describe('listener/notify-signature', () => {
  const key = randomBytes(32);
  const signature = new NotifySignature(key);

  it('puts 16 bytes of HMAC-SHA256 of "<channel>:<payload>" in front of the payload, as unpadded base64', () => {
    const payload = '[{"id":1,"stream":"ü","sequence":1,"channel_id":1,"data":"€"}]';
    const signed = signature.sign('firehose', payload);
    const mac = createHmac('sha256', key)
      .update(Buffer.from(`firehose:${payload}`, 'utf8'))
      .digest()
      .subarray(0, 16);
    expect(signed.slice(0, NOTIFY_SIGNATURE_CHARS)).toBe(mac.toString('base64').replace(/=+$/, ''));
    expect(signed.slice(NOTIFY_SIGNATURE_CHARS)).toBe(payload);
    expect(signature.verify('firehose', signed)).toBe(payload);
  });

  it('refuses another key, another channel, a changed payload or signature, and what is too short', () => {
    const signed = signature.sign('firehose', '[1]');
    expect(new NotifySignature(randomBytes(32)).verify('firehose', signed)).toBeUndefined();
    expect(signature.verify('firehose_queue', signed)).toBeUndefined();
    expect(signature.verify('firehose', `${signed.slice(0, -2)}2]`)).toBeUndefined();
    const flipped = (signed[0] === 'A' ? 'B' : 'A') + signed.slice(1);
    expect(signature.verify('firehose', flipped)).toBeUndefined();
    // A character whose low byte matches is not the character.
    const wide = String.fromCharCode(signed.charCodeAt(0) + 0x100) + signed.slice(1);
    expect(signature.verify('firehose', wide)).toBeUndefined();
    expect(signature.verify('firehose', signed.slice(0, NOTIFY_SIGNATURE_CHARS - 1))).toBeUndefined();
    expect(signature.verify('firehose', '')).toBeUndefined();
  });
});

describe('listener/rate-limited-warning', () => {
  it('logs the first occurrence at once, then one line with the count per interval', async () => {
    const lines: string[] = [];
    const logger = { warn: (line: string) => lines.push(line) } as unknown as Logger;
    const warning = new RateLimitedWarning(logger, (n) => `dropped ${n}`, 50);
    for (let i = 0; i < 5; i++) warning.occurred();
    expect(lines).toEqual(['dropped 1']);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(lines).toEqual(['dropped 1', 'dropped 4']);
    warning.occurred();
    expect(lines).toHaveLength(2);
    warning.close();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(lines).toHaveLength(2);
  });
});

describe('listener/notification-replay-guard', () => {
  let now = 1_000_000;
  const guard = () => new NotificationReplayGuard(60_000, () => now);

  it('admits each number of a sender once, in any order within the window', () => {
    const g = guard();
    expect([3, 1, 2].map((n) => g.admit('a', n, now))).toEqual(['fresh', 'fresh', 'fresh']);
    expect([1, 2, 3].map((n) => g.admit('a', n, now))).toEqual(['replayed', 'replayed', 'replayed']);
    expect(g.admit('b', 1, now)).toBe('fresh');
    expect(g.admit('a', 0, now)).toBe('replayed');
  });

  it('refuses numbers too far behind the newest to tell, and send times far from now', () => {
    const g = guard();
    expect(g.admit('a', 5000, now)).toBe('fresh');
    expect(g.admit('a', 5000 - 1024, now)).toBe('replayed');
    expect(g.admit('a', 5000 - 1023, now)).toBe('fresh');
    expect(g.admit('a', 5001, now - 60_001)).toBe('stale');
    expect(g.admit('a', 5001, now + 60_001)).toBe('stale');
    expect(g.admit('a', 5001, now - 60_000)).toBe('fresh');
  });

  it('forgets silent senders only once their numbers would be refused by age anyway', () => {
    const g = guard();
    expect(g.admit('a', 1, now)).toBe('fresh');
    now += 3 * 60_000 + 1;
    expect(g.admit('b', 1, now)).toBe('fresh');
    expect(g.admit('a', 1, now - 3 * 60_000 - 1)).toBe('stale');
    expect(g.admit('a', 2, now)).toBe('fresh');
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import { NOTIFY_SIGNATURE_CHARS } from '../protocol/notify-payload.js';

/**
 * Signs and checks NOTIFY payloads with the key of the `firehose_notify_key` table, exactly as
 * firehose_append does in SQL (migrations/core/1732350000000-sign-firehose-notifications.ts):
 * HMAC-SHA256 of `<channel>:<payload>` (UTF-8), its first 16 bytes in unpadded base64, in front of
 * the payload.
 *
 * Why a MAC, when every notification also names the backend that sent it (`processId`): a pid says
 * nothing by itself, finding its role takes a query per notification, and by the time that query
 * runs the backend may have exited and its pid gone to another session. A MAC is checked where the
 * payload arrives, with nothing else to ask, and only a role that can read the key can make one.
 */
export class NotifySignature {
  constructor(private readonly key: Buffer) {}

  /** The payload to NOTIFY on `channel`: its signature, then `payload`. */
  sign(channel: string, payload: string): string {
    return this.mac(channel, payload) + payload;
  }

  /** The payload without its signature, or undefined when the signature does not match. */
  verify(channel: string, signed: string): string | undefined {
    if (signed.length < NOTIFY_SIGNATURE_CHARS) return undefined;
    const payload = signed.slice(NOTIFY_SIGNATURE_CHARS);
    const expected = Buffer.from(this.mac(channel, payload), 'latin1');
    // Byte for byte as received: a character outside latin1 makes the lengths differ, never a match.
    const given = Buffer.from(signed.slice(0, NOTIFY_SIGNATURE_CHARS), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected) ? payload : undefined;
  }

  private mac(channel: string, payload: string): string {
    const digest = createHmac('sha256', this.key).update(`${channel}:`).update(payload).digest();
    return digest.toString('base64', 0, 16).slice(0, NOTIFY_SIGNATURE_CHARS);
  }
}

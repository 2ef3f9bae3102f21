import { HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { UpgradeRefusal } from '../../platform/ws-verify-client.js';
import type { ConnectionSlots } from '../connection/connection-slots.js';

type UpgradeCheck = (request: IncomingMessage, origin: string | undefined) => Promise<UpgradeRefusal | undefined>;

/**
 * Takes a connection slot before `check` runs, so a flood of upgrades beyond `maxConnections`
 * (or any upgrade while the app drains) costs no guard and no authorizer: 503 and `Retry-After`.
 */
export function withConnectionSlot(slots: ConnectionSlots, check: UpgradeCheck): UpgradeCheck {
  return (request, origin) => {
    if (!slots.take()) {
      const { message, headers } = slots.refusal;
      return Promise.resolve({ status: HttpStatus.SERVICE_UNAVAILABLE, message, headers: { ...headers } });
    }
    // The socket closes when the upgrade is refused and when the WebSocket ends: one release for both.
    request.socket.once('close', () => slots.release());
    return check(request, origin);
  };
}

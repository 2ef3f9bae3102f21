import { HttpStatus } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { UpgradeRefusal } from '../../platform/ws-verify-client.js';
import { CONNECTION_CAP_HEADERS, CONNECTION_CAP_MESSAGE, type ConnectionSlots } from '../connection/connection-slots.js';

type UpgradeCheck = (request: IncomingMessage, origin: string | undefined) => Promise<UpgradeRefusal | undefined>;

/**
 * Takes a connection slot before `check` runs, so a flood of upgrades beyond `maxConnections`
 * costs no guard and no authorizer; refused with 503 and `Retry-After` when none is left.
 */
export function withConnectionSlot(slots: ConnectionSlots, check: UpgradeCheck): UpgradeCheck {
  return (request, origin) => {
    if (!slots.take()) {
      return Promise.resolve({
        status: HttpStatus.SERVICE_UNAVAILABLE,
        message: CONNECTION_CAP_MESSAGE,
        headers: { ...CONNECTION_CAP_HEADERS },
      });
    }
    // The socket closes when the upgrade is refused and when the WebSocket ends: one release for both.
    request.socket.once('close', () => slots.release());
    return check(request, origin);
  };
}

import { ServiceUnavailableException } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { ConnectionRefusal } from '../connection/connection-slots.js';

/** `503` with `Retry-After`, as the WebSocket upgrade answers when no connection slot is given. */
export function refuseForCapacity(response: ServerResponse, refusal: ConnectionRefusal): never {
  for (const [name, value] of Object.entries(refusal.headers)) response.setHeader(name, value);
  throw new ServiceUnavailableException(refusal.message);
}

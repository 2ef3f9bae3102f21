import { ServiceUnavailableException } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { CONNECTION_CAP_HEADERS, CONNECTION_CAP_MESSAGE } from '../connection/connection-slots.js';

/** `503` with `Retry-After`, as the WebSocket upgrade answers when every connection slot is taken. */
export function refuseForCapacity(response: ServerResponse): never {
  for (const [name, value] of Object.entries(CONNECTION_CAP_HEADERS)) response.setHeader(name, value);
  throw new ServiceUnavailableException(CONNECTION_CAP_MESSAGE);
}

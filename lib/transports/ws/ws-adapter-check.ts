import { Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { FirehoseWsAdapterMissingError } from '../../errors/ws-adapter-missing.error.js';
import { checkAdapterAtFirstLookup } from '../../platform/nest-ws-adapter-lookup.js';

/**
 * Fails the boot of an app that forgot `app.useWebSocketAdapter(new WsAdapter(app))`, saying so,
 * instead of Nest's advice to install socket.io. The adapter is set after the providers exist, so
 * the check waits for the moment Nest looks it up.
 */
@Injectable()
export class WsAdapterCheck {
  constructor(config: ApplicationConfig) {
    checkAdapterAtFirstLookup(config, (adapter) => {
      if (adapter === undefined || adapter === null) throw new FirehoseWsAdapterMissingError();
    });
  }
}

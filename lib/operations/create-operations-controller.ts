import { Controller, Get, Header, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import type { FirehoseOperationsReport } from './firehose-operations-report.interface.js';
import { FirehoseOperationsController } from './firehose-operations.controller.js';
import { FirehoseOperationsService } from './firehose-operations.service.js';

export interface OperationsRouteOptions {
  path: string;
  guards: Type<CanActivate>[];
}

/**
 * A route path cannot come from DI, so each registration gets a subclass decorated with its own
 * path and guards. The app's global guards run first, as on every route.
 */
export function createOperationsController(options: OperationsRouteOptions): Type<FirehoseOperationsController> {
  @Controller(options.path)
  @UseGuards(...options.guards)
  class ConfiguredOperationsController extends FirehoseOperationsController {
    constructor(operations: FirehoseOperationsService) {
      super(operations);
    }

    @Get()
    @Header('Cache-Control', 'no-store')
    override report(): FirehoseOperationsReport {
      return super.report();
    }
  }
  // A stable name for Nest's route logs, whatever the registration.
  Object.defineProperty(ConfiguredOperationsController, 'name', { value: 'FirehoseOperationsController' });
  return ConfiguredOperationsController;
}

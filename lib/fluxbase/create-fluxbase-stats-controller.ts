import { Controller, Get, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import type { FluxbaseRealtimeStats } from './fluxbase-stats.js';
import { FluxbaseStatsController } from './fluxbase-stats.controller.js';

/**
 * A route path cannot come from DI, so each registration gets a subclass with its own path and
 * guards; global guards (`APP_GUARD`) run before them, as on any route.
 */
export function createFluxbaseStatsController(options: { statsPath: string; guards: Type<CanActivate>[] }): Type<FluxbaseStatsController> {
  @Controller(options.statsPath)
  @UseGuards(...options.guards)
  class ConfiguredFluxbaseStatsController extends FluxbaseStatsController {
    @Get()
    override stats(): FluxbaseRealtimeStats {
      return super.stats();
    }
  }
  Object.defineProperty(ConfiguredFluxbaseStatsController, 'name', { value: 'FluxbaseStatsController' });
  return ConfiguredFluxbaseStatsController;
}

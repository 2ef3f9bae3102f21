import { Inject } from '@nestjs/common';
import { FluxbaseStats, type FluxbaseRealtimeStats } from './fluxbase-stats.js';

/** `GET {statsPath}`: Fluxbase's stats route. Routed and guarded per registration (createFluxbaseStatsController). */
export class FluxbaseStatsController {
  constructor(@Inject(FluxbaseStats) private readonly counts: FluxbaseStats) {}

  stats(): FluxbaseRealtimeStats {
    return this.counts.snapshot();
  }
}

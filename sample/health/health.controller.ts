import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { FirehoseService, type FirehoseHealth } from '../../lib/index.js';

@Controller('health')
export class HealthController {
  constructor(private readonly firehose: FirehoseService) {}

  /** GET /health: 200 while the LISTEN connection is up, 503 (same body) while it reconnects. */
  @Get()
  health(): FirehoseHealth {
    const health = this.firehose.health();
    if (health.listener !== 'connected') throw new ServiceUnavailableException(health);
    return health;
  }
}

import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { FirehoseFluxbaseModule } from '../../lib/index.js';
import { JwtQueryGuard } from './jwt-query.guard.js';
import { RealtimeTokenController } from './realtime-token.controller.js';
import { FluxbaseReactPageController } from './fluxbase-react-page.controller.js';

/** A demo secret: set JWT_SECRET in any deployment. */
const SAMPLE_JWT_SECRET = 'sample-secret-change-me';

/**
 * Fluxbase's realtime endpoint: `ws://localhost:3000/realtime?token=…` and
 * `GET /api/realtime/stats`, with the JWT guard. JwtModule is global because the endpoint
 * instantiates its guards inside FirehoseFluxbaseModule, where JwtService must be visible.
 */
@Module({
  imports: [
    JwtModule.register({ global: true, secret: process.env.JWT_SECRET || SAMPLE_JWT_SECRET }),
    FirehoseFluxbaseModule.forRoot({ guards: [JwtQueryGuard] }),
  ],
  // GET /realtime-example/: Fluxbase's React example, its useRealtime hook as printed, on the products table.
  controllers: [RealtimeTokenController, FluxbaseReactPageController],
})
export class RealtimeModule {}

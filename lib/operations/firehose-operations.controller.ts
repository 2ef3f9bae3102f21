import { ServiceUnavailableException } from '@nestjs/common';
import type { FirehoseOperationsReport } from './firehose-operations-report.interface.js';
import type { FirehoseOperationsService } from './firehose-operations.service.js';

/**
 * `GET {path}`: the process's status and figures as JSON. This base class has no route
 * decorators: the path and guards come from the module's options, so each registration gets its
 * own decorated subclass (createOperationsController).
 */
export class FirehoseOperationsController {
  constructor(private readonly operations: FirehoseOperationsService) {}

  report(): FirehoseOperationsReport {
    const report = this.operations.report();
    // The same body with 503: a load balancer takes the instance out, a person still sees why.
    if (report.status === 'unhealthy' || report.status === 'draining') throw new ServiceUnavailableException(report);
    return report;
  }
}

import { Controller, Get } from '@nestjs/common';
import { PublicRoute } from '../auth/requires-scope.js';

/** Liveness: answers as long as the process serves HTTP. Readiness (`/readyz`) checks storage. */
@Controller()
@PublicRoute()
export class HealthController {
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

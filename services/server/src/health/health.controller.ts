import { Controller, Get } from '@nestjs/common';

/** Liveness: answers as long as the process serves HTTP. Readiness (`/readyz`) checks storage. */
@Controller()
export class HealthController {
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

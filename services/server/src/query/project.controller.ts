import { Controller, Get, Inject } from '@nestjs/common';
import { RequiresScope } from '../auth/requires-scope.js';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ProjectId } from '../http/project-request.js';
import type { ProjectResponse } from './response-schemas.js';

/**
 * What a client needs to read the other answers right: which project the key belongs to and the
 * time zone that days, weeks and months are cut in (`COSTSCOPE_TIMEZONE`). The dashboard turns
 * "today" and "this month" into instants with it before it asks for costs.
 */
@Controller('api/v1/project')
@RequiresScope('read')
export class ProjectController {
  constructor(@Inject(SERVER_CONFIG) private readonly config: ServerConfig) {}

  @Get()
  project(@ProjectId() projectId: string): ProjectResponse {
    return { projectId, timezone: this.config.timezone, retentionDays: this.config.storage.retentionDays };
  }
}

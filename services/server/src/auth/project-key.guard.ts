import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ProjectRequest } from '../http/project-request.js';
import { bearerKey } from './api-key.js';
import { ProjectKeyResolver } from './project-key-resolver.js';

/** Every `/api` and `/v1` route: `Authorization: Bearer <project key>`; the key picks the project. */
@Injectable()
export class ProjectKeyGuard implements CanActivate {
  constructor(@Inject(ProjectKeyResolver) private readonly resolver: ProjectKeyResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ProjectRequest>();
    const key = bearerKey(request.headers.authorization);
    if (!key) throw new UnauthorizedException('Authorization: Bearer <project API key> is required');
    const project = await this.resolver.resolve(key);
    if (!project) throw new UnauthorizedException('The API key is unknown or revoked');
    request.costscopeProject = project;
    return true;
  }
}

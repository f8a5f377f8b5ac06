import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedProject } from '../auth/project-key-resolver.js';

/** A request that passed `ProjectKeyGuard`: it carries the project its key belongs to. */
export type ProjectRequest = Request & { costscopeProject?: AuthenticatedProject };

/** The authenticated project's id, for handlers behind `ProjectKeyGuard`. */
export const ProjectId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const project = context.switchToHttp().getRequest<ProjectRequest>().costscopeProject;
  // The guard runs first; reaching here without a project is a wiring bug, not a client error.
  if (!project) throw new Error('ProjectId used on a route without ProjectKeyGuard');
  return project.projectId;
});

import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedProject } from '../auth/project-key-resolver.js';

/** A request that passed `ProjectKeyGuard`: it carries the project, key id and scope of its key. */
export type ProjectRequest = Request & { costscopeProject?: AuthenticatedProject };

/** The authenticated project's id, for handlers of routes that declare `@RequiresScope(...)`. */
export const ProjectId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const project = context.switchToHttp().getRequest<ProjectRequest>().costscopeProject;
  // The guard runs first; reaching here without a project is a wiring bug, not a client error.
  if (!project) throw new Error('ProjectId used on a route without @RequiresScope (a public route has no project)');
  return project.projectId;
});

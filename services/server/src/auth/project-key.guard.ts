import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { ProjectRequest } from '../http/project-request.js';
import { bearerKey } from './api-key.js';
import { ApiRateLimiter } from './api-rate-limiter.js';
import { FailedAuthThrottle } from './failed-auth-throttle.js';
import { scopeAllows } from './key-scope.js';
import { ProjectKeyResolver } from './project-key-resolver.js';
import { REQUIRED_SCOPE, type RouteAccess } from './requires-scope.js';

/**
 * Runs before every route of the app (registered as the global guard). Each route declares what
 * it needs with `@RequiresScope(...)` or `@PublicRoute()`; a route that declares nothing is
 * refused with 403 here (and the start already failed, `assertEveryRouteDeclaresScope`), so a
 * forgotten decorator can never open a route.
 *
 * Order: an address that keeps failing is slowed down first (429), then the key is checked
 * (401 missing, unknown or revoked), then its scope (403), then, on the JSON API, the key's rate
 * limit (429). Another project's key authenticates to its own project only: handlers read the
 * project from the key, never from the request.
 */
@Injectable()
export class ProjectKeyGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ProjectKeyResolver) private readonly resolver: ProjectKeyResolver,
    @Inject(FailedAuthThrottle) private readonly throttle: FailedAuthThrottle,
    @Inject(ApiRateLimiter) private readonly rateLimiter: ApiRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<RouteAccess | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (required === 'public') return true;
    const request = context.switchToHttp().getRequest<ProjectRequest>();
    if (required === undefined) throw new ForbiddenException('This route declares no key scope, so no key may use it');
    // A controller that still names this guard in @UseGuards runs it twice: count the request once.
    if (request.costscopeProject) return true;

    // The peer's own address: X-Forwarded-For is the client's to write (no proxy is trusted).
    const address = request.socket.remoteAddress ?? 'unknown';
    const key = bearerKey(request.headers.authorization);
    const waitSeconds = this.throttle.retryAfterSeconds(address);
    if (waitSeconds > 0 && !(key && this.resolver.cachedProject(key))) {
      throw tooManyRequests(context, waitSeconds, 'Too many requests with a wrong key from this address');
    }
    if (!key) {
      this.throttle.recordFailure(address);
      throw new UnauthorizedException('Authorization: Bearer <project API key> is required');
    }
    const project = await this.resolver.resolve(key);
    if (!project) {
      this.throttle.recordFailure(address);
      throw new UnauthorizedException('The API key is unknown or revoked');
    }
    if (!scopeAllows(project.scope, required)) {
      throw new ForbiddenException(`This key has the ${project.scope} scope; ${request.method} ${request.path} needs a key with the ${required} scope or above`);
    }
    if (request.path.startsWith('/api/')) {
      const retryAfter = this.rateLimiter.take(project.keyId);
      if (retryAfter > 0) throw tooManyRequests(context, retryAfter, 'This key is over its API rate limit');
    }
    request.costscopeProject = project;
    return true;
  }
}

function tooManyRequests(context: ExecutionContext, retryAfterSeconds: number, reason: string): HttpException {
  context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterSeconds));
  return new HttpException(
    { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: `${reason}; retry after ${retryAfterSeconds} s` },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

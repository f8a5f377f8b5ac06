import { SetMetadata } from '@nestjs/common';
import type { KeyScope } from './key-scope.js';

export const REQUIRED_SCOPE = 'costscope:required-scope';

/** What a route needs: a project key of at least this scope, or `public` for no key at all. */
export type RouteAccess = KeyScope | 'public';

/**
 * Declares the scope a route needs, on a controller (its every route) or on one handler (which
 * overrides the controller's). Every route must declare one: `ProjectKeyGuard` refuses routes
 * without, and the start fails listing them (`assertEveryRouteDeclaresScope`).
 */
export const RequiresScope = (scope: KeyScope) => SetMetadata(REQUIRED_SCOPE, scope satisfies RouteAccess);

/** A route anyone may call without a key: probes, metrics, the API description. */
export const PublicRoute = () => SetMetadata(REQUIRED_SCOPE, 'public' satisfies RouteAccess);

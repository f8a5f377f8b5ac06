import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { REQUIRED_SCOPE, type RouteAccess } from './requires-scope.js';

export type DeclaredRoute = { controller: string; handler: string; access: RouteAccess | undefined };

/** Every route handler of the app's controllers, with the scope it declares (if any). */
export function declaredRoutes(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
    const prototype = controller?.prototype as Record<string, unknown> | undefined;
    if (!controller || !prototype) continue;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      const access = reflector.getAllAndOverride<RouteAccess | undefined>(REQUIRED_SCOPE, [handler, controller]);
      routes.push({ controller: controller.name, handler: name, access });
    }
  }
  return routes;
}

/**
 * Fails the start when a route declares no scope. The guard would refuse such a route with
 * 403 anyway (fail closed); failing the start makes the mistake impossible to ship unnoticed.
 */
@Injectable()
export class RouteScopeCheck implements OnModuleInit {
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const undeclared = declaredRoutes(this.discovery, this.scanner, this.reflector).filter((route) => route.access === undefined);
    if (undeclared.length > 0) {
      const names = undeclared.map((route) => `${route.controller}.${route.handler}`).join(', ');
      throw new Error(`Routes without @RequiresScope(...) or @PublicRoute(): ${names}. Declare what each route needs.`);
    }
  }
}

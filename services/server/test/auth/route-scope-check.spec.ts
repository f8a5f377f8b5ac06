import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { AuthModule } from '../../src/auth/auth.module.js';
import { KeysController } from '../../src/auth/keys.controller.js';
import { RequiresScope } from '../../src/auth/requires-scope.js';
import { RouteScopeCheck } from '../../src/auth/route-scope-check.js';
import { loadServerConfig } from '../../src/config/server-config.js';

@Controller('declared')
@RequiresScope('read')
class DeclaredController {
  @Get()
  list() {
    return [];
  }
}

@Controller('forgotten')
class ForgottenController {
  @Get()
  list() {
    return [];
  }
}

async function start(controllers: Array<new () => unknown>): Promise<void> {
  @Module({ imports: [DiscoveryModule], providers: [RouteScopeCheck], controllers })
  class AppUnderTest {}
  const app = await NestFactory.create(AppUnderTest, { logger: false, abortOnError: false });
  try {
    await app.init();
  } finally {
    await app.close();
  }
}

describe('a route that declares no scope', () => {
  it('fails the start, naming the route', async () => {
    await expect(start([DeclaredController, ForgottenController])).rejects.toThrow(
      'Routes without @RequiresScope(...) or @PublicRoute(): ForgottenController.list',
    );
  });

  it('does not stop a start where every route declares one', async () => {
    await expect(start([DeclaredController])).resolves.toBeUndefined();
  });
});

describe('the key routes', () => {
  it('are mounted by processes with the api role only', () => {
    const config = (roles: string) => loadServerConfig({ COSTSCOPE_ROLES: roles, COSTSCOPE_DATA_DIR: '/nonexistent' });
    expect(AuthModule.forRoot(config('ingest')).controllers).toEqual([]);
    expect(AuthModule.forRoot(config('ingest,scheduler')).controllers).toEqual([]);
    expect(AuthModule.forRoot(config('api')).controllers).toEqual([KeysController]);
  });
});

import 'reflect-metadata';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import { loadServerConfig, type ServerConfig } from './config/server-config.js';
import { HttpErrorFilter } from './http/http-error.filter.js';

const NEST_LOG_LEVELS: Record<ServerConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Builds the Nest application without listening, so tests and `main.ts` share one setup. */
export async function createApp(config: ServerConfig = loadServerConfig()): Promise<INestApplication> {
  // No global body parser: `/v1/traces` reads its raw (possibly gzipped) stream itself, with its
  // own size limit. Only the JSON API parses JSON bodies, and only small ones.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: NEST_LOG_LEVELS[config.logLevel],
  });
  // Security headers on every answer, errors and OTLP included. The server answers JSON and
  // protobuf only, so the strictest content policy costs nothing: nothing it serves may run
  // script, be framed or be sniffed into another type. Helmet also drops Express's X-Powered-By.
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      xFrameOptions: { action: 'deny' },
    }),
  );
  app.use('/api', json({ limit: '1mb' }));
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  return app;
}

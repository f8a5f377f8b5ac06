import { Controller, Get } from '@nestjs/common';
import { PublicRoute } from '../auth/requires-scope.js';
import { openApiDocument } from './openapi-document.js';

/** The OpenAPI description: public, so a person or a client generator can read it without a key. */
@Controller('api/docs')
@PublicRoute()
export class ApiDocsController {
  private readonly document = openApiDocument();

  @Get()
  docs(): Record<string, unknown> {
    return this.document;
  }
}

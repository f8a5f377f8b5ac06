import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CostQueryParamError } from '../query/cost-query-params.js';
import { CostscopeStorageError, STORAGE_UNAVAILABLE_KINDS } from '../storage/errors.js';
import { CostscopeBadRequestError } from './parse-body.js';


/**
 * One place that turns errors into answers: bad parameters are 400s naming the parameter, storage
 * being unreachable is a 503 (retry later), and anything unexpected is a 500 that is logged —
 * never an empty 200 that would look like "no cost".
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (error instanceof CostQueryParamError || error instanceof CostscopeBadRequestError) {
      response.status(400).json({ statusCode: 400, error: 'Bad Request', parameter: error.parameter, message: error.message });
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      response.status(error.getStatus()).json(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    if (CostscopeStorageError.isInstance(error) && error.kind === 'invalid') {
      response.status(400).json({ statusCode: 400, error: 'Bad Request', message: error.message });
      return;
    }
    if (CostscopeStorageError.isInstance(error) && error.kind === 'limit') {
      // The read needed more memory or groups than COSTSCOPE_QUERY_MAX_* allow: asking again will
      // not help, asking for less will. 503 rather than 4xx: the parameters were valid.
      this.logger.warn(error.message);
      response.setHeader('Retry-After', '60');
      response.status(503).json({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The query needs more memory or groups than this server allows; narrow the range or group by fewer dimensions',
      });
      return;
    }
    if (CostscopeStorageError.isInstance(error) && error.kind === 'cancelled') {
      // The client has gone: nobody reads this answer, and it is not a fault to log.
      response.status(503).json({ statusCode: 503, error: 'Service Unavailable', message: 'The request was cancelled' });
      return;
    }
    // Storage failures a retry may fix (down, slow, saturated); the others (bad SQL, schema drift) are our bugs: 500.
    if (CostscopeStorageError.isInstance(error) && STORAGE_UNAVAILABLE_KINDS.has(error.kind)) {
      this.logger.warn(error.message);
      response.setHeader('Retry-After', '5');
      response.status(503).json({ statusCode: 503, error: 'Service Unavailable', message: 'Storage is unavailable; retry shortly' });
      return;
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    response.status(500).json({ statusCode: 500, error: 'Internal Server Error' });
  }
}

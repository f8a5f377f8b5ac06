import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Observable } from 'rxjs';
import { ClientClosedRequestError, withQueryCancellation } from '../storage/query-cancellation.js';

/**
 * Ties the storage reads of an API request to its connection: when the client goes away before
 * the answer is sent (a closed tab, a dashboard navigation, a script's timeout), every read still
 * running for it is aborted — and on a ClickHouse server killed — instead of finishing for nobody.
 */
@Injectable()
export class QueryCancellationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<ServerResponse>();
    const cancellation = new AbortController();
    const onClose = (): void => {
      // `close` follows every answer too; only a connection closed before the answer cancels.
      if (!response.writableFinished) cancellation.abort(new ClientClosedRequestError());
    };
    response.once('close', onClose);
    return new Observable((subscriber) => {
      // Subscribing runs the handler, so it and every await after it see the request's signal.
      const subscription = withQueryCancellation(cancellation.signal, () => next.handle().subscribe(subscriber));
      return () => {
        subscription.unsubscribe();
        response.off('close', onClose);
      };
    });
  }
}

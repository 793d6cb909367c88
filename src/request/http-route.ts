import type { NextFunction, Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { HttpError, RequestRefusal } from './http-error';
import { drainRequest, refuseRequest } from './uploads';

/**
 * Wraps an async route: every refusal is `{ error, field? }` in French with its status; an unexpected
 * failure goes to the app's last error handler, which logs it and answers a bare 500.
 */
export function route(handler: (req: Request, res: Response) => Promise<void>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof HttpError) return refuseRequest(req, res, error);
      if (error instanceof RequestRefusal) return refuseRequest(req, res, new HttpError(error.status, error.message, error.field));
      // The shared refusals of authorisation.ts (a contract outside the token's scope, findReadableContract)
      // reach routes too: 403 or 401, with the same French message.
      if (error instanceof GraphQLError && (error.extensions.code === 'FORBIDDEN' || error.extensions.code === 'UNAUTHENTICATED')) {
        const field = typeof error.extensions.field === 'string' ? error.extensions.field : undefined;
        return refuseRequest(req, res, new HttpError(error.extensions.code === 'FORBIDDEN' ? 403 : 401, error.message, field));
      }
      if (!res.headersSent) drainRequest(req);
      // The app's last error handler (src/web/error-pages.ts) logs it and answers the 500: a French page
      // for a browser, `{ error }` otherwise; once a streamed body has started, it ends the connection.
      next(error);
    }
  };
}

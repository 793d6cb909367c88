import type { NextFunction, Request, Response } from 'express';
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
      if (!res.headersSent) drainRequest(req);
      // The app's last error handler (src/web/error-pages.ts) logs it and answers the 500: a French page
      // for a browser, `{ error }` otherwise; once a streamed body has started, it ends the connection.
      next(error);
    }
  };
}
